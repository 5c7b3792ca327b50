"""``trainer export anki``: the package opened as Anki keeps it (a zip holding a SQLite
collection), note by note; and, where Anki's own library is installed, imported by it."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers import open_study
from trainer.app.interchange.anki import (
    BASIC_MODEL,
    BASIC_MODEL_ID,
    CLOZE_MODEL,
    CLOZE_MODEL_ID,
    export_anki,
    load_export_deck,
)
from trainer.cli.main import main
from trainer.config.settings import Settings
from trainer.deck.loader import builtin_content_dir
from trainer.deck.topics import load_plan

# One heading, one line (a cloze heading cannot wrap): c1 holds LaTeX's "}}", c2 a hint.
WEIGHTS = (r"## Attention weights are {{c1::$\mathrm{softmax}(QK^\top \cdot "
           r"\frac{1}{\sqrt{d_k}})$}} and the output is {{c2::their average of the values"
           r"::what is mixed?}}. {#weights}")
DECK = {
    "en/attention.md": """---
topic: attention
title: Attention
tags: [transformer]
---

## Why divide the logits by $\\sqrt{d_k}$? {#scale}

tags: formula

So that the softmax stays out of saturation: with unit-variance entries, $q \\cdot k$ has
variance $d_k$.

$$
\\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right) V
$$

""" + WEIGHTS + """

One row per query.

?

The rows sum to 1.

## The {{unscaled}} dot product grows like {{$\\sqrt{d_k}$}}. {#growth}

tags: intuition

Both deletions are numbered in reading order.
""",
    "zh/attention.md": """---
topic: attention
title: 注意力
---

## 为什么要除以 $\\sqrt{d_k}$？ {#scale}

让 softmax 不饱和：$q \\cdot k$ 的方差是 $d_k$。
""",
    "en/exercises.md": """---
topic: conv
title: Convolution
---

## Output size, drilled {#sizes}

```exercise
family: conv-output-size
level: 2
```
""",
}


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    root = tmp_path / "mydeck"
    for name, text in DECK.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def settings(tmp_path: Path, deck_dir: Path) -> Settings:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f"builtin_deck = false\nexercises = false\ndecks = [{json.dumps(str(deck_dir))}]\n",
        encoding="utf-8")
    return Settings(home=home, builtin_deck=False, exercises=False, decks=[deck_dir])


def collection(apkg: Path, tmp_path: Path) -> sqlite3.Connection:
    """The package's collection: a zip holding ``collection.anki2`` (SQLite) and ``media``."""
    with zipfile.ZipFile(apkg) as z:
        assert set(z.namelist()) == {"collection.anki2", "media"}
        z.extract("collection.anki2", tmp_path / "unzipped")
    return sqlite3.connect(tmp_path / "unzipped" / "collection.anki2")


def notes(c: sqlite3.Connection) -> dict[str, tuple[int, list[str], list[str]]]:
    """guid -> (note type id, fields, tags)."""
    return {guid: (mid, flds.split("\x1f"), tags.split())
            for guid, mid, flds, tags in c.execute("SELECT guid, mid, flds, tags FROM notes")}


def guid_for(*values) -> str:
    import genanki

    return genanki.guid_for(*values)


def export(settings: Settings, out: Path, *args: str) -> int:
    return main(["--home", str(settings.home), "export", "anki", str(out), *args])


def test_notes_models_and_fields(tmp_path, settings, capsys):
    out = tmp_path / "deck.apkg"
    assert export(settings, out, "--exercises", "2") == 0
    assert "1 basic, 2 cloze and 2 exercise notes in 2 topic deck(s)" in capsys.readouterr().out
    c = collection(out, tmp_path)
    models = json.loads(c.execute("SELECT models FROM col").fetchone()[0])
    assert {int(i): (m["name"], m["type"], [f["name"] for f in m["flds"]])
            for i, m in models.items()} == {
        BASIC_MODEL_ID: (BASIC_MODEL, 0, ["Front", "Back"]),
        CLOZE_MODEL_ID: (CLOZE_MODEL, 1, ["Text", "Back Extra"])}
    decks = json.loads(c.execute("SELECT decks FROM col").fetchone()[0])
    assert {d["name"] for d in decks.values()} >= {"trainer::Attention", "trainer::Convolution"}
    found = notes(c)
    assert len(found) == 5

    mid, (front, back), tags = found[guid_for("attention:scale")]
    assert mid == BASIC_MODEL_ID
    assert front == r"<p>Why divide the logits by \(\sqrt{d_k}\)?</p>"
    assert r"variance \(d_k\)" in back
    assert r"\[\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V\]" in back
    assert sorted(tags) == ["attention", "formula", "transformer"]

    mid, (text, extra), _ = found[guid_for("attention:weights")]
    assert mid == CLOZE_MODEL_ID
    # Anki ends a deletion at the first "}}": LaTeX's closing braces are spaced apart
    assert r"{{c1::\(\mathrm{softmax}(QK^\top \cdot \frac{1}{\sqrt{d_k} })\)}}" in text
    assert "{{c2::their average of the values::what is mixed?}}" in text
    assert "One row per query." in text and "The rows sum to 1." not in text
    assert extra == "<p>The rows sum to 1.</p>"

    _, (text, _), tags = found[guid_for("attention:growth")]
    assert re.search(r"\{\{c1::unscaled\}\}.*\{\{c2::\\\(\\sqrt\{d_k\}\\\)\}\}", text)
    assert "tags:" not in text and "intuition" in tags

    # The Anki cards: one per deletion number, one per basic note
    per_note = dict(c.execute("SELECT n.guid, count(*) FROM cards k JOIN notes n "
                              "ON n.id = k.nid GROUP BY n.guid"))
    assert per_note[guid_for("attention:weights")] == 2
    assert per_note[guid_for("attention:growth")] == 2
    assert per_note[guid_for("attention:scale")] == 1


def test_exercise_instances_are_frozen_with_their_solutions(tmp_path, settings):
    out = tmp_path / "deck.apkg"
    assert export(settings, out, "--exercises", "3", "--topic", "conv") == 0
    found = notes(collection(out, tmp_path))
    assert len(found) == 3
    study = open_study(settings)  # what the app poses for the same card and seed
    try:
        for seed in range(3):
            instance = study.exercise_instance("exercises:sizes", seed)
            _, (front, back), tags = found[guid_for("exercises:sizes", seed)]
            first_line = instance.prompt["en"].split("\n")[0]
            assert re.sub(r"\$([^$]+)\$", r"\\(\1\\)", first_line) in front
            assert instance.expected.display() in back
            assert r"\(" in back or r"\[" in back  # the worked solution's formulas
            assert "conv" in tags
    finally:
        study.close()
    assert len({found[guid_for("exercises:sizes", s)][1][0] for s in range(3)}) == 3


def test_languages(tmp_path, settings):
    zh, both = tmp_path / "zh.apkg", tmp_path / "both.apkg"
    assert export(settings, zh, "--lang", "zh", "--topic", "attention") == 0
    assert export(settings, both, "--lang", "both", "--topic", "attention") == 0
    front_zh = notes(collection(zh, tmp_path / "a"))[guid_for("attention:scale")][1][0]
    assert front_zh == r"<p>为什么要除以 \(\sqrt{d_k}\)？</p>"
    found = notes(collection(both, tmp_path / "b"))
    front_both = found[guid_for("attention:scale")][1][0]
    assert front_both.index("Why divide") < front_both.index("为什么") \
        and '<hr class="lang">' in front_both
    # A card written in English only stays English whatever is asked
    assert "Attention weights" in notes(collection(zh, tmp_path / "c"))[
        guid_for("attention:weights")][1][0]
    assert len(found) == 3


def test_exporting_again_updates_the_same_notes(tmp_path, settings, deck_dir):
    first, second = tmp_path / "1.apkg", tmp_path / "2.apkg"
    assert export(settings, first, "--exercises", "1") == 0
    path = deck_dir / "en" / "attention.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "So that the softmax", "So that softmax"), encoding="utf-8")
    assert export(settings, second, "--exercises", "1") == 0
    one, two = notes(collection(first, tmp_path / "a")), notes(collection(second, tmp_path / "b"))
    assert set(one) == set(two)
    changed = [g for g in one if one[g] != two[g]]
    assert changed == [guid_for("attention:scale")]


def test_group_is_a_group_of_topics(tmp_path, settings, capsys):
    """A group of content/topics.toml (the topic 'attention' is in 'transformers' there),
    or 'mine': the topics in no group."""
    plan = load_plan(builtin_content_dir() / "topics.toml")
    assert plan.group_of("attention") == "transformers" and plan.group_of("conv") == "mine"
    out = tmp_path / "g.apkg"
    assert export(settings, out, "--group", "transformers", "--exercises", "2") == 0
    assert {g for g in notes(collection(out, tmp_path / "a"))} == {
        guid_for("attention:scale"), guid_for("attention:weights"), guid_for("attention:growth")}
    assert export(settings, out, "--group", "mine", "--exercises", "2") == 0
    assert set(notes(collection(out, tmp_path / "b"))) == {
        guid_for("exercises:sizes", 0), guid_for("exercises:sizes", 1)}
    assert export(settings, tmp_path / "x.apkg", "--group", "nope") == 2
    assert capsys.readouterr().err.startswith("trainer: nope: no such group; groups: ")
    assert export(settings, tmp_path / "x.apkg", "--group", "evaluation") == 2  # no cards
    assert "no cards to export" in capsys.readouterr().err
    assert not (tmp_path / "x.apkg").exists()


def test_the_builtin_deck_whole(tmp_path):
    """Every card of the built-in deck: one note per concept card and per cloze heading,
    N per exercise card; Anki makes one card per deletion of each cloze note."""
    settings = Settings(home=tmp_path / "home")
    deck = load_export_deck(settings)
    out = tmp_path / "builtin.apkg"
    result = export_anki(deck, out, lang="en", exercises=1,
                         now=datetime(2026, 1, 1, tzinfo=UTC))
    kinds = [c.kind for c in deck.cards.values()]
    clozes = {re.sub(r":c\d+$", "", c.key) for c in deck.cards.values() if c.kind == "cloze"}
    assert (result.basic, result.cloze, result.exercise) == (
        kinds.count("basic"), len(clozes), kinds.count("exercise"))
    c = collection(out, tmp_path)
    (note_count,), = c.execute("SELECT count(*) FROM notes")
    (card_count,), = c.execute("SELECT count(*) FROM cards")
    assert note_count == len(deck.cards) - kinds.count("cloze") + len(clozes)
    assert card_count == len(deck.cards)  # each cloze card of the deck is one Anki card
    assert not list(c.execute("SELECT flds FROM notes WHERE flds LIKE '%$%$%' "
                              "AND flds NOT LIKE '%<code>%' AND flds NOT LIKE '%<pre>%'"))


def test_anki_itself_imports_the_package_and_updates_it(tmp_path, settings, deck_dir):
    anki = pytest.importorskip("anki.collection", reason="Anki's library (dev extra) is "
                               "not installed")
    first, second = tmp_path / "1.apkg", tmp_path / "2.apkg"
    deck = load_export_deck(settings)
    export_anki(deck, first, lang="both", exercises=2, now=datetime(2026, 1, 1, tzinfo=UTC))
    col = anki.Collection(str(tmp_path / "fresh.anki2"))
    try:
        request = anki.ImportAnkiPackageRequest(package_path=str(first))
        log = col.import_anki_package(request).log
        assert (col.note_count(), col.card_count(), len(log.new)) == (5, 7, 5)
        path = deck_dir / "en" / "attention.md"
        path.write_text(path.read_text(encoding="utf-8").replace("One row", "Exactly one row"),
                        encoding="utf-8")
        export_anki(load_export_deck(settings), second, lang="both", exercises=2,
                    now=datetime(2026, 1, 2, tzinfo=UTC))
        log = col.import_anki_package(anki.ImportAnkiPackageRequest(
            package_path=str(second))).log
        assert (col.note_count(), col.card_count()) == (5, 7)  # updated, not duplicated
        assert (len(log.updated), len(log.new)) == (5, 0)  # every note found by its GUID
        assert any("Exactly one row" in col.get_note(n).fields[0] for n in col.find_notes(""))
    finally:
        col.close()


@pytest.mark.parametrize("target, message", [
    ("missing/out.apkg", "no such folder"),
    ("out.zip", "the file name must end in .apkg"),
    (".", "is a folder"),
])
def test_a_bad_path_is_one_line_and_writes_nothing(tmp_path, settings, capsys, monkeypatch,
                                                   target, message):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert export(settings, Path(target)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"trainer: {target}: ") and message in err
    assert list(work.iterdir()) == []


def test_a_bad_topic_or_count_is_one_line(tmp_path, settings, capsys):
    assert export(settings, tmp_path / "a.apkg", "--topic", "nope") == 2
    assert capsys.readouterr().err.startswith("trainer: nope: no such topic")
    assert export(settings, tmp_path / "a.apkg", "--exercises", "500") == 2
    assert "--exercises 500" in capsys.readouterr().err
    assert list(tmp_path.glob("*.apkg")) == []
