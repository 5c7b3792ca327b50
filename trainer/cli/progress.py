"""The ``stats`` and ``review`` commands (registered by ``trainer.cli.main``).

``trainer stats [--json]`` reads the database only (no decks are loaded, so it answers
quickly; cards are named by their keys). ``trainer review --missed [--since 7d]`` drills
the cards graded Again or answered wrong in the window, in the app; ``--list`` prints them
instead. Drills are logged but never change the schedule (see ``trainer.app.progress``).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from trainer.cli import session
from trainer.cli.errors import EXIT_OK, EXIT_USAGE
from trainer.cli.errors import fail as _fail
from trainer.cli.session import open_study, practice, run_app
from trainer.config.settings import Settings

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def add_parsers(commands, parents: list[argparse.ArgumentParser]) -> None:
    stats = commands.add_parser(
        "stats", parents=parents,
        help="reviews per day, true retention, due forecast, mastery per topic, weakest "
             "cards, time studied")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    review = commands.add_parser(
        "review", parents=parents,
        help="practise (as 'trainer'); with --missed, review the cards you got wrong")
    review.add_argument("--missed", action="store_true",
                        help="the cards graded Again or answered wrong, most recent first "
                             "(extra practice: the schedule is not changed)")
    review.add_argument("--since", default="7d",
                        help="window for --missed: 7d, 24h, 2w or all (default 7d)")
    review.add_argument("--list", action="store_true",
                        help="with --missed: print the cards instead of opening the app")
    review.add_argument("--json", action="store_true", help="with --list: machine-readable")


# -- trainer stats -------------------------------------------------------------------------
def stats_command(settings: Settings, args: argparse.Namespace) -> int:
    from trainer.app.errors import StoreError
    from trainer.app.progress import ProgressTracker

    try:
        tracker = ProgressTracker.open(settings)
    except StoreError as exc:
        return _fail(str(exc))
    try:
        stats = tracker.stats(datetime.now(UTC))
    finally:
        tracker.close()
    if args.json:
        print(stats.model_dump_json(indent=1))
    else:
        print(format_stats(stats))
    return EXIT_OK


def format_stats(stats) -> str:
    """The statistics as text, with block-character charts."""
    from trainer.app.charts import HEAT, hbar, heat_levels, vbars
    from trainer.app.formatting import count_of, format_duration, format_percent

    t = stats.time
    lines = [
        f"Today {stats.today:%a %d %b %Y} · {count_of(stats.reviews_today, 'review')} · "
        f"streak {count_of(stats.streak_days, 'day')}",
        f"Time studied: today {format_duration(t.today_seconds)} · 7 days "
        f"{format_duration(t.week_seconds)} · 30 days {format_duration(t.month_seconds)}",
        "", f"Reviews per day, {len(stats.heatmap) // 7} weeks "
            f"({count_of(sum(d.reviews for d in stats.heatmap), 'review')})",
    ]
    levels = heat_levels([d.reviews for d in stats.heatmap])
    for weekday in range(7):
        cells = [" " if stats.heatmap[i].future else HEAT[levels[i]]
                 for i in range(weekday, len(stats.heatmap), 7)]
        lines.append(f"  {_WEEKDAYS[weekday]} {''.join(cells)}")
    lines.append(f"      less {' '.join(HEAT)} more")
    lines += ["", "True retention      young (<21d)     mature (≥21d)    all"]
    for w in stats.retention:
        lines.append(
            f"  {w.days:>2} days     {format_percent(w.young):>5} of {w.young_reviews:<6}"
            f"  {format_percent(w.mature):>5} of {w.mature_reviews:<6}  "
            f"{format_percent(w.overall):>5}")
    due = [d.due for d in stats.forecast]
    lines += ["", f"Due in the next {len(due)} days: {sum(due)} (today {due[0] if due else 0},"
                  f" busiest day {max(due, default=0)})"]
    lines += [f"  │{row}" for row in vbars(due, 4)]
    lines.append("  └" + "".join("┬" if i % 7 == 0 else "─" for i in range(len(due))))
    lines += ["", "Mastery per topic (mean predicted recall now; unstudied cards count 0)"]
    width = max((len(m.title) for m in stats.mastery), default=0)
    for m in stats.mastery:
        lines.append(f"  {m.title:<{width}}  {hbar(m.mastery, 20)} {m.mastery:>4.0%}  "
                     f"{m.studied}/{m.cards} studied")
    if not stats.weakest and any(m.studied for m in stats.mastery):
        lines += ["", "Weakest cards: none yet (every studied card is still at 100 %)"]
    if stats.weakest:
        lines += ["", "Weakest cards (lowest predicted recall now)"]
        lines += [f"  {c.recall:>4.0%}  {c.key}  {c.title if c.title != c.key else ''}".rstrip()
                  for c in stats.weakest]
    lines += calibration_lines(stats.calibration)
    return "\n".join(lines)


def calibration_lines(calibration) -> list[str]:
    """Predicted against observed recall on the latest reviews, by bins of prediction."""
    from trainer.app.formatting import format_percent

    if calibration is None or not calibration.reviews:
        return ["", "Recall calibration: no review of a learned card yet"]
    lines = ["", f"Recall calibration, last {calibration.reviews:,} reviews of learned cards: "
                 f"FSRS predicted {format_percent(calibration.predicted)}, you recalled "
                 f"{format_percent(calibration.observed)}; interview mode plans with "
                 f"{calibration.stability_scale:.2f}x the stability",
             "  predicted     reviews  predicted  recalled"]
    for b in calibration.bins:
        if b.reviews:
            lines.append(f"  {b.low:>4.0%}-{b.high:<4.0%}  {b.reviews:>9,}  "
                         f"{format_percent(b.predicted):>9}  {format_percent(b.observed):>8}")
    return lines


# -- trainer review ------------------------------------------------------------------------
def review_command(settings: Settings, args: argparse.Namespace) -> int:
    if not args.missed:
        if args.list or args.json:
            return _fail("--list and --json go with --missed")
        return practice(settings, args)
    from trainer.app.formatting import in_window, parse_window
    from trainer.app.progress import ProgressTracker

    try:
        window = parse_window(args.since)
    except ValueError as exc:
        return _fail(f"--since {exc}")
    if (args.list or args.json) and not settings.db_path.exists():  # read-only: create nothing
        return _fail(f"{settings.db_path}: no database here yet (nothing studied); run "
                     "'trainer' to start, or point --db or TRAINER_DB at your database")
    study = open_study(settings)
    if study is None:
        return EXIT_USAGE
    missed = ProgressTracker.of(study).missed(datetime.now(UTC), window)
    if args.list or args.json:
        study.close()
        _print_missed(missed, args.json)
        return EXIT_OK
    if not missed:
        study.close()
        print(f"No missed cards {in_window(window)}.", file=sys.stderr)
        return EXIT_OK
    if (problem := session.needs_terminal()) is not None:  # one place, for the tests too
        study.close()
        return _fail(problem)
    return run_app(settings, study, start_practice=False, start_missed=True,
                   missed_window=window)


def _print_missed(missed, as_json: bool) -> None:
    if as_json:
        print(json.dumps([m.model_dump(mode="json") for m in missed], ensure_ascii=False,
                         indent=1))
        return
    for m in missed:
        when = m.last_missed.astimezone().strftime("%a %d %b %H:%M")
        typed = f"  (answered {m.answer!r})" if m.answer else ""
        times = f"{m.misses}×"
        print(f"{when}  {times:>3}  {m.key:<36} {m.title}{typed}")
    print(f"{len(missed)} missed card(s)", file=sys.stderr)


HANDLERS = {"stats": stats_command, "review": review_command}
