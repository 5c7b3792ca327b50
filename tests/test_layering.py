"""The layering rules of DESIGN.md, checked on the import statements of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "trainer"

# layer -> modules it must never import
FORBIDDEN = {
    "deck": {"textual", "sqlalchemy", "alembic", "trainer.app.study", "trainer.tui", "trainer.cli.main",
             "trainer.store", "trainer.scheduling"},
    "exercises": {"textual", "sqlalchemy", "alembic", "torch", "trainer.app.study", "trainer.tui",
                  "trainer.cli.main", "trainer.store"},
    "scheduling": {"textual", "sqlalchemy", "alembic", "trainer.app.study", "trainer.tui",
                   "trainer.cli.main", "trainer.store", "trainer.deck"},
    "store": {"textual", "trainer.app.study", "trainer.tui", "trainer.cli.main", "trainer.deck",
              "trainer.scheduling"},
    "study.py": {"textual", "trainer.tui", "trainer.cli.main"},
    "authoring.py": {"textual", "trainer.tui", "trainer.cli.main", "trainer.app.study"},  # application
    "interview_mode.py": {"textual", "trainer.tui", "trainer.cli.main"},  # application layer
    "optimize.py": {"textual", "trainer.tui", "trainer.cli.main"},  # application layer
    "config_edit.py": {"textual", "sqlalchemy", "trainer.store", "trainer.tui", "trainer.cli.main"},
    "progress.py": {"textual", "trainer.tui", "trainer.cli.main"},  # application layer
    "drill.py": {"textual", "trainer.tui", "trainer.cli.main"},  # application layer
    "charts.py": {"textual", "sqlalchemy", "trainer.store", "trainer.app.study", "trainer.tui",
                  "trainer.cli.main"},  # pure drawing, shared by the CLI and the TUI
    "tui": {"sqlalchemy", "alembic", "trainer.store", "trainer.cli.main"},
    # the doors out (application layer) and the web face: no UI, and serve reaches the
    # store only through the app processes it starts
    "interchange": {"textual", "sqlalchemy", "alembic", "trainer.tui", "trainer.cli.main"},
    "serve.py": {"sqlalchemy", "alembic", "trainer.store", "trainer.app.study", "trainer.cli.main"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules(layer: str) -> list[Path]:
    target = PACKAGE / layer
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_arrows_point_down_only(layer: str):
    files = modules(layer)
    assert files, layer
    for path in files:
        for name in imports(path):
            for banned in FORBIDDEN[layer]:
                assert not (name == banned or name.startswith(banned + ".")), (
                    f"{path.relative_to(PACKAGE.parent)} imports {name}")
