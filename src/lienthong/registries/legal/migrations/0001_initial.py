"""The legal registry's tables, and its full-text index for the database in use.

SQLite gets an FTS5 table (`legal_fts`, rowid = document id) and a trigger dropping its row
with the index row; PostgreSQL gets, on `legal_searchrow`, a weighted `vector` tsvector with a
GIN index (matching), small `title_vector` and `rank_vector` tsvectors (ranking), and
`phrase_text` (phrases in long texts). See `lienthong.registries.legal.fulltext`.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE legal_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
    # Deleting an index row by any path (a cascade from the document) drops its FTS row too.
    """
    CREATE TRIGGER IF NOT EXISTS legal_fts_row_deleted
    AFTER DELETE ON legal_searchrow
    BEGIN
        DELETE FROM legal_fts WHERE rowid = old.document_id;
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS legal_fts_row_deleted",
    "DROP TABLE IF EXISTS legal_fts",
]
POSTGRESQL_FORWARD = [
    "ALTER TABLE legal_searchrow ADD COLUMN vector tsvector, ADD COLUMN title_vector tsvector,"
    " ADD COLUMN rank_vector tsvector, ADD COLUMN phrase_text text",
    # Read by strpos without decompressing (the search kernel measured a third faster).
    "ALTER TABLE legal_searchrow ALTER COLUMN phrase_text SET STORAGE EXTERNAL",
    "CREATE INDEX legal_searchrow_vector ON legal_searchrow USING GIN (vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS legal_searchrow_vector",
    "ALTER TABLE legal_searchrow DROP COLUMN IF EXISTS vector,"
    " DROP COLUMN IF EXISTS title_vector, DROP COLUMN IF EXISTS rank_vector,"
    " DROP COLUMN IF EXISTS phrase_text",
]


def _run(statements: dict[str, list[str]], schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in statements:
        raise RuntimeError(f"Full-text search supports SQLite and PostgreSQL, not {vendor}.")
    for statement in statements[vendor]:
        schema_editor.execute(statement)


def install_fulltext(apps: Any, schema_editor: Any) -> None:
    _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}, schema_editor)


def remove_fulltext(apps: Any, schema_editor: Any) -> None:
    _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}, schema_editor)



class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0004_perf_audit_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LegalDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=100, verbose_name='số, ký hiệu')),
                ('number_key', models.CharField(editable=False, max_length=120, unique=True)),
                ('slug', models.SlugField(editable=False, max_length=120, unique=True)),
                ('doc_type', models.CharField(choices=[('constitution', 'Hiến pháp'), ('code', 'Bộ luật'), ('law', 'Luật'), ('resolution', 'Nghị quyết'), ('ordinance', 'Pháp lệnh'), ('order', 'Lệnh'), ('decree', 'Nghị định'), ('decision', 'Quyết định'), ('circular', 'Thông tư'), ('joint_resolution', 'Nghị quyết liên tịch'), ('joint_circular', 'Thông tư liên tịch')], max_length=20, verbose_name='loại văn bản')),
                ('issuer', models.CharField(max_length=255, verbose_name='cơ quan ban hành')),
                ('issued_date', models.DateField(blank=True, null=True, verbose_name='ngày ban hành')),
                ('effective_date', models.DateField(blank=True, null=True, verbose_name='ngày có hiệu lực')),
                ('expiry_date', models.DateField(blank=True, null=True, verbose_name='ngày hết hiệu lực')),
                ('effective_note', models.CharField(blank=True, max_length=255, verbose_name='ghi chú hiệu lực')),
                ('title', models.TextField(verbose_name='trích yếu')),
                ('status', models.CharField(choices=[('in_force', 'Còn hiệu lực'), ('partly_amended', 'Hết hiệu lực một phần'), ('expired', 'Hết hiệu lực toàn bộ'), ('not_yet_in_force', 'Chưa có hiệu lực')], default='in_force', max_length=20, verbose_name='tình trạng hiệu lực')),
                ('status_locked', models.BooleanField(default=False, help_text='Không tự tính lại tình trạng hiệu lực từ ngày tháng và quan hệ văn bản.', verbose_name='tình trạng do cán bộ đặt')),
                ('source', models.CharField(blank=True, max_length=500, verbose_name='nguồn')),
                ('source_url', models.URLField(blank=True, max_length=500, verbose_name='địa chỉ nguồn')),
                ('text_form', models.CharField(blank=True, max_length=500, verbose_name='dạng văn bản')),
                ('source_digest', models.CharField(blank=True, editable=False, help_text='SHA-256 of the file last loaded into this record: an unchanged file is skipped.', max_length=64)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='tạo lúc')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='sửa lúc')),
                ('deleted_at', models.DateTimeField(blank=True, null=True, verbose_name='xóa lúc')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('deleted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.orgunit', verbose_name='cơ quan quản lý bản ghi')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'văn bản quy phạm pháp luật',
                'verbose_name_plural': 'văn bản quy phạm pháp luật',
            },
        ),
        migrations.CreateModel(
            name='LegalText',
            fields=[
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='full_text', serialize=False, to='legal.legaldocument')),
                ('body', models.TextField(blank=True, verbose_name='toàn văn')),
            ],
            options={
                'verbose_name': 'toàn văn',
                'verbose_name_plural': 'toàn văn',
            },
        ),
        migrations.CreateModel(
            name='SearchRow',
            fields=[
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_row', serialize=False, to='legal.legaldocument')),
                ('digest', models.CharField(max_length=64)),
                ('head', models.TextField(blank=True, default='', help_text="The first 32,000 characters of the text, for snippets (the search kernel's head): cheaper to read than a slice of a compressed 400 KB text.")),
            ],
            options={
                'verbose_name': 'chỉ mục toàn văn',
                'verbose_name_plural': 'chỉ mục toàn văn',
            },
        ),
        migrations.CreateModel(
            name='DocumentRelation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('amends', 'Sửa đổi, bổ sung'), ('replaces', 'Thay thế, làm hết hiệu lực'), ('partly_replaces', 'Làm hết hiệu lực một phần'), ('guides', 'Hướng dẫn, quy định chi tiết'), ('based_on', 'Căn cứ')], max_length=20, verbose_name='quan hệ')),
                ('target_number', models.CharField(max_length=100, verbose_name='số, ký hiệu văn bản liên quan')),
                ('target_key', models.CharField(db_index=True, editable=False, max_length=120)),
                ('note', models.TextField(blank=True, verbose_name='ghi chú')),
                ('origin', models.CharField(choices=[('parsed', 'Đọc từ nội dung văn bản'), ('manual', 'Cán bộ nhập')], default='manual', max_length=10, verbose_name='nguồn quan hệ')),
                ('rejected', models.BooleanField(default=False, verbose_name='đã gỡ bỏ')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='tạo lúc')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='relations', to='legal.legaldocument', verbose_name='văn bản')),
                ('target', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='incoming', to='legal.legaldocument', verbose_name='văn bản liên quan')),
            ],
            options={
                'verbose_name': 'quan hệ văn bản',
                'verbose_name_plural': 'quan hệ văn bản',
            },
        ),
        migrations.AddIndex(
            model_name='legaldocument',
            index=models.Index(fields=['deleted_at', '-issued_date'], name='legal_doc_alive_issued'),
        ),
        migrations.AddIndex(
            model_name='legaldocument',
            index=models.Index(fields=['doc_type'], name='legal_doc_type'),
        ),
        migrations.AddIndex(
            model_name='legaldocument',
            index=models.Index(fields=['status'], name='legal_doc_status'),
        ),
        migrations.AddIndex(
            model_name='legaldocument',
            index=models.Index(fields=['issuer'], name='legal_doc_issuer'),
        ),
        migrations.AddConstraint(
            model_name='documentrelation',
            constraint=models.UniqueConstraint(fields=('source', 'kind', 'target_key'), name='legal_relation_unique'),
        ),
        migrations.RunPython(install_fulltext, remove_fulltext),
    ]
