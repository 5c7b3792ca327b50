"""The SQLAlchemy models (``trainer/store/schema.py``) are the one description of the
schema: they must say exactly what the migrations build on the path the app takes at
start-up (``open_database``), and the store's plain SQL may name only what they describe.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

import trainer.store
from trainer.store import deck_sync, repository, review_log, stats_queries
from trainer.store.database import Database, open_database
from trainer.store.records import ACTIVE, STATE_COLUMNS
from trainer.store.schema import Base, CardRow
from trainer.store.stamps import parse_stamp, stamp

FIXTURE_0001 = Path(__file__).resolve().parent.parent / "fixtures" / "schema_0001.sqlite3"


@pytest.fixture(scope="module", params=["new", "from 0001"])
def migrated(request, tmp_path_factory) -> Iterator[Database]:
    """A database as ``open_database`` leaves it: created new, or upgraded from the first
    schema (the oldest file a user may have)."""
    path = tmp_path_factory.mktemp("schema") / "t.sqlite3"
    if request.param == "from 0001":
        path.write_bytes(FIXTURE_0001.read_bytes())
    db = open_database(path)
    yield db
    db.close()


def test_the_models_compare_equal_to_the_migrated_schema(migrated):
    """Alembic's own comparison: tables, columns (name, type, nullable), server defaults,
    indexes (name, columns, order) and foreign keys (with ON DELETE). On SQLite it does
    not compare a partial index's WHERE, unnamed UNIQUE constraints nor primary keys:
    the next test compares those."""
    with migrated.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True})
        assert compare_metadata(context, Base.metadata) == []


def _sqlite_schema(c: sqlite3.Connection) -> dict[str, tuple]:
    """Everything SQLite knows of each table, as its PRAGMAs report it: columns (order,
    type, NOT NULL, default, primary key), foreign keys, and every index (unique,
    origin, partial, columns, and its SQL: the WHERE of a partial index)."""
    def sql(text: str | None) -> str | None:
        return None if text is None else " ".join(text.replace('"', "").split())

    schema = {}
    for (table,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                              "NOT IN ('alembic_version', 'sqlite_sequence') ORDER BY name"):
        indexes = {}
        for _, name, unique, origin, partial in c.execute(f'PRAGMA index_list("{table}")'):
            (text,), = c.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,))
            columns = c.execute(f'PRAGMA index_xinfo("{name}")').fetchall()
            indexes[name] = (unique, origin, partial, columns, sql(text))
        schema[table] = (c.execute(f'PRAGMA table_info("{table}")').fetchall(),
                         c.execute(f'PRAGMA foreign_key_list("{table}")').fetchall(),
                         indexes)
    return schema


def test_what_alembic_does_not_compare_on_sqlite_is_equal_too(migrated):
    """The tables the models create (``create_all`` on an empty database) against the
    migrated file, PRAGMA by PRAGMA: partial indexes' WHERE, UNIQUE, primary keys and
    the column order (``SELECT *`` in the upgrade test reads by position)."""
    engine = create_engine("sqlite://")
    try:
        Base.metadata.create_all(engine)
        with engine.connect() as connection:
            expected = _sqlite_schema(connection.connection.dbapi_connection)
    finally:
        engine.dispose()
    with closing(sqlite3.connect(migrated.path)) as c:
        assert _sqlite_schema(c) == expected


# -- the plain SQL names only what the models describe ----------------------------------------
_NAMED = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+([A-Za-z_]\w*(?:\.\w+)?)(?=[\s(,)]|$)")
_NOT_MODELS = {
    "alembic_version": "Alembic's own table (database.py reads the revision)",
    "sqlite_master": "SQLite's catalogue",
    "temp.found_places": "deck_sync's temporary table",
    "temp.wanted_cards": "deck_sync's temporary table",
    "days": "a CTE of stats_queries",
    "m": "a CTE of stats_queries",
}
_SQL_WORDS = {"SET", "SELECT"}


def _sql_texts() -> Iterator[tuple[str, str]]:
    """(module, text) of every string literal in trainer/store/*.py but the models and the
    docstrings (the literal parts of f-strings included; adjacent literals come joined)."""
    for path in sorted(Path(trainer.store.__file__).parent.glob("*.py")):
        if path.name == "schema.py":  # the reference itself
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings):
                yield path.name, node.value


def test_the_tables_and_indexes_the_plain_sql_names_are_the_models():
    tables = set(Base.metadata.tables)
    indexes = {index.name for table in Base.metadata.tables.values() for index in table.indexes}
    named, hinted = set(), set()
    for module, text in _sql_texts():
        named |= {(module, name) for name in _NAMED.findall(text) if name not in _SQL_WORDS}
        if re.fullmatch(r"ix_\w+", text):  # an index for INDEXED BY (repository._cards)
            hinted.add((module, text))
    assert {"cards", "reviews", "card_sources", "deck_files"} <= {n for _, n in named}
    unknown = {(m, n) for m, n in named if n not in tables and n not in _NOT_MODELS}
    assert unknown == set()
    assert ("repository.py", "ix_cards_new") in hinted
    assert {(m, n) for m, n in hinted if n not in indexes} == set()


def _explain(c: sqlite3.Connection, sql: str) -> None:
    """Compile ``sql`` (EXPLAIN: nothing runs); every parameter bound to NULL."""
    names = dict.fromkeys(re.findall(r"(?<!:):(\w+)", sql))
    c.execute(f"EXPLAIN {sql}", names or (None,) * sql.count("?")).fetchall()


def test_the_stores_sql_constants_compile_on_the_migrated_schema(migrated):
    """The module-level SQL and column lists, compiled by SQLite on the migrated schema
    (which the tests above hold equal to the models): a column that is not there fails.
    The statements written inside the functions are compiled by the tests that run them."""
    statements = [
        deck_sync._UPSERT_SOURCE,
        deck_sync._INSERT_CARD,
        f"SELECT {', '.join(deck_sync._SOURCE_COLUMNS)} FROM card_sources",
        f"SELECT {STATE_COLUMNS} FROM cards WHERE {ACTIVE}",
        f"SELECT {', '.join(repository._SCHEDULE_FIELDS)} FROM cards WHERE "
        f"{repository._LEARNING} OR {repository._REVIEW}",
        f"SELECT {', '.join(review_log._STATE_FIELDS)} FROM cards",
        f"SELECT {review_log._COLUMNS} FROM reviews r JOIN cards c ON c.id = r.card_id",
        f"SELECT {stats_queries._INTERVAL} FROM reviews r WHERE {stats_queries._WAS_REVIEW}",
        f"SELECT {stats_queries._RECALL} FROM cards",
    ]
    with migrated.read() as c:
        stats_queries._require_pow(c)
        for sql in statements:
            _explain(c, sql)


def test_a_column_the_models_lack_fails_to_compile(migrated):
    with migrated.read() as c, pytest.raises(sqlite3.OperationalError, match="no such column"):
        _explain(c, "SELECT topik FROM cards")


# -- timestamps: one text, whichever way it was written ---------------------------------------
MOMENTS = [
    datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 2, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
    datetime(5, 1, 2, 3, 4, 5, 6, tzinfo=UTC),  # a year strftime would not pad
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_the_orm_type_and_stamp_write_the_same_text_and_read_it_back(migrated, moment):
    with migrated.engine.begin() as connection:
        card_id = connection.execute(insert(CardRow).values(
            key=f"t:{moment.isoformat()}", deck="t", topic="t", kind="basic", ordinal=0,
            due=moment, last_review=None, suspended=False, retired=True)
        ).inserted_primary_key[0]
        through_orm = connection.execute(
            select(CardRow.due).where(CardRow.id == card_id)).scalar_one()
    with migrated.read() as c:
        (text,), = c.execute("SELECT due FROM cards WHERE id = ?", (card_id,))
    assert text == stamp(moment)
    # SQLAlchemy's own SQLite DATETIME text, which every database before this one holds
    native = sqlite_dialect.DATETIME().bind_processor(sqlite_dialect.dialect())
    assert text == native(moment.astimezone(UTC).replace(tzinfo=None))
    assert through_orm == parse_stamp(text) == moment
    assert through_orm.tzinfo is UTC
