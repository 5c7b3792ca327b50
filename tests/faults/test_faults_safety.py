"""Nothing runs that should not, and nothing is readable that should not be.

- Deck front matter is read with ``yaml.safe_load``: a ``!!python/...`` tag is a problem
  at ``path:line``, never code that runs.
- The trainer home is 0700; the database and everything SQLite derives from it (``-wal``,
  ``-shm``) are 0600 from the first byte, whatever the umask says.
- No subprocess is started through a shell, and no unsafe loader is used anywhere in
  ``trainer/`` (checked on the syntax tree, so comments and strings do not count).
"""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import NOW, open_study
from trainer.cli.main import main
from trainer.config.settings import Settings
from trainer.deck.parser import parse_text

PACKAGE = Path(__file__).resolve().parent.parent.parent / "trainer"


def payloads(marker: Path) -> list[str]:
    command = f"touch {marker}"
    return [
        f"!!python/object/apply:os.system [{command!r}]",
        f"!!python/object/apply:subprocess.check_call [[touch, {str(marker)!r}]]",
        f"!!python/object/new:os.system [{command!r}]",
        "!!python/name:os.system",
        f"!!python/object/apply:builtins.exec [\"open({str(marker)!r}, 'w')\"]",
    ]


@pytest.mark.parametrize("index", range(5))
def test_a_python_tag_in_front_matter_is_an_error_not_code(tmp_path: Path, index: int):
    marker = tmp_path / "pwned"
    text = f"---\ntopic: pooling\ntitle: {payloads(marker)[index]}\n---\n\n## Q? {{#q}}\n\nA.\n"
    parsed = parse_text(text, "evil.md")
    assert not marker.exists()
    (problem,) = [p for p in parsed.problems if p.severity == "error"]
    assert problem.line == 3 and "front matter is not valid YAML" in problem.message


def test_trainer_check_reports_it_with_path_and_line(tmp_path: Path, capsys):
    marker = tmp_path / "pwned"
    deck = tmp_path / "evil.md"
    deck.write_text(f"---\ntopic: {payloads(marker)[0]}\n---\n\n## Q? {{#q}}\n\nA.\n",
                    encoding="utf-8")
    assert main(["check", str(deck)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{deck}:2:1: error: front matter is not valid YAML")
    assert not marker.exists()


@pytest.fixture
def loose_umask():
    """The most common umask (group and others may read): the app must not rely on it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_home_database_and_its_journal_files_are_owner_only(tmp_path, tiny_deck, loose_umask):
    home = tmp_path / "new-home"
    settings = Settings(home=home, builtin_deck=False, exercises=False, decks=[tiny_deck])
    study = open_study(settings)
    study.answer(study.next_card(NOW).key, 3, NOW)  # the open session keeps its WAL
    db = settings.db_path
    wal, shm = db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")
    assert wal.exists() and shm.exists()
    assert (mode(home), mode(db), mode(wal), mode(shm)) == (0o700, 0o600, 0o600, 0o600)
    study.close()
    assert main(["--home", str(home), "backup"]) == 0
    backups = home / "backups"
    assert mode(backups) == 0o700
    assert all(mode(p) == 0o600 for p in backups.iterdir())


def test_a_backup_into_a_new_home_makes_it_owner_only(tmp_path, tiny_deck, loose_umask):
    settings = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                        decks=[tiny_deck])
    open_study(settings).close()
    elsewhere = tmp_path / "other-home"  # --db points at the file, the home is new
    assert main(["--home", str(elsewhere), "--db", str(settings.db_path), "backup"]) == 0
    assert mode(elsewhere) == 0o700 and mode(elsewhere / "backups") == 0o700


# -- no shell, no unsafe loader ------------------------------------------------------------
UNSAFE_CALLS = {"os.system", "os.popen", "os.spawnl", "os.spawnlp", "os.execl", "os.execlp",
                "yaml.load", "yaml.unsafe_load", "yaml.full_load", "pickle.load",
                "pickle.loads", "eval", "exec", "subprocess.getoutput",
                "subprocess.getstatusoutput"}


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def findings(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = dotted(node.func)
        where = f"{name}:{node.lineno}"
        if called in UNSAFE_CALLS:
            found.append(f"{where}: {called}()")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                found.append(f"{where}: shell=...")
        if called.startswith("subprocess.") and node.args and isinstance(
                node.args[0], ast.Constant | ast.JoinedStr):
            found.append(f"{where}: {called}() with a command string")
    return found


def test_the_scanner_sees_what_it_looks_for():
    planted = ("import os, subprocess, yaml\nos.system('ls')\n"
               "subprocess.run('ls -l', shell=True)\nsubprocess.call(f'rm {x}')\n"
               "yaml.load(text)\nsubprocess.run(['ls'], shell=False)\n# os.system('x')\n")
    assert findings(planted, "p.py") == [
        "p.py:2: os.system()", "p.py:3: shell=...", "p.py:3: subprocess.run() with a "
        "command string", "p.py:4: subprocess.call() with a command string",
        "p.py:5: yaml.load()"]


def test_no_shell_and_no_unsafe_loader_in_the_package():
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 20
    found = [f for path in sources
             for f in findings(path.read_text(encoding="utf-8"), str(path.relative_to(PACKAGE)))]
    assert found == []
