"""The command line: ``trainer`` (practice), ``trainer cards``, ``trainer check``.

Errors a user can fix are one line on stderr and exit status 2; ``check`` exits 1 when a
deck has errors. The Textual app is imported only by the commands that run it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

import trainer.cli.interchange as cli_interchange
from trainer import __version__
from trainer.cli import authoring as cli_authoring
from trainer.cli import progress as cli_progress
from trainer.cli import restore as cli_restore
from trainer.cli import settings as cli_settings
from trainer.cli.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from trainer.cli.errors import fail as _fail
from trainer.cli.session import practice
from trainer.config.settings import ConfigError, Settings, load_settings


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options every command takes, before or after its name (``trainer --db X cards``)."""
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False, argument_default=default)
    common.add_argument("--db", type=Path, help="database file (env TRAINER_DB)")
    common.add_argument("--home", type=Path,
                        help="folder for database, decks and config (env TRAINER_HOME)")
    common.add_argument("--decks", type=Path, action="append",
                        help="an extra folder of markdown decks (repeatable)")
    common.add_argument("--lang", choices=["en", "zh"],
                        help="card language (env TRAINER_LANGUAGE)")
    common.add_argument("--topic",
                        help="practise only this topic or group of topics (see 'trainer cards'"
                             "; groups: cnn-basics, training, transformers, evaluation)")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trainer",
        description="Spaced-repetition practice for deep-learning interviews.",
        epilog="Run 'trainer' alone to practise. 'trainer paths' shows where progress, "
               "decks and config live.",
        parents=[_common(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"trainer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub = [_common(suppress=True)]
    commands.add_parser("practice", parents=sub, help="practise (the default)")
    cards = commands.add_parser("cards", parents=sub, help="list every card")
    cards.add_argument("--json", action="store_true", help="machine-readable output")
    check = commands.add_parser(
        "check", parents=sub,
        help="validate deck files: path:line:col: message, exit 1 on errors")
    check.add_argument("paths", nargs="*", type=Path,
                       help="files or folders (default: the built-in deck and your decks)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    commands.add_parser("paths", parents=sub, help="where progress, decks and config live")
    exercise = commands.add_parser(
        "exercise", parents=sub, help="pose a numeric exercise (or --list the families)")
    exercise.add_argument("family", nargs="?", help="the family name (see --list)")
    exercise.add_argument("--list", action="store_true", help="list the exercise families")
    exercise.add_argument("--level", type=int, default=1, choices=[1, 2, 3])
    exercise.add_argument("--seed", type=int, help="the instance's seed (default: random)")
    exercise.add_argument("--params",
                          help="pose this exact instance: a JSON object with every parameter "
                               "of the family (e.g. trainer exercise conv-params --seed 0 "
                               "--json shows one)")
    exercise.add_argument("--answer",
                          help="check this answer against the instance: exit 0 correct, 1 "
                               "wrong, 2 unreadable")
    exercise.add_argument("--json", action="store_true", help="machine-readable output")
    from trainer.cli import transformer as cli_transformer

    solve = commands.add_parser(
        "solve", parents=sub,
        help="per-layer shapes, receptive field, params and MACs of a network; params, KV "
             "cache, FLOPs and training memory of a Transformer")
    solve.add_argument("spec", nargs="?", help="a network spec file (docs/network-spec.md)")
    solve.add_argument("--net", help="a built-in network: alexnet, vgg16, resnet18, resnet50, "
                                     f"mobilenet_v2; {cli_transformer.TRANSFORMER_NETS}")
    solve.add_argument("--input", help="input shape C,H,W (default: the spec's, else 3,224,224)")
    solve.add_argument("--json", action="store_true", help="machine-readable output")
    cli_transformer.add_arguments(solve)  # --context, --batch, --dtype
    backup = commands.add_parser(
        "backup", parents=sub,
        help="write a consistent copy of the database (default: <home>/backups/"
             "trainer-YYYYMMDD-HHMMSS.sqlite3, UTC)")
    backup.add_argument("path", nargs="?",
                        help="a new file, or a folder to put the copy in (a trailing / "
                             "makes a missing folder)")
    restore = commands.add_parser(
        "restore", parents=sub,
        help="put a backup back in place of the database (without BACKUP: list them and "
             "ask); the replaced file is kept in the backups folder")
    restore.add_argument("backup", nargs="?", type=Path,
                         help="the backup file (a path, or a name in <home>/backups)")
    restore.add_argument("--yes", action="store_true",
                         help="do not ask for confirmation when BACKUP is named")
    cli_settings.add_parsers(commands, sub)  # config, interview, optimize
    cli_progress.add_parsers(commands, sub)  # stats, review [--missed]
    cli_authoring.add_parsers(commands, sub)  # add, import
    cli_interchange.add_parsers(commands, sub)  # serve, export (import reviews: import)
    return parser


# Commands that run the app: garbage collection stays off until it has mounted.
APP_COMMANDS = frozenset({"practice", "review"})


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates what lives as long as the process (modules, classes, the deck):
    # collections during it find nothing (docs/performance.md has the cost). The app turns
    # collection back on once it has mounted (TrainerApp.on_mount, after freezing what
    # start-up built); any other command as soon as its arguments are read.
    gc.disable()
    try:
        return _run(argv)
    finally:
        gc.enable()


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    _usable_local_time()
    try:
        settings = load_settings(home=args.home, db=args.db, language=args.lang,
                                 decks=args.decks)
        if settings.fsrs_parameters:  # their bounds are the scheduler's to check
            from trainer.app.memory import check_settings

            check_settings(settings)
    except ConfigError as exc:
        return _fail(str(exc))
    command = args.command or "practice"
    handler = {"practice": practice, "cards": _cards, "check": _check, "paths": _paths,
               "exercise": _exercise, "solve": _solve, "backup": _backup,
               "restore": cli_restore.restore_command,
               **cli_settings.HANDLERS, **cli_progress.HANDLERS,
               **cli_authoring.HANDLERS, **cli_interchange.HANDLERS}
    if command not in APP_COMMANDS:
        gc.enable()
    from trainer.app.errors import StoreError

    try:
        return handler[command](settings, args)
    except StoreError as exc:  # whichever command met it: the one line it carries
        return _fail(str(exc))
    except BrokenPipeError:  # `trainer cards | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _usable_local_time() -> None:
    """Fall back to UTC, with a warning, when the system's local time zone cannot be
    used: ``TZ=UTC-25`` (an offset of 24 h or more) makes every local-time conversion
    raise, in the study day, the statistics and the app alike."""
    from datetime import datetime

    try:
        datetime.now().astimezone()
    except (ValueError, OverflowError) as exc:
        import time

        print(f"trainer: warning: the local time zone (TZ={os.environ.get('TZ', '')!r}) "
              f"cannot be used ({exc}); using UTC", file=sys.stderr)
        os.environ["TZ"] = "UTC"
        time.tzset()


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.backups import backup
    from trainer.app.errors import StoreError

    try:
        target = backup(settings, args.path)
    except StoreError as exc:
        return _fail(str(exc))
    print(target)
    return EXIT_OK


def _load_deck(settings: Settings):
    from trainer.app.deck_check import load_deck

    return load_deck(settings)


def _cards(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.exercise_cards import with_exercises

    deck = _load_deck(settings)
    if settings.exercises:
        deck = with_exercises(deck)
    rows = [
        {"id": c.key, "deck": c.deck, "topic": c.topic, "tags": c.tags,
         "languages": sorted(c.texts), "kind": c.kind}
        for c in deck.cards.values()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print(f"{'id':<40} {'topic':<22} {'kind':<9} {'languages':<9} tags")
        for row in rows:
            print(f"{row['id']:<40} {row['topic']:<22} {row['kind']:<9} "
                  f"{','.join(row['languages']):<9} {','.join(row['tags'])}".rstrip())
        print(f"{len(rows)} cards", file=sys.stderr)
    for problem in deck.problems:
        print(problem.format(), file=sys.stderr)
    return EXIT_OK


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.deck_check import check_decks

    deck, problems, files = check_decks(settings, args.paths)
    errors = sum(1 for p in problems if p.severity == "error")
    if args.json:
        print(json.dumps([p.model_dump() for p in problems], ensure_ascii=False, indent=1))
    else:
        for problem in problems:
            print(problem.format())
        warnings = len(problems) - errors
        print(f"{len(deck.cards)} cards checked from {files} path(s): {errors} error(s), "
              f"{warnings} warning(s)", file=sys.stderr)
    return EXIT_PROBLEMS if errors else EXIT_OK


def _exercise(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.exercises import exercise_families, pose_exercise

    if args.list or not args.family:
        families = exercise_families()
        if args.json:
            print(json.dumps([f.model_dump() for f in families], ensure_ascii=False, indent=1))
        else:
            for f in families:
                print(f"{f.name:<28} {f.topic:<22} {f.title.get('en', '')}")
            if not args.list:
                print("\nPose one with: trainer exercise FAMILY [--level 1-3] [--seed N]",
                      file=sys.stderr)
        return EXIT_OK
    try:
        params = json.loads(args.params) if args.params else None
    except json.JSONDecodeError as exc:
        return _fail(f"--params is not valid JSON: {exc}")
    if params is not None and not isinstance(params, dict):
        return _fail("--params must be a JSON object, e.g. '{\"size\": 32}'")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        return _fail(f"--seed {args.seed}: a whole number from 0 to 2^63 - 1")
    try:
        instance = pose_exercise(args.family, args.level, args.seed, params)
    except KeyError as exc:
        return _fail(str(exc.args[0]))
    except (ValueError, TypeError) as exc:
        if params is None:
            return _fail(f"invalid exercise parameters: {exc}")
        from trainer.app.exercises import example_params

        example = json.dumps(example_params(args.family, args.level), separators=(",", ":"))
        return _fail(f"invalid exercise parameters: {exc}; --params takes the family's full "
                     f"parameter set, e.g. --params '{example}'")
    if args.answer is not None:
        return _verdict(instance, args.answer, args.json)
    if args.json:
        data = instance.model_dump(mode="json")
        data["answer"] = instance.expected.display()
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return EXIT_OK
    lang = settings.language if settings.language in instance.prompt else "en"
    seed = f"seed {instance.seed}" if instance.seed is not None else "given parameters"
    label = {"en": "Answer:", "zh": "答案："}[lang]
    answer = instance.expected.display()
    if "\n" in answer:  # a matrix: as a grid
        answer = "\n\n```\n" + answer + "\n```"
    _print_markdown(f"{instance.family} · level {instance.level} · {seed}\n\n"
                    f"{instance.prompt[lang]}\n\n**{label}** {answer}\n\n"
                    f"{instance.solution[lang]}")
    return EXIT_OK


def _print_markdown(markdown: str) -> None:
    """Markdown as Rich renders it (formulas as Unicode): styled on a terminal, plain text
    without escape codes when piped (Rich sees no terminal)."""
    from rich.console import Console
    from rich.markdown import Markdown

    from trainer.app.study import render_markdown

    console = Console()
    with console.capture() as captured:
        console.print(Markdown(render_markdown(markdown)))
    print("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _verdict(instance, typed: str, as_json: bool) -> int:
    """What the app would say of ``typed``: exit 0 correct, 1 wrong, 2 unreadable."""
    from trainer.app.exercises import check_exercise

    result = check_exercise(instance, typed)
    verdict = {True: "correct", False: "wrong", None: "unreadable"}[result.correct]
    if as_json:
        print(json.dumps({"verdict": verdict, "message": result.message,
                          "parsed": result.parsed, "answer": instance.expected.display(),
                          "family": instance.family, "level": instance.level,
                          "seed": instance.seed}, ensure_ascii=False, indent=1))
    else:
        print(result.message if result.correct is not None else f"unreadable: {result.message}")
    return {True: EXIT_OK, False: EXIT_PROBLEMS, None: EXIT_USAGE}[result.correct]


def _solve(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.networks import analyze_network, cnn_table

    if bool(args.spec) == bool(args.net):
        return _fail("solve needs a spec file or --net NAME (one of them)")
    if args.spec and not Path(args.spec).exists():
        return _fail(f"{args.spec}: no such file")
    from trainer.cli import transformer as cli_transformer

    status = cli_transformer.solve(args)  # None: not a Transformer but a CNN
    if status is not None:
        return status
    shape = None
    if args.input:
        try:
            shape = tuple(int(v) for v in args.input.replace("x", ",").split(","))
        except ValueError:
            return _fail(f"--input {args.input!r}: expected C,H,W such as 3,224,224")
    target = args.net or args.spec
    try:
        analysis = analyze_network(target, shape)
    except ValueError as exc:
        return _fail(str(exc))
    if args.json:
        print(analysis.to_json(indent=1))
        return EXIT_OK
    print(cnn_table(analysis))
    return EXIT_OK


def _paths(settings: Settings, args: argparse.Namespace) -> int:
    print(f"home      {settings.home}")
    print(f"database  {settings.db_path}")
    print(f"config    {settings.config_path}")
    for folder in settings.deck_dirs:
        print(f"decks     {folder}")
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
