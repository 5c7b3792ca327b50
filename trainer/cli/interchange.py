"""``trainer serve``, ``trainer export anki|reviews|deck`` and ``trainer import reviews``
(registered by ``trainer.cli.main``; ``import reviews`` is reached through ``trainer import``,
see ``cli_authoring``).

- ``trainer serve [--host 127.0.0.1] [--port 8000] [--token-required]``: the app in a
  browser (``trainer.cli.serve``); any address but loopback needs the printed token.
- ``trainer export anki OUT.apkg [--topic SLUG | --group NAME] [--lang en|zh|both]
  [--exercises N]``: an Anki package (``trainer.app.interchange.anki``).
- ``trainer export reviews OUT.csv [--format fsrs|anki-revlog]`` and ``trainer import
  reviews FILE.csv``: the review history (``trainer.app.interchange.reviews``).
- ``trainer export deck OUT/ [--topic SLUG]``: the built-in deck's markdown files.

A bad path or file is one line, ``trainer: path: what is wrong``, exit status 2, and
nothing is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from trainer.cli.errors import EXIT_OK
from trainer.cli.errors import fail as _fail
from trainer.config.settings import Settings

DEFAULT_PORT = 8000


def _export_common() -> argparse.ArgumentParser:
    """The options every command takes, less ``--lang`` (``export anki`` has its own,
    with ``both``)."""
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--db", type=Path, help="database file (env TRAINER_DB)")
    common.add_argument("--home", type=Path,
                        help="folder for database, decks and config (env TRAINER_HOME)")
    common.add_argument("--decks", type=Path, action="append",
                        help="an extra folder of markdown decks (repeatable)")
    return common


def add_parsers(commands, parents: list[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser(
        "serve", parents=parents,
        help="the app in a browser (a tab per session, all on your database); "
             "127.0.0.1 by default, a printed token for any other address")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; "
                            "0.0.0.0: every network, with a token)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"port (default {DEFAULT_PORT})")
    serve.add_argument("--token-required", action="store_true",
                       help="require the token on 127.0.0.1 too (e.g. behind a TLS proxy)")
    export = commands.add_parser(
        "export", parents=parents,
        help="the deck as an Anki package, the review history as CSV, the built-in deck "
             "as markdown")
    kinds = export.add_subparsers(dest="export_kind", metavar="KIND", required=True)
    anki = kinds.add_parser(
        "anki", parents=[_export_common()],
        help="an Anki package (.apkg): Basic and Cloze notes, MathJax formulas, frozen "
             "exercise instances; re-importing updates the notes")
    anki.add_argument("out", type=Path, metavar="OUT.apkg")
    which = anki.add_mutually_exclusive_group()
    which.add_argument("--topic", default=argparse.SUPPRESS,
                       help="only this topic (see 'trainer cards')")
    which.add_argument("--group", metavar="GROUP",
                       help="only this group's topics (cnn-basics, training, ...; mine: "
                            "your own decks' topics)")
    anki.add_argument("--lang", dest="anki_lang", choices=["en", "zh", "both"],
                      help="language of the notes (default: your language setting)")
    anki.add_argument("--exercises", type=int, default=3, metavar="N",
                      help="frozen instances per exercise card, 0 to 100 (default 3)")
    reviews = kinds.add_parser(
        "reviews", parents=parents,
        help="every review as CSV, in the FSRS optimizer's columns (or Anki's revlog)")
    reviews.add_argument("out", type=Path, metavar="OUT.csv")
    reviews.add_argument("--format", dest="review_format", choices=["fsrs", "anki-revlog"],
                         default="fsrs", help="column layout (default fsrs)")
    deck = kinds.add_parser(
        "deck", parents=parents,
        help="the built-in deck (or one --topic) as markdown files, to edit your own copy")
    deck.add_argument("out", type=Path, metavar="OUT/", help="a new or empty folder")


# -- trainer serve ----------------------------------------------------------------------------
def serve_command(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.cli.serve import TrainerServer, app_command, is_loopback, new_token

    if not 1 <= args.port <= 65535:
        return _fail(f"--port {args.port}: give a port from 1 to 65535")
    from trainer.app.database import prepare

    # Open (create or migrate) the database once here: the tabs' processes then start on
    # an up-to-date file, and a database that cannot be used is reported before serving.
    prepare(settings)
    token = new_token() if args.token_required or not is_loopback(args.host) else None
    forwarded = ["--home", str(settings.home), "--db", str(settings.db_path)]
    for folder in getattr(args, "decks", None) or []:
        forwarded += ["--decks", str(folder)]
    if args.lang:
        forwarded += ["--lang", args.lang]
    if args.topic:
        forwarded += ["--topic", args.topic]

    def ready(server: TrainerServer) -> None:
        urls = server.urls()
        print(f"trainer serve: open {urls[0]}", flush=True)
        for url in urls[1:]:
            print(f"               or {url}", flush=True)
        if token is not None:
            print("Anyone with this URL can study (and grade) on your database. Plain "
                  "HTTP: use a trusted network or a TLS proxy.", flush=True)
        print("Ctrl+C stops the server.", flush=True)

    server = TrainerServer(app_command(forwarded), host=args.host, port=args.port,
                           token=token, on_ready=ready)
    try:
        server.serve()
    except OSError as exc:  # aiohttp's own message is long: the system's is enough
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        return _fail(f"{args.host}:{args.port}: cannot listen ({reason})")
    return EXIT_OK


# -- trainer export ---------------------------------------------------------------------------
def export_command(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.interchange.files import OutputError

    handler = {"anki": _export_anki, "reviews": _export_reviews, "deck": _export_deck}
    try:
        return handler[args.export_kind](settings, args)
    except OutputError as exc:
        return _fail(str(exc))


def _export_anki(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.interchange.anki import export_anki, load_export_deck, topic_set
    from trainer.app.interchange.files import check_new_file

    check_new_file(args.out, ".apkg")  # before the deck is read
    deck = load_export_deck(settings)
    errors = [p for p in deck.problems if p.severity == "error"]
    if errors:
        print(f"trainer: warning: {len(errors)} deck error(s), their files are left out "
              f"(first: {errors[0].format()}; see 'trainer check')", file=sys.stderr)
    topics = topic_set(deck, getattr(args, "topic", None), args.group)
    result = export_anki(deck, args.out, topics=topics,
                         lang=args.anki_lang or settings.language, exercises=args.exercises)
    print(f"{result.path}: {result.basic} basic, {result.cloze} cloze and {result.exercise} "
          f"exercise notes in {len(result.topics)} topic deck(s)")
    return EXIT_OK


def _export_reviews(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.database import reader as open_reader
    from trainer.app.interchange.files import check_new_file
    from trainer.app.interchange.reviews import export_reviews

    check_new_file(args.out, ".csv")  # before the database is opened
    reader = open_reader(settings)
    try:
        count = export_reviews(reader, args.out, args.review_format)
    finally:
        reader.close()
    print(f"{args.out}: {count} review(s), {args.review_format} layout")
    return EXIT_OK


def _export_deck(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.interchange.deck_files import export_deck

    written = export_deck(args.out, getattr(args, "topic", None))
    print(f"{args.out}: {len(written)} markdown file(s) of the built-in deck")
    return EXIT_OK


# -- trainer import reviews -------------------------------------------------------------------
def import_reviews_command(settings: Settings, args: argparse.Namespace) -> int:
    """``trainer import reviews FILE.csv`` (dispatched by ``trainer import``)."""
    from trainer.app.interchange.reviews import ReviewFileError, import_reviews

    try:
        result = import_reviews(settings, args.file)
    except ReviewFileError as exc:
        return _fail(str(exc))
    print(f"{args.file}: {result.added} review(s) added, {result.read - result.added} "
          f"already there; {result.rescheduled} card(s) rescheduled"
          + (f", {result.new_cards} card(s) in no deck kept retired" if result.new_cards
             else "")
          + (f", {result.skipped} row(s) that are not answers skipped" if result.skipped
             else ""))
    return EXIT_OK


HANDLERS = {"serve": serve_command, "export": export_command}
