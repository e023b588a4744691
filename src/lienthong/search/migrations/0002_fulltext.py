"""The original text of each entry, and the full-text index for the database in use.

SQLite gets an FTS5 table (`search_fts`, rowid = entry id) and a trigger dropping its row when
an entry is deleted; PostgreSQL gets a weighted `document` tsvector with a GIN index and a
`phrase_text` column for phrases in long texts. See `lienthong.search.backends`.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS search_fts_entry_deleted
    AFTER DELETE ON search_searchentry
    BEGIN
        DELETE FROM search_fts WHERE rowid = old.id;
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_entry_deleted",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL_FORWARD = [
    "ALTER TABLE search_searchentry ADD COLUMN document tsvector, ADD COLUMN phrase_text text",
    # Phrases in long texts are checked by strpos over phrase_text: stored uncompressed it
    # is read without decompressing (about a third faster, measured on the 76 laws).
    "ALTER TABLE search_searchentry ALTER COLUMN phrase_text SET STORAGE EXTERNAL",
    "CREATE INDEX search_entry_document ON search_searchentry USING GIN (document)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_document",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS document,"
    " DROP COLUMN IF EXISTS phrase_text",
]


def _run(statements: dict[str, list[str]], schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"Full-text search supports SQLite and PostgreSQL, not {vendor}.")
    for sql in statements[vendor]:
        schema_editor.execute(sql)


def install_fulltext(apps: Any, schema_editor: Any) -> None:
    _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}, schema_editor)


def remove_fulltext(apps: Any, schema_editor: Any) -> None:
    _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="text",
                        serialize=False,
                        to="search.searchentry",
                    ),
                ),
                ("body", models.TextField(blank=True, default="", verbose_name="nội dung")),
            ],
            options={
                "verbose_name": "nội dung mục tìm kiếm",
                "verbose_name_plural": "nội dung mục tìm kiếm",
            },
        ),
        migrations.AddField(
            model_name="searchentry",
            name="digest",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="SHA-256 of the title and body: unchanged text is not re-indexed.",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="head",
            field=models.TextField(
                blank=True,
                default="",
                help_text="The first 32,000 characters of the original text, for snippets.",
                verbose_name="đoạn đầu",
            ),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="title",
            field=models.TextField(verbose_name="tiêu đề"),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(fields=["scope"], name="search_entry_scope"),
        ),
        # Last: on SQLite the AlterField above rebuilds search_searchentry, which would drop
        # a trigger created before it.
        migrations.RunPython(install_fulltext, remove_fulltext),
    ]
