"""A card keeps its history through edits, moves and renames; different cards never merge.

Every test writes real files, answers cards through the study session (real SQLite, real
FSRS), edits the files on disk, syncs (a restart, or a live reload in the same session),
and reads the history back from SQLite with a separate connection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.authoring.conftest import rows
from tests.helpers import NOW, open_study
from trainer.config.settings import Settings


class Session:
    """A study session that syncs edited files by restarting, or by a live reload."""

    def __init__(self, settings: Settings, mode: str) -> None:
        self.settings = settings
        self.mode = mode
        self.study = open_study(settings)

    def answer(self, key: str, grade: int = 3) -> None:
        self.study.answer(key, grade, NOW)

    def sync(self) -> None:
        if self.mode == "restart":
            self.study.close()
            self.study = open_study(self.settings)
        else:
            changes = self.study.reload_decks()
            assert changes.any

    def keys(self) -> set[str]:
        return set(self.study.deck.cards)

    def question(self, key: str) -> str:
        return self.study.card_for(key, NOW).question

    def close(self) -> None:
        self.study.close()


@pytest.fixture(params=["restart", "live"])
def session(request, settings: Settings):
    opened = []

    def start() -> Session:
        opened.append(Session(settings, request.param))
        return opened[-1]

    yield start
    for s in opened:
        s.close()


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def cards(settings: Settings) -> dict[str, tuple[int, bool, list[int]]]:
    """key -> (row id, retired, ratings of its reviews), straight from SQLite."""
    found = {}
    for key, id_, retired in rows(settings.db_path, "SELECT key, id, retired FROM cards"):
        ratings = [r for (r,) in rows(settings.db_path, "SELECT rating FROM reviews WHERE "
                                      "card_id = ? ORDER BY id", id_)]
        found[key] = (id_, bool(retired), ratings)
    return found


def key_of(session: Session, question_start: str) -> str:
    (key,) = [k for k, c in session.study.deck.cards.items()
              if c.text("en").question.startswith(question_start)]
    return key


BN = ("## What does batch normalization normalize over?\n\n"
      "For each channel: the mean and variance over the batch and the spatial positions.\n")
LN = ("## What does layer normalization normalize over?\n\n"
      "For each sample: the mean and variance over all of its features.\n")
RF = ("## What is a receptive field?\n\n"
      "The region of the input that can change one output unit.\n")


def test_typo_fix_in_the_question_keeps_history(session, settings, decks):
    write(decks / "norm.md", "## What does batch normalizaton normalize over?\n\n"
          "For each channel: the mean and variance over the batch and the spatial positions.\n"
          + "\n" + LN)
    s = session()
    old = key_of(s, "What does batch")
    s.answer(old, 3)
    before = cards(settings)
    write(decks / "norm.md", BN + "\n" + LN)
    s.sync()
    new = key_of(s, "What does batch")
    assert new != old  # the derived id follows the words ...
    after = cards(settings)
    assert after[new] == (before[old][0], False, [3])  # ... the row and its history follow
    assert old not in after and len(after) == 2
    assert s.question(new).startswith("What does batch normalization")


def test_rewording_the_question_keeps_history(session, settings, decks):
    write(decks / "rf.md", RF)
    s = session()
    old = key_of(s, "What is a receptive")
    s.answer(old, 4)
    row_id = cards(settings)[old][0]
    write(decks / "rf.md", "## Define the receptive field of a unit.\n\n"
          "The region of the input that can change one output unit.\n")
    s.sync()
    new = key_of(s, "Define")
    assert cards(settings) == {new: (row_id, False, [4])}


def test_reformatting_keeps_history(session, settings, decks):
    """Emphasis, spacing, line wrapping, a list made a paragraph: the same content hash."""
    write(decks / "bn.md", "## Why is *BN* different at inference?\n\n"
          "- it uses running statistics;\n- it does not look at the batch.\n")
    s = session()
    old = key_of(s, "Why is")
    s.answer(old, 2)
    row_id = cards(settings)[old][0]
    write(decks / "bn.md", "## Why is **BN**   different at   inference?\n\n"
          "It uses **running statistics**;\nit does not\nlook at the batch.\n")
    s.sync()
    new = key_of(s, "Why is **BN**")
    assert new != old
    assert cards(settings) == {new: (row_id, False, [2])}


def test_an_explicit_id_keeps_history_whatever_the_text(session, settings, decks):
    write(decks / "a.md", "## Old question {#keep-me}\n\nOld answer.\n")
    s = session()
    s.answer("a:keep-me", 1)
    row_id = cards(settings)["a:keep-me"][0]
    write(decks / "a.md", "## A completely new question {#keep-me}\n\nNothing alike.\n")
    s.sync()
    assert cards(settings) == {"a:keep-me": (row_id, False, [1])}
    assert s.question("a:keep-me") == "A completely new question"


def test_a_card_turned_into_a_cloze_keeps_history_on_its_first_deletion(session, settings,
                                                                        decks):
    write(decks / "a.md", "## Min-max scaling? {#mm}\n\nx' = (x - min)/(max - min).\n")
    s = session()
    s.answer("a:mm", 3)
    row_id = cards(settings)["a:mm"][0]
    write(decks / "a.md",
          "## Min-max scaling {#mm}\n\nx' = {{c1::(x - min)}}/{{c2::(max - min)}}.\n")
    s.sync()
    found = cards(settings)
    assert found["a:mm:c1"] == (row_id, False, [3])  # the history, on the first deletion
    assert found["a:mm:c2"][2] == [] and "a:mm" not in found
    write(decks / "a.md", "## Min-max scaling? {#mm}\n\nx' = (x - min)/(max - min).\n")
    s.sync()  # and back to a plain card: the same history again
    assert cards(settings)["a:mm"] == (row_id, False, [3])


def test_moving_a_card_inside_its_file_keeps_history(session, settings, decks):
    write(decks / "n.md", BN + "\n" + LN + "\n" + RF)
    s = session()
    keys = {q: key_of(s, q) for q in ("What does batch", "What does layer", "What is a")}
    s.answer(keys["What does batch"], 3)
    s.answer(keys["What is a"], 1)
    before = cards(settings)
    write(decks / "n.md", RF + "\n" + LN + "\n" + BN)
    s.sync()
    assert cards(settings) == before


def test_moving_a_card_to_another_file_keeps_history(session, settings, decks):
    write(decks / "norm.md", BN + "\n" + LN)
    write(decks / "fields.md", "## What is a stride?\n\nThe step of the window.\n")
    s = session()
    old = key_of(s, "What does batch")
    s.answer(old, 3)
    row_id = cards(settings)[old][0]
    write(decks / "norm.md", LN)
    write(decks / "fields.md", "## What is a stride?\n\nThe step of the window.\n\n" + BN)
    s.sync()
    new = key_of(s, "What does batch")
    assert new.startswith("fields:")  # the deck is the file's name
    after = cards(settings)
    assert after[new] == (row_id, False, [3])
    assert len(after) == 3 and old not in after


def test_renaming_a_file_keeps_every_history(session, settings, decks):
    write(decks / "draft.md", "## With an id {#with-id}\n\nA.\n\n" + BN)
    s = session()
    derived = key_of(s, "What does batch")
    s.answer("draft:with-id", 3)
    s.answer(derived, 2)
    before = cards(settings)
    (decks / "draft.md").rename(decks / "normalization.md")
    s.sync()
    after = cards(settings)
    assert after["normalization:with-id"] == before["draft:with-id"]
    assert after[derived.replace("draft:", "normalization:")] == before[derived]
    assert len(after) == 2


def test_renaming_and_editing_at_once_keeps_history(session, settings, decks):
    write(decks / "draft.md", "## Old wording {#with-id}\n\nOld answer.\n\n" + RF)
    s = session()
    derived = key_of(s, "What is a receptive")
    s.answer("draft:with-id", 4)
    s.answer(derived, 3)
    before = cards(settings)
    (decks / "draft.md").unlink()
    write(decks / "fields.md", "## New wording {#with-id}\n\nNew answer.\n\n"
          "## What is the receptive field?\n\n"
          "The region of the input that can change one output unit.\n")
    s.sync()
    after = cards(settings)
    assert after["fields:with-id"] == before["draft:with-id"]  # the explicit id
    assert after[key_of(s, "What is the receptive")] == before[derived]  # similar text
    assert len(after) == 2


def test_a_deleted_card_is_retired_and_comes_back_with_its_history(session, settings, decks):
    write(decks / "n.md", BN + "\n" + LN)
    s = session()
    key = key_of(s, "What does batch")
    s.answer(key, 3)
    before = cards(settings)[key]
    write(decks / "n.md", LN)
    s.sync()
    assert cards(settings)[key] == (before[0], True, [3])  # hidden, history kept
    assert key not in s.keys()
    served = []
    while (card := s.study.next_card(NOW)) is not None:
        served.append(card.key)
        s.answer(card.key, 4)
    assert key not in served
    write(decks / "n.md", LN + "\n" + BN)  # restored (e.g. git checkout), elsewhere in the file
    s.sync()
    assert cards(settings)[key] == (before[0], False, [3])
    assert key in s.keys()


def test_a_card_restored_in_another_file_comes_back_with_its_history(session, settings, decks):
    write(decks / "n.md", BN + "\n" + LN)
    s = session()
    key = key_of(s, "What does batch")
    s.answer(key, 2)
    row_id = cards(settings)[key][0]
    write(decks / "n.md", LN)
    s.sync()
    write(decks / "later.md", BN)
    s.sync()
    assert cards(settings)[key.replace("n:", "later:")] == (row_id, False, [2])


def test_deleting_one_card_and_writing_another_never_merges_them(session, settings, decks):
    write(decks / "n.md", BN + "\n" + LN)
    s = session()
    bn, ln = key_of(s, "What does batch"), key_of(s, "What does layer")
    s.answer(bn, 3)
    s.answer(ln, 1)
    before = cards(settings)
    write(decks / "n.md", "## What is a transposed convolution?\n\n"
          "The gradient of a convolution with respect to its input, used to upsample.\n\n"
          + LN)
    s.sync()
    after = cards(settings)
    new = key_of(s, "What is a transposed")
    assert after[new][2] == [] and after[new][0] not in {before[bn][0], before[ln][0]}
    assert after[bn] == (before[bn][0], True, [3])  # retired with its history
    assert after[ln] == before[ln]


def test_similar_cards_keep_their_own_histories(session, settings, decks):
    """Two near-twins (batch norm / layer norm): editing one never hands it the other's
    history, and neither one's history moves when both are edited in one save."""
    write(decks / "n.md", BN + "\n" + LN)
    s = session()
    bn, ln = key_of(s, "What does batch"), key_of(s, "What does layer")
    s.answer(bn, 4)
    s.answer(ln, 1)
    before = cards(settings)
    write(decks / "n.md", BN.replace("What does", "Over what does") + "\n"
          + LN.replace("What does", "Over what does"))
    s.sync()
    after = cards(settings)
    assert after[key_of(s, "Over what does batch")] == before[bn]
    assert after[key_of(s, "Over what does layer")] == before[ln]


def test_replacing_a_card_by_its_near_twin_never_merges_them(session, settings, decks):
    """Batch norm deleted and layer norm written in the same save: same sentence shape,
    different facts. The new card starts afresh; the old one is retired with its history."""
    write(decks / "n.md", BN + "\n" + RF)
    s = session()
    bn = key_of(s, "What does batch")
    s.answer(bn, 4)
    before = cards(settings)
    write(decks / "n.md", LN + "\n" + RF)
    s.sync()
    after = cards(settings)
    ln = key_of(s, "What does layer")
    assert after[ln][2] == [] and after[ln][0] != before[bn][0]
    assert after[bn] == (before[bn][0], True, [4])


def test_swapping_the_texts_of_two_ids_keeps_each_id_its_history(session, settings, decks):
    """An explicit id wins over the content: the history stays with the id."""
    write(decks / "a.md", "## Question one {#one}\n\nAnswer one.\n\n"
          "## Question two {#two}\n\nAnswer two.\n")
    s = session()
    s.answer("a:one", 1)
    s.answer("a:two", 4)
    before = cards(settings)
    write(decks / "a.md", "## Question two {#one}\n\nAnswer two.\n\n"
          "## Question one {#two}\n\nAnswer one.\n")
    s.sync()
    assert cards(settings) == before


def test_writing_an_id_on_a_card_keeps_its_history(session, settings, decks):
    write(decks / "n.md", BN)
    s = session()
    old = key_of(s, "What does batch")
    s.answer(old, 3)
    row_id = cards(settings)[old][0]
    write(decks / "n.md", BN.replace("over?", "over? {#bn-axes}"))
    s.sync()
    assert cards(settings) == {"n:bn-axes": (row_id, False, [3])}


def test_identical_cards_in_two_files_stay_two_cards(session, settings, decks):
    write(decks / "a.md", RF)
    write(decks / "b.md", RF)
    s = session()
    a, b = sorted(k for k in s.keys())
    s.answer(a, 3)
    before = cards(settings)
    assert before[a][0] != before[b][0]
    (decks / "a.md").unlink()
    s.sync()
    after = cards(settings)
    assert after[a] == (before[a][0], True, [3]) and after[b] == before[b]


def test_cloze_deletions_keep_their_own_histories_when_the_note_is_edited(session, settings,
                                                                          decks):
    write(decks / "bn.md", "## At inference BN uses the {{c1::running mean}} and the "
          "{{c2::running variance}}.\n")
    s = session()
    c1 = next(k for k in s.keys() if k.endswith(":c1"))
    c2 = next(k for k in s.keys() if k.endswith(":c2"))
    s.answer(c1, 1)
    s.answer(c2, 4)
    before = cards(settings)
    write(decks / "bn.md", "## At inference, batch norm uses the {{c1::running mean}} and "
          "the {{c2::running variance}} it kept in training.\n")
    s.sync()
    after = cards(settings)
    n1 = next(k for k in after if k.endswith(":c1"))
    n2 = next(k for k in after if k.endswith(":c2"))
    assert (after[n1], after[n2]) == (before[c1], before[c2])
    assert n1 != c1  # the heading changed, so the derived id did


def test_a_language_variant_is_one_card_and_editing_it_keeps_history(session, settings, decks):
    (decks / "en").mkdir()
    (decks / "zh").mkdir()
    write(decks / "en" / "bn.md", "---\ndeck: bn\n---\n## What is BN? {#bn}\n\nBatch norm.\n")
    write(decks / "zh" / "bn.md", "---\ndeck: bn\n---\n## 什么是 BN？ {#bn}\n\n批归一化。\n")
    s = session()
    assert s.keys() == {"bn:bn"}
    s.answer("bn:bn", 3)
    before = cards(settings)
    write(decks / "zh" / "bn.md", "---\ndeck: bn\n---\n## 什么是批归一化？ {#bn}\n\n批归一化。\n")
    s.sync()
    assert cards(settings) == before
    assert sorted(s.study.deck.cards["bn:bn"].texts) == ["en", "zh"]


def test_no_id_is_ever_written_into_the_markdown(session, settings, decks):
    text = BN + "\n" + "## Fill {{c1::this}} in.\n"
    write(decks / "n.md", text)
    s = session()
    s.answer(key_of(s, "What does batch"), 3)
    write(decks / "n.md", text.replace("batch", "Batch"))
    s.sync()
    assert (decks / "n.md").read_text(encoding="utf-8") == text.replace("batch", "Batch")
    assert sorted(p.name for p in decks.iterdir()) == ["n.md"]
