"""A copy of every table of the test database, taken once and restored many times.

Browser journeys each need the whole demo organization, which takes many seconds to build;
restoring a copy takes a fraction of one. SQLite copies through its backup API; PostgreSQL
through `COPY`, table by table, followed by a reset of every sequence.
"""

import io
import sqlite3
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass
class DatabaseCopy:
    sqlite: sqlite3.Connection | None = None
    tables: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def take(cls, connection: BaseDatabaseWrapper) -> "DatabaseCopy":
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            memory = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(memory)
            return cls(sqlite=memory)
        tables = {}
        with connection.cursor() as cursor:
            for table in _tables(connection):
                buffer = io.BytesIO()
                with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    for data in copy:
                        buffer.write(data)
                tables[table] = buffer.getvalue()
        return cls(tables=tables)

    def restore(self, connection: BaseDatabaseWrapper) -> None:
        connection.ensure_connection()
        if self.sqlite is not None:
            self.sqlite.backup(connection.connection)
            return
        with transaction.atomic(), connection.cursor() as cursor:
            names = ", ".join(f'"{table}"' for table in self.tables)
            cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            for table, data in self.tables.items():
                if data:
                    with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(data)
            for statement in connection.ops.sequence_reset_sql(
                no_style(), apps.get_models(include_auto_created=True)
            ):
                cursor.execute(statement)

    def release(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()


def _tables(connection: BaseDatabaseWrapper) -> list[str]:
    existing = set(connection.introspection.table_names())
    return [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table in existing and model._meta.managed
    ]
