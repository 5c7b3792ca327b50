"""The one place the trainer meets the fsrs library (trainer/scheduling/memory.py): the
stored state <-> ``fsrs.Card``, grades <-> ``fsrs.Rating``, the scheduler factory, the
parameters' bounds (checked by the application layer, named by their source), and the
aware-datetime guard every layer shares (trainer/core/time.py)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from trainer.app.memory import check_settings, memory_model
from trainer.app.study import reviewed_state
from trainer.cli.main import main
from trainer.config.settings import FSRS_PARAMETER_COUNT, ConfigError, Settings
from trainer.core.time import require_utc
from trainer.scheduling.memory import (
    Grade,
    MemoryModel,
    clamp_parameters,
    from_fsrs,
    make_scheduler,
    new_card,
    studied_card,
    to_fsrs,
)
from trainer.scheduling.recall import scheduler_for
from trainer.store.backups import free_name
from trainer.store.records import CardState, StoredState
from trainer.store.stamps import stamp

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TOO_HIGH = [*DEFAULT_PARAMETERS[:-1], UPPER_BOUNDS_PARAMETERS[-1] + 1]  # w20 past its bound


def test_the_store_codes_are_fsrs_states():
    assert [int(s) for s in StoredState] == [State.Learning.value, State.Review.value,
                                             State.Relearning.value]
    assert [s.name for s in StoredState] == ["LEARNING", "REVIEW", "RELEARNING"]


def test_grades_are_the_library_ratings():
    assert [g.rating for g in Grade] == list(Rating)
    assert all(int(g) == int(g.rating) for g in Grade)


def test_a_card_never_studied_is_a_new_learning_card_due_now():
    stored = CardState(id=4, key="k", topic="t")
    assert studied_card(stored) is None
    card = to_fsrs(stored, NOW)
    assert (card.card_id, card.state, card.step, card.due) == (4, State.Learning, 0, NOW)
    assert card.stability is None and card.last_review is None
    assert new_card(4, NOW).to_dict() == FsrsCard(card_id=4, due=NOW).to_dict()


def test_the_stored_state_round_trips_through_fsrs():
    memory = MemoryModel(enable_fuzzing=False)
    before = CardState(id=9, key="conv:a", topic="conv")
    for when, grade in ((NOW, Grade.GOOD), (NOW + timedelta(minutes=10), Grade.GOOD),
                        (NOW + timedelta(days=5), Grade.AGAIN)):
        updated = memory.review(to_fsrs(before, when), grade, when)
        after = reviewed_state(before, updated)
        assert (after.id, after.key, after.topic) == (9, "conv:a", "conv")
        assert from_fsrs(updated) == {k: getattr(after, k) for k in from_fsrs(updated)}
        assert studied_card(after).to_dict() == updated.to_dict()  # and back, unchanged
        before = after
    assert before.state == StoredState.RELEARNING and isinstance(before.state, int)


def test_the_factory_passes_the_settings_values_and_defaults_like_the_library():
    plain = Scheduler()
    made = make_scheduler()
    for name in ("parameters", "desired_retention", "learning_steps", "relearning_steps",
                 "maximum_interval", "enable_fuzzing"):
        assert getattr(made, name) == getattr(plain, name), name
    assert scheduler_for(None).parameters == scheduler_for([]).parameters == plain.parameters
    mine = [round(w * 1.01, 4) for w in DEFAULT_PARAMETERS]
    made = make_scheduler(parameters=mine, desired_retention=0.85,
                          learning_steps=[timedelta(minutes=5)], relearning_steps=(),
                          maximum_interval=100, enable_fuzzing=False)
    assert made.parameters == tuple(mine) and made.desired_retention == 0.85
    assert made.learning_steps == (timedelta(minutes=5),) and made.relearning_steps == ()
    assert made.maximum_interval == 100 and made.enable_fuzzing is False
    assert scheduler_for(mine).parameters == tuple(mine)


def test_clamping_moves_parameters_inside_the_bounds():
    assert clamp_parameters(DEFAULT_PARAMETERS) == list(DEFAULT_PARAMETERS)
    assert clamp_parameters(TOO_HIGH)[-1] == UPPER_BOUNDS_PARAMETERS[-1]
    Scheduler(parameters=clamp_parameters([1e9] * FSRS_PARAMETER_COUNT))  # accepted


def test_config_checks_the_shape_with_the_library_wording():
    assert FSRS_PARAMETER_COUNT == len(DEFAULT_PARAMETERS)
    with pytest.raises(ValueError) as library:
        Scheduler(parameters=[1.0, 2.0])
    with pytest.raises(ValueError, match="Expected 21 parameters, got 2") as ours:
        Settings(fsrs_parameters=[1.0, 2.0])
    assert str(library.value) in str(ours.value)
    with pytest.raises(ValueError, match="finite"):
        Settings(fsrs_parameters=[float("nan"), *DEFAULT_PARAMETERS[1:]])
    assert Settings(fsrs_parameters=TOO_HIGH).fsrs_parameters == TOO_HIGH  # bounds: below


def test_out_of_bounds_parameters_name_their_source(tmp_path: Path, monkeypatch):
    with pytest.raises(ValueError) as library:
        Scheduler(parameters=TOO_HIGH)
    message = " ".join(str(library.value).split())  # the library's, in one line
    settings = Settings(home=tmp_path, fsrs_parameters=TOO_HIGH)
    with pytest.raises(ConfigError) as where:
        check_settings(settings)
    assert str(where.value) == (f"invalid settings: fsrs-parameters: {message} "
                                f"(got {TOO_HIGH!r})")
    (tmp_path / "config.toml").write_text(
        f"new-per-day = 5\nfsrs-parameters = {TOO_HIGH}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^invalid settings: {tmp_path}/config.toml:2: "
                                          r"fsrs-parameters: One or more parameters are out"):
        memory_model(settings)
    monkeypatch.setenv("TRAINER_FSRS_PARAMETERS", str(TOO_HIGH))
    with pytest.raises(ConfigError, match="^invalid settings: TRAINER_FSRS_PARAMETERS: "):
        check_settings(settings)
    good = Settings(home=tmp_path, fsrs_parameters=list(DEFAULT_PARAMETERS))
    assert check_settings(good) is good
    assert memory_model(good).scheduler.parameters == tuple(DEFAULT_PARAMETERS)


def test_the_command_line_refuses_out_of_bounds_parameters_in_one_line(capsys):
    home = Path(os.environ["TRAINER_HOME"])  # the private home of tests/conftest.py
    assert main(["config", "set", "fsrs-parameters", str(TOO_HIGH)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trainer: fsrs-parameters: One or more parameters are out of "
                          "bounds: parameters[20]") and err.count("\n") == 1
    assert not (home / "config.toml").exists()
    (home / "config.toml").write_text(f"fsrs-parameters = {TOO_HIGH}\n", encoding="utf-8")
    assert main(["paths"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"trainer: invalid settings: {home / 'config.toml'}:1: "
                          "fsrs-parameters: One or more parameters are out of bounds")
    assert err.count("\n") == 1


@pytest.mark.parametrize("guarded", [
    require_utc, stamp, lambda moment: free_name(Path("/nowhere"), "auto", moment),
    lambda moment: MemoryModel().preview(FsrsCard(card_id=1, due=NOW), moment),
])
def test_naive_datetimes_are_refused_with_one_message(guarded):
    with pytest.raises(ValueError, match=r"^naive datetime .*: pass a timezone-aware "
                                         r"datetime$"):
        guarded(datetime(2026, 1, 1, 12))


def test_aware_moments_come_back_in_utc():
    east = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=8)))
    assert require_utc(east) == datetime(2026, 1, 1, 4, tzinfo=UTC)
    assert require_utc(east).tzinfo is UTC
