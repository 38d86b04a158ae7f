"""Database triggers that make the access log and its checkpoints append-only, on SQLite and PostgreSQL.

They are a second wall behind the hash chain: the application never updates or deletes these rows, the
database refuses to, and whoever bypasses the database (editing its files, dropping the triggers) is
caught by ``registry audit verify``.
"""

APPEND_ONLY_TABLES = ("registry_accesslogentry", "registry_checkpoint")


def _sqlite_create(table):
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
    ]


def _sqlite_drop(table):
    return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _pg_create(table):
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION registry_refuse_change();",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_change();",
    ]


def _pg_drop(table):
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
    ]


def install(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            statements = [s for t in APPEND_ONLY_TABLES for s in _pg_create(t)]
        elif connection.vendor == "sqlite":
            statements = [s for t in APPEND_ONLY_TABLES for s in _sqlite_create(t)]
        else:
            raise RuntimeError(f"append-only triggers are not defined for {connection.vendor}")
        for statement in statements:
            cursor.execute(statement)


def drop(connection):
    """Remove the triggers. Used only by tests that must empty the database between cases."""
    with connection.cursor() as cursor:
        drops = _pg_drop if connection.vendor == "postgresql" else _sqlite_drop
        for statement in [s for t in APPEND_ONLY_TABLES for s in drops(t)]:
            cursor.execute(statement)
