"""`flush`, with the audit table's append-only triggers lifted for the flush alone (SQLite).

Django's flush empties every table; on SQLite it does so with DELETE statements, which the
triggers of migration 0009 refuse for audit events. Emptying the whole database is the one
deletion allowed (the test suite resets with it between tests): the triggers are dropped,
the tables emptied and the triggers put back. PostgreSQL truncates, which its row trigger
does not see.
"""

from importlib import import_module

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

TRIGGERS = import_module("asa.accounts.migrations.0011_audit_append_only_sqlite")


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite" or "accounts_auditevent" not in (
            connection.introspection.table_names()
        ):
            return super().handle(**options)
        with connection.cursor() as cursor:
            for statement in TRIGGERS.DROP:
                cursor.execute(statement)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for statement in TRIGGERS.CREATE:
                    cursor.execute(statement)
