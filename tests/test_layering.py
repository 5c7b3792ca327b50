"""The layering of docs/architecture.md, checked with import-linter's contracts.

The contracts live in pyproject.toml (``[tool.importlinter]``), so ``lint-imports`` on a
developer's machine and this test check the same rules. grimp, which builds the graph,
reads every import statement of a module, function-level and ``TYPE_CHECKING`` ones
included; the second test shows that on a package made for it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache", "--no-logo", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_every_contract_is_kept():
    result = lint(ROOT, "--config", "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 kept, 0 broken" in result.stdout, result.stdout


def test_a_circle_hidden_in_a_function_breaks_the_contract(tmp_path: Path):
    """The kind of circle #14 found four of: one arrow at module level, the other inside
    a function. The same contract type as pyproject.toml's, on a two-module package."""
    package = tmp_path / "house"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(
        "def check():\n    from house.answers import grade\n    return grade()\n")
    (package / "answers.py").write_text("from house import base\n\ndef grade():\n"
                                        "    return base\n")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = house\n\n[importlinter:contract:acyclic]\n"
        "name = No circle\ntype = acyclic_siblings\nancestors = house\n")
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No circle BROKEN" in result.stdout
    (package / "base.py").write_text("def check():\n    return 1\n")  # the arrow cut
    assert lint(tmp_path).returncode == 0
