"""Anything typed at it: answers, deck markdown, command lines and config files.

Property tests (hypothesis, derandomized so a run is reproducible) against the real code:
no exception escapes, nothing is written where nothing should be, and what a user can fix
is said in one line.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from tests.helpers import NOW, Notes, open_study, settle
from trainer.cli.main import build_parser, main
from trainer.config.settings import Settings
from trainer.deck.parser import parse_text
from trainer.tui.app import TrainerApp, make_app

ANSWER_EXAMPLES = 300  # typed answers, each checked against every exercise card
PILOT_EXAMPLES = 6  # app runs, each typing a list of answers into the real answer box
PARSER_EXAMPLES = 400
ARGV_EXAMPLES = 150

NASTY = [
    "", " ", "\n", "\t\r\n", "NaN", "nan", "-nan", "inf", "-inf", "Infinity", "1e999",
    "-1e999", "1e-999", "1e308*10", "9" * 400, "9" * 20_000, "0x1F", "0b101", "1_000_",
    "١٢٣", "१२३", "一二三", "１４×１４", "14x14x" * 2000, "[[1,2],[3", "]]]]", "(((((" * 500,
    "[" * 5000 + "]" * 5000, "1/0", "0/0", "-0", "1e", "e1", "..", "1..2", "½", "²", "⁴²",
    "\x00", "\x1b[31mred", "\u202e14", "14\u200b", "\ufeff14", "𝟏𝟒", "🙂", "null", "None",
    "-", "+", "%", "1%%", "12.5%%", "(64, 56, 56", "64, , 56", "DROP TABLE reviews;--",
    "\\", "'", '"', "$(rm -rf /)", "{{}}", "1 2; 3", "1;2;3;4;5;6;7;8", "\u00a0\u202f",
]
typed = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.text(alphabet="0123456789.,eE+-−xX×*/()[]; _%\n０１２３", max_size=80),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers().map(str),
    st.lists(st.sampled_from(NASTY), max_size=4).map(" ".join),
)


def reviews(path: Path) -> int:
    with closing(sqlite3.connect(path)) as c:
        return c.execute("SELECT count(*) FROM reviews").fetchone()[0]


def image(path: Path) -> bytes:
    with closing(sqlite3.connect(path)) as c:
        return c.serialize()


@pytest.fixture(scope="module")
def exercise_study(tmp_path_factory):
    home = tmp_path_factory.mktemp("exercises")
    settings_ = Settings(home=home, builtin_deck=False, exercises=True)
    study = open_study(settings_)
    keys = sorted(c.key for c in study.cards() if c.kind == "exercise")
    cards = [study.card_for(key, NOW, seed=1234 + i) for i, key in enumerate(keys)]
    yield study, cards
    study.close()


def test_every_exercise_kind_is_covered(exercise_study):
    _, cards = exercise_study
    assert len(cards) >= 30
    assert {"integer", "shape", "number", "matrix"} <= {c.exercise.kind for c in cards}


@settings(max_examples=ANSWER_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=typed)
def test_no_typed_answer_raises_or_writes(exercise_study, text):
    study, cards = exercise_study
    for card in cards:
        result = study.check_exercise(card, text)
        assert result.correct in (True, False, None)
        assert isinstance(result.message, str) and result.message.strip()
        if result.correct is None:  # unreadable: a hint, and nothing to record
            assert study.attempt(card, text, result) is None
    assert reviews(study.db.path) == 0


def test_checking_answers_leaves_the_file_as_it_was(exercise_study):
    study, cards = exercise_study
    before = image(study.db.path)
    for card in cards:
        for text in NASTY:
            study.check_exercise(card, text)
    assert image(study.db.path) == before


async def type_all(tmp_path: Path, answers: list[str]) -> tuple[int, list[str]]:
    settings_ = Settings(home=tmp_path, builtin_deck=False, exercises=True)
    study = open_study(settings_)
    app = make_app(settings_, study, clock=lambda: NOW, topic="add-vs-concat")
    shown = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.card.exercise is not None and screen.card.exercise.kind != "matrix"
        field = screen.query_one("#answer-input", Input)
        for answer in answers:
            field.value = answer
            field.focus()
            await pilot.press("enter")
            await pilot.pause()
            shown.append(field.value)
            if screen.revealed:  # a readable answer: the verdict and worked solution show
                assert screen.result is not None and screen.result.correct is not None
                break
            assert field.display and not screen.busy
    return reviews(settings_.db_path), shown


@settings(max_examples=PILOT_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(answers=st.lists(typed, min_size=1, max_size=12))
def test_the_answer_box_takes_anything_and_records_nothing_until_graded(answers):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        written, shown = asyncio.run(type_all(Path(tmp), answers))
    assert written == 0  # typing and checking never write; only a grade does
    assert shown


# -- deck markdown -------------------------------------------------------------------------
FRAGMENTS = ["---\n", "## ", "# ", "{#", "}", "$", "$$\n", "\\frac{a}{b}", "?\n", "\n\n",
             "topic: ", "title: ", "lang: zh\n", "tags: [a, b]\n", "deck: x\n", ": ",
             "!!python/object/apply:os.system ['echo hi']\n", "- ", "* ", "```\n", "    ",
             "\t", "\r\n", "\r", "<div>", "[x](y)", "|a|b|\n", "&", "\\", "{{c1::x}}",
             "\ufeff", "\x00", "中文", "id: a\n", "---\n---\n"]
markdown = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)),
                    max_size=40).map("".join)


@settings(max_examples=PARSER_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(text=markdown, check_math=st.booleans())
def test_the_deck_parser_never_raises_and_locates_every_problem(text, check_math):
    parsed = parse_text(text, "fuzz.md", check_math=check_math)
    for problem in parsed.problems:
        assert problem.line >= 1 and problem.col >= 1
        assert problem.format().startswith(f"fuzz.md:{problem.line}:")
    for card in parsed.cards:
        assert card.text.line >= 1


# -- the command line ----------------------------------------------------------------------
SAFE_COMMANDS = ("cards", "check", "paths", "exercise", "solve", "backup", "stats", "config",
                 "interview", "optimize")  # the ones that never start the full-screen app
TOKENS = ["--json", "--list", "--level", "--seed", "--params", "--net", "--input", "--lang",
          "--topic", "--db", "--home", "--decks", "-h", "--help", "--version", "1", "3", "-1",
          "0", "99999999999999999999", "vgg16", "nope", "en", "zh", "fr", "{}", "[]",
          '{"size": 1e999}', '{"size": -1}', "[" * 2000 + "]" * 2000, "3,224,224", "0,0,0",
          "x", "", "-", "--", "conv-output-size", "spec.yaml", "set", "get", "unset",
          "language", "new-per-day", "interview-date", "2026-13-45", "--since", "7d", "∞",
          "\x00", "💥", "a" * 300]


def argv_strategy():
    parser = build_parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    commands = sorted(set(SAFE_COMMANDS) & set(actions[0].choices))
    leading = st.lists(st.sampled_from([("--lang", "en"), ("--db", "x.sqlite3"),
                                        ("--decks", "d"), ("--home", "h")]), max_size=2
                       ).map(lambda pairs: [token for pair in pairs for token in pair])
    tail = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=12)), max_size=6)
    return st.tuples(leading, st.sampled_from(commands), tail).map(
        lambda parts: [*parts[0], parts[1], *parts[2]])


def _no_app(self, *args, **kwargs):
    raise AssertionError("a non-interactive command started the full-screen app")


@settings(max_examples=ARGV_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=argv_strategy())
def test_any_command_line_ends_in_0_1_or_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # relative paths typed in land here, nowhere else
    monkeypatch.setattr(TrainerApp, "run", _no_app)  # a guard: these never start the UI
    monkeypatch.setenv("TRAINER_HOME", str(tmp_path / "home"))
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse: --help / --version exit 0, usage errors exit 2
        assert exc.code in (0, 2), argv
        status = exc.code
    assert status in (0, 1, 2), argv
    err = capsys.readouterr().err
    assert "Traceback" not in err, (argv, err)


# -- config files --------------------------------------------------------------------------
BAD_CONFIGS = {
    "not TOML": ("language = [\n", "not valid TOML"),
    "binary": ("\x00\x01\x02", "not valid TOML"),
    "wrong type": ('new-per-day = "lots"\n', "config.toml:1: new-per-day: Input should be a "
                                             "valid integer"),
    "out of range": ("# mine\ndesired-retention = 1.5\n", "config.toml:2: desired-retention: "
                                                         "Input should be less than or "
                                                         "equal to 0.97"),
    "unknown value": ('language = "fr"\n', "config.toml:1: language: Input should be 'en' or "
                                           "'zh' (got 'fr')"),
    "unknown key": ("colour = 3\n", "unknown setting"),
    "negative steps": ("learning-steps-minutes = [-1]\n", "learning-steps-minutes: each step "
                                                         "must be more than 0"),
    # Each of these was accepted once, and then every start crashed (date overflow).
    "huge step": ("learning-steps-minutes = [1e12]\n", "at most 10,080 minutes"),
    "huger step": ("relearning-steps-minutes = [1e308]\n", "at most 10,080 minutes"),
    "infinite step": ("learning-steps-minutes = [inf]\n", "at most 10,080 minutes"),
    "far interview": ("interview-date = 9999-12-31\n", "less than or equal to 2099-12-31"),
    "huge interval": ("maximum-interval-days = 100000000\n", "less than or equal to 36500"),
    "huge cap": ("max-reviews-per-day = 10000000000\n", "less than or equal to 100000"),
}


@pytest.mark.parametrize("name", sorted(BAD_CONFIGS))
def test_a_bad_config_is_one_line_and_nothing_is_written(tmp_path, capsys, name):
    text, words = BAD_CONFIGS[name]
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(text, encoding="utf-8")
    for command in ("practice", "cards", "backup"):
        assert main(["--home", str(home), command]) == 2
        err = capsys.readouterr().err
        assert err.startswith("trainer: ") and words in err and "Traceback" not in err
        assert err.rstrip("\n").count("\n") == 0, err
    assert sorted(p.name for p in home.iterdir()) == ["config.toml"]  # no database made
    assert (home / "config.toml").read_text(encoding="utf-8") == text


async def test_a_config_broken_while_the_app_runs_is_not_overwritten(tmp_path, tiny_deck):
    settings_ = Settings(home=tmp_path / "home", builtin_deck=False, exercises=False,
                         decks=[tiny_deck])
    study = open_study(settings_)
    app = make_app(settings_, study, clock=lambda: NOW)
    notes = Notes(app)
    broken = 'language = "en"\nnew-per-day = [\n'  # the user is half-way through an edit
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        settings_.config_path.write_text(broken, encoding="utf-8")
        await pilot.press("l")  # switching language saves the setting
        await settle(pilot)
        said = [n.message for n in notes]
        assert any("Language not saved" in n and str(settings_.config_path) in n
                   for n in said), said
        assert app.is_running
    assert settings_.config_path.read_text(encoding="utf-8") == broken
