"""The message log's append-only triggers (migration 0002): their names and a check."""

from __future__ import annotations

from django.db import connections

TABLES = (
    "exchange_log_messagelogentry",
    "exchange_log_logchainhead",
    "exchange_log_logcheckpoint",
)

#: The triggers migration 0002 installs, per database.
TRIGGERS = {
    "sqlite": tuple(
        f"{table}_{name}"
        for table, names in (
            (TABLES[0], ("no_update", "delete_below_checkpoint", "extends_chain")),
            (TABLES[1], ("no_delete", "starts_empty", "forward_only")),
            (TABLES[2], ("no_delete", "links_insert", "links_update")),
        )
        for name in names
    ),
    "postgresql": tuple(
        f"{table}_{name}"
        for table, names in (
            (TABLES[0], ("append_only", "no_truncate")),
            (TABLES[1], ("guard", "no_truncate")),
            (TABLES[2], ("guard", "no_truncate")),
        )
        for name in names
    ),
}


def missing_guards(using: str = "default") -> list[str]:
    """Triggers of the message log that are absent or disabled (empty when protected)."""
    connection = connections[using]
    expected = TRIGGERS.get(connection.vendor, ())
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        else:
            return []
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]
