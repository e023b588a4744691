"""`matching_ids_sql`: the kernel's match as SQL for modules with their own index rows.

It must select exactly the entries `count()` counts (same folding, phrases, prefixes and
scope filter), on both backends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from lienthong.core.testing import make_org_unit
from lienthong.search import services
from lienthong.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def _object_ids(sql: str, params: list[Any]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT object_id FROM search_searchentry WHERE id IN ({sql})", params)
        return {row[0] for row in cursor.fetchall()}


def test_matching_ids_select_what_count_counts(make_doc: Callable[..., Group]) -> None:
    # given entries with and without the words, one of them in a scope
    unit = make_org_unit("Sở Tư pháp (matching)")
    complaint = make_doc("Giải quyết khiếu nại", "về đất đai")
    scoped = make_doc("Khiếu nại lần hai", "", scope=unit)
    phrase = make_doc("Nại khiếu", "khiếu nại trong thân")
    make_doc("Tố cáo", "không liên quan")
    # when the ids of "khieu nai" (no diacritics) are selected across every scope
    found = services.matching_ids_sql("khieu nai", scope_paths=services.ALL_SCOPES)
    # then they are exactly the three entries holding both words, and count() agrees
    assert found is not None
    expected = {str(complaint.pk), str(scoped.pk), str(phrase.pk)}
    assert _object_ids(*found) == expected
    assert services.count("khieu nai", scope_paths=services.ALL_SCOPES) == 3
    # and a phrase and a prefix are honoured as in search()
    phrase_sql = services.matching_ids_sql('"khieu nai"', scope_paths=services.ALL_SCOPES)
    assert phrase_sql is not None
    assert _object_ids(*phrase_sql) == expected
    prefix_sql = services.matching_ids_sql("giai quy*", scope_paths=services.ALL_SCOPES)
    assert prefix_sql is not None
    assert _object_ids(*prefix_sql) == {str(complaint.pk)}


def test_matching_ids_apply_the_scope_filter_and_select_nothing_for_no_query(
    make_doc: Callable[..., Group],
) -> None:
    # given a public and a scoped entry with the same word
    unit = make_org_unit("Sở Y tế (matching)")
    public = make_doc("Báo cáo thống kê")
    make_doc("Báo cáo mật", scope=unit)
    # when the ids are selected for public entries only (no scope paths granted)
    found = services.matching_ids_sql("bao cao", scope_paths=[])
    # then the scoped entry is left out
    assert found is not None
    assert _object_ids(*found) == {str(public.pk)}
    # and a query without words gives no SQL at all
    assert services.matching_ids_sql("  ") is None
    assert services.matching_ids_sql("*") is None
    assert SearchEntry.objects.count() == 2


def test_matching_ids_without_filters_select_the_same_entries(
    make_doc: Callable[..., Group],
) -> None:
    # given entries with the words, one scoped, one of them then deleted
    unit = make_org_unit("Sở Nội vụ (matching)")
    kept = {make_doc("Chuyển đổi số", "kế hoạch"), make_doc("Kế hoạch chuyển đổi số", scope=unit)}
    gone = make_doc("Chuyển đổi số năm sau")
    make_doc("Chuyển giao", "đổi mới")
    services.remove(gone)
    # when the ids are selected with no filter at all (every scope, every model)
    found = services.matching_ids_sql("chuyen doi so", scope_paths=services.ALL_SCOPES)
    # then they are the entries still there holding the words, as count() says, and the
    # select's one column is named id (callers join on it as a derived table)
    assert found is not None
    assert _object_ids(*found) == {str(doc.pk) for doc in kept}
    assert services.count("chuyen doi so", scope_paths=services.ALL_SCOPES) == 2
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT matched.id FROM ({found[0]}) AS matched", found[1])
        ids = {row[0] for row in cursor.fetchall()}
    assert ids == set(
        SearchEntry.objects.filter(object_id__in=[str(d.pk) for d in kept]).values_list(
            "id", flat=True
        )
    )
