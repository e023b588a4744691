"""Give the search entries of the documents already indexed their facets (searching.py).

New and re-indexed documents get them from `searching.index_document`; this writes them for
the rows indexed before, in batches, through the full-text backend (`document_facets` and the
backend's `write` are pure functions of the row's values, the same as at indexing time).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations

BATCH = 2000


def add_facets(apps: Any, schema_editor: Any) -> None:
    from lienthong.documents.searching import document_facets
    from lienthong.search.backends import get_backend
    from lienthong.search.query import tokens

    index = apps.get_model("documents", "DocumentIndex")
    through = index.access_units.through
    entries = apps.get_model("search", "SearchEntry")
    texts = apps.get_model("search", "SearchText")
    alias = schema_editor.connection.alias
    backend = get_backend(alias)
    last = 0
    while True:
        rows = list(
            index.objects.using(alias)
            .filter(pk__gt=last, entry__isnull=False)
            .order_by("pk")
            .values_list(
                "pk",
                "year",
                "agency_id",
                "urgency",
                "document_type_id",
                "entry_id",
            )[:BATCH]
        )
        if not rows:
            return
        last = rows[-1][0]
        units: dict[int, list[int]] = defaultdict(list)
        assigned = through.objects.using(alias).filter(documentindex_id__in=[r[0] for r in rows])
        for document, unit in assigned.values_list("documentindex_id", "orgunit_id"):
            units[document].append(unit)
        entry_ids = [r[5] for r in rows]
        titles = dict(
            entries.objects.using(alias).filter(pk__in=entry_ids).values_list("pk", "title")
        )
        bodies = dict(
            texts.objects.using(alias)
            .filter(entry_id__in=entry_ids)
            .values_list("entry_id", "body")
        )
        for pk, year, agency, urgency, type_id, entry in rows:
            facets = " ".join(
                sorted(
                    set(
                        document_facets(
                            year=year,
                            agency_id=agency,
                            urgency=urgency,
                            type_id=type_id,
                            unit_ids=units[pk],
                        )
                    )
                )
            )
            texts.objects.using(alias).filter(entry_id=entry).update(facets=facets)
            body = [*facets.split(), *tokens(bodies.get(entry, ""))]
            backend.write(entry, tokens(titles.get(entry, "")), body)


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_documentindex_issuer_type_date"),
        ("search", "0003_searchtext_facets"),
    ]

    operations = [migrations.RunPython(add_facets, migrations.RunPython.noop, elidable=True)]
