"""The command line, run in-process (and once as a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from trainer.cli.main import main


def test_cards_json_lists_the_bilingual_deck(capsys):
    assert main(["cards", "--json"]) == 0
    cards = json.loads(capsys.readouterr().out)
    by_topic = defaultdict(int)
    for card in cards:
        assert set(card) == {"id", "deck", "topic", "tags", "languages", "kind"}
        assert card["languages"] == ["en", "zh"]
        by_topic[card["topic"]] += card["kind"] == "basic"
    assert sum(by_topic.values()) >= 60
    assert len(by_topic) >= 20 and min(by_topic.values()) >= 4
    exercises = [c for c in cards if c["kind"] == "exercise"]
    assert len(exercises) >= 30 and {c["topic"] for c in exercises} <= set(by_topic)


def test_check_content_is_clean(capsys):
    content = Path(__file__).resolve().parent.parent / "content"
    assert main(["check", str(content)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 error(s)" in captured.err


def test_check_reports_path_line_and_exits_1(tmp_path: Path, capsys):
    (tmp_path / "good.md").write_text("## Q {#q}\n\nA\n", encoding="utf-8")
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntopic: [x\n---\n\n## Q {#q}\n\nA\n", encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{broken}:2:1: error: front matter is not valid YAML")


def test_check_json_and_missing_path(tmp_path: Path, capsys):
    (tmp_path / "card.md").write_text("## No answer {#n}\n", encoding="utf-8")
    assert main(["check", "--json", str(tmp_path), str(tmp_path / "nope")]) == 1
    problems = json.loads(capsys.readouterr().out)
    assert [(Path(p["path"]).name, p["line"], p["severity"]) for p in problems] == [
        ("nope", 1, "error"), ("card.md", 1, "error")]


def test_bad_database_is_one_line_exit_2_and_untouched(tmp_path: Path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n", encoding="utf-8")
    assert main(["--db", str(path), "practice"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "not an SQLite database" in err
    assert path.read_text(encoding="utf-8") == "not a database\n"


def test_bad_config_file_is_reported(tmp_path: Path, capsys):
    (tmp_path / "config.toml").write_text("language = [\n", encoding="utf-8")
    assert main(["--home", str(tmp_path), "cards"]) == 2
    assert "config.toml: not valid TOML" in capsys.readouterr().err
    (tmp_path / "config.toml").write_text('language = "fr"\n', encoding="utf-8")
    assert main(["--home", str(tmp_path), "cards"]) == 2
    assert "invalid settings" in capsys.readouterr().err


def test_paths_follow_home_db_and_environment(tmp_path: Path, capsys, monkeypatch):
    assert main(["--home", str(tmp_path), "paths"]) == 0
    assert f"database  {tmp_path / 'trainer.sqlite3'}" in capsys.readouterr().out
    monkeypatch.setenv("TRAINER_DB", str(tmp_path / "elsewhere.db"))
    assert main(["paths"]) == 0
    assert f"database  {tmp_path / 'elsewhere.db'}" in capsys.readouterr().out
    assert main(["paths", "--db", str(tmp_path / "flag.db")]) == 0
    assert f"database  {tmp_path / 'flag.db'}" in capsys.readouterr().out


def test_unknown_topic_is_refused(tmp_path: Path, capsys):
    assert main(["--home", str(tmp_path), "--topic", "nope"]) == 2
    assert "no topic or group 'nope'" in capsys.readouterr().err


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "trainer", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("trainer ")


def test_solve_builtin_networks(capsys):
    assert main(["solve", "--net", "vgg16", "--json"]) == 0
    vgg = json.loads(capsys.readouterr().out)
    assert vgg["total_params"] == 138_357_544
    pools = [layer for layer in vgg["layers"] if layer["type"] == "maxpool2d"]
    assert pools[-1]["receptive_field"] == [212, 212]
    assert main(["solve", "--net", "resnet18", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_params"] == 11_689_512


def test_solve_spec_file_and_errors(tmp_path: Path, capsys):
    spec = Path(__file__).resolve().parent.parent / "data" / "networks" / "tiny_resnet.yaml"
    assert main(["solve", str(spec)]) == 0
    assert "params" in capsys.readouterr().out
    assert main(["solve"]) == 2
    assert "spec file or --net" in capsys.readouterr().err
    assert main(["solve", "--net", "nope"]) == 2
    assert "unknown network 'nope'" in capsys.readouterr().err
    broken = tmp_path / "net.yaml"
    broken.write_text("input: [3, 32, 32]\nlayers:\n  - conv2d: {out_channels: 8, kernel: 0}\n",
                      encoding="utf-8")
    assert main(["solve", str(broken)]) == 2
    assert f"{broken}:" in capsys.readouterr().err


def test_exercise_list_and_pose(capsys):
    assert main(["exercise", "--list", "--json"]) == 0
    families = json.loads(capsys.readouterr().out)
    assert len(families) >= 10
    name = families[0]["name"]
    assert main(["exercise", name, "--level", "2", "--seed", "7", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["family"], first["level"], first["seed"]) == (name, 2, 7)
    assert {"params", "prompt", "expected", "solution", "answer"} <= set(first)
    assert main(["exercise", name, "--level", "2", "--seed", "7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == first  # same seed, same instance
    assert main(["exercise", name, "--level", "2", "--params", json.dumps(first["params"]),
                 "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["expected"] == first["expected"] and again["seed"] is None
    assert main(["exercise", name, "--seed", "3", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{name} · level 1 · seed 3") and "答案：" in out
    assert "Answer" not in out  # the label follows the language
    assert "```" not in out and "**" not in out  # rendered, not raw markdown (piped: plain)


def test_exercise_answer_checks_as_the_app_does(capsys):
    assert main(["exercise", "conv-output-size", "--seed", "3", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)["answer"]
    assert main(["exercise", "conv-output-size", "--seed", "3", "--answer", answer]) == 0
    assert capsys.readouterr().out.startswith("Correct")
    wrong = " x ".join(str(int(v) + 1) for v in answer.split(" × "))
    assert main(["exercise", "conv-output-size", "--seed", "3", "--answer", wrong]) == 1
    assert capsys.readouterr().out.startswith("Not quite")
    assert main(["exercise", "conv-output-size", "--seed", "3", "--answer", "banana",
                 "--json"]) == 2
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["verdict"] == "unreadable" and "could not read 'banana'" in verdict["message"]
    assert main(["exercise", "conv-output-size", "--seed", "3", "--answer", "14"]) == 2
    assert "the answer has 2" in capsys.readouterr().out  # a shorthand: asked, not graded


def test_exercise_params_and_seed_errors_say_what_is_wanted(capsys):
    assert main(["exercise", "conv-params", "--params", '{"kernel": 0}']) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "full parameter set, e.g. --params '{" in err
    assert main(["exercise", "conv-params", "--seed", "-1"]) == 2
    assert "--seed -1: a whole number from 0" in capsys.readouterr().err


def test_exercise_errors(capsys):
    assert main(["exercise", "no-such-family"]) == 2
    assert "no exercise family 'no-such-family'" in capsys.readouterr().err
    assert main(["exercise", "conv-output-size", "--params", "{not json"]) == 2
    assert "--params is not valid JSON" in capsys.readouterr().err
    assert main(["exercise", "conv-output-size", "--params", "[1, 2]"]) == 2
    assert "must be a JSON object" in capsys.readouterr().err
    assert main(["exercise", "conv-output-size", "--params", '{"nonsense": 1}']) == 2
    assert "invalid exercise parameters" in capsys.readouterr().err


def test_garbage_collection_is_off_only_while_a_command_starts(tmp_path: Path, monkeypatch):
    """cli.main turns collection off for start-up; a plain command gets it back before it
    runs, an app command when the app has mounted, and every command when it ends."""
    import gc

    from trainer.cli import main as cli

    seen = {}

    def paths(settings, args):
        seen["paths"] = gc.isenabled()
        return 0

    monkeypatch.setattr(cli, "_paths", paths)
    assert main(["--home", str(tmp_path), "paths"]) == 0
    assert seen["paths"] is True and gc.isenabled()
    # An app command whose start fails (no such topic) still leaves collection on.
    home = tmp_path / "h"
    assert main(["--home", str(home), "--topic", "no-such-topic"]) == 2
    assert gc.isenabled()


async def test_the_app_turns_collection_back_on_when_it_mounts(tiny_settings):
    import gc

    from tests.helpers import NOW, open_study
    from trainer.tui.app import make_app

    study = open_study(tiny_settings)
    gc.disable()  # as cli.main leaves it for the app
    try:
        app = make_app(tiny_settings, study, clock=lambda: NOW, start_practice=False)
        async with app.run_test(size=(100, 30)):
            assert gc.isenabled()
    finally:
        gc.enable()


def test_the_trainer_command_starts_through_the_launcher(tmp_path: Path, monkeypatch, capsys):
    """The console script (trainer.cli.launch:main) turns collection off before the command
    line is imported; the command runs and collection is back on when it returns."""
    import gc

    from trainer.cli import launch

    monkeypatch.setattr(sys, "argv", ["trainer", "--home", str(tmp_path), "paths"])
    assert launch.main() == 0
    assert str(tmp_path) in capsys.readouterr().out and gc.isenabled()
