"""``trainer export deck OUT/``: the built-in deck's files, as they are, in a folder the
deck tools read back (``trainer check``), all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from trainer.cli.main import main
from trainer.deck.loader import builtin_content_dir, load_deck, parse_builtin


def export(*args: str) -> int:
    return main(["export", "deck", *args])


def builtin_files() -> dict[str, bytes]:
    content = builtin_content_dir()
    return {str(p.relative_to(content)): p.read_bytes()
            for p in sorted(content.glob("*/*.md"))}


def written(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_whole_deck_byte_for_byte(tmp_path, capsys):
    out = tmp_path / "my-deck"
    assert export(str(out)) == 0
    files = builtin_files()
    assert written(out) == files and len(files) >= 2
    assert f"{len(files)} markdown file(s)" in capsys.readouterr().out
    # Read back as a user deck: the same cards, texts and languages as the built-in deck
    mine = load_deck(None, [out])
    builtin = load_deck(builtin_content_dir())
    assert not mine.problems
    assert sorted(c.id for c in mine.cards.values()) == sorted(
        c.id for c in builtin.cards.values())
    by_id = {c.id: c for c in mine.cards.values()}
    for card in builtin.cards.values():
        theirs = by_id[card.id]
        assert theirs.languages == card.languages
        assert {k: (t.question, t.answer) for k, t in theirs.texts.items()} == \
            {k: (t.question, t.answer) for k, t in card.texts.items()}
    assert main(["check", str(out)]) == 0


def test_one_topic(tmp_path):
    topic = parse_builtin(builtin_content_dir())[0].cards[0].topic
    out = tmp_path / "one"
    assert export(str(out), "--topic", topic) == 0
    files = written(out)
    assert files and all(files[name] == builtin_files()[name] for name in files)
    topics = {c.topic for c in load_deck(None, [out]).cards.values()}
    assert topics == {topic}
    assert {Path(name).parent.name for name in files} == {"en", "zh"}


def test_an_empty_folder_is_filled(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert export(str(out)) == 0
    assert written(out) == builtin_files()


@pytest.mark.parametrize("make, message", [
    (lambda p: (p / "x").mkdir() or (p / "x" / "keep.md").write_text("mine"), "is not empty"),
    (lambda p: (p / "x").write_text("a file"), "is a file"),
    (lambda p: None, "no such folder"),
])
def test_a_bad_target_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch, make,
                                                     message):
    monkeypatch.chdir(tmp_path)
    make(tmp_path)
    target = "x" if message != "no such folder" else "missing/x"
    before = written(tmp_path)
    assert export(target) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"trainer: {target}: ") and message in err
    assert written(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_an_unknown_topic(tmp_path, capsys):
    assert export(str(tmp_path / "x"), "--topic", "no-such-topic") == 2
    err = capsys.readouterr().err
    assert err.startswith("trainer: no-such-topic: no such topic in the built-in deck")
    assert not (tmp_path / "x").exists()
