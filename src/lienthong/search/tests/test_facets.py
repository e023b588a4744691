"""Facets: tokens a module indexes beside an entry's words to narrow its matches (services.py).

They must narrow `matching_ids_sql` and `matches_row_sql` on both backends (each group ORed,
the groups ANDed), never show in results, survive `rebuild()`, and re-index an entry whose
facets alone changed.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from lienthong.search import services
from lienthong.search.models import SearchText

pytestmark = pytest.mark.django_db


def _indexed(title: str, facets: list[str], body: str = "") -> Group:
    group = Group.objects.create(name=f"facet-{title}-{'-'.join(facets)}")
    services.index(group, title=title, body=body, facets=facets)
    return group


def _matching(query: str, facets: list[list[str]]) -> set[str]:
    found = services.matching_ids_sql(query, scope_paths=services.ALL_SCOPES, facets=facets)
    assert found is not None
    sql, params = found
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT object_id FROM search_searchentry WHERE id IN ({sql})", params)
        return {row[0] for row in cursor.fetchall()}


def _row_matches(group: Group, query: str, facets: list[list[str]]) -> bool:
    test = services.matches_row_sql(query, "e2.id", scope_paths=services.ALL_SCOPES, facets=facets)
    assert test is not None
    sql, params = test
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sql} FROM search_searchentry AS e2 WHERE e2.object_id = %s",
            [*params, str(group.pk)],
        )
        return bool(cursor.fetchone()[0])


def test_facet_groups_narrow_the_matches() -> None:
    # given three entries with the same words and different facets
    a = _indexed("Thanh tra đất đai", ["zty2025", "ztu1"])
    b = _indexed("Thanh tra xây dựng", ["zty2026", "ztu1"])
    c = _indexed("Thanh tra tài chính", ["zty2026", "ztu2"])
    ids = {x: str(x.pk) for x in (a, b, c)}
    # when matched with no facets, one group, an ORed group, and two ANDed groups
    # then each selects exactly the entries carrying one facet of every group
    assert _matching("thanh tra", []) == {ids[a], ids[b], ids[c]}
    assert _matching("thanh tra", [["zty2026"]]) == {ids[b], ids[c]}
    assert _matching("thanh tra", [["zty2025", "ztu2"]]) == {ids[a], ids[c]}
    assert _matching("thanh tra", [["zty2026"], ["ztu1"]]) == {ids[b]}
    # and an empty group (a user who may see nothing) matches nothing
    assert _matching("thanh tra", [["zty2026"], []]) == set()
    # and the row-by-row test agrees, with a plain word and with a prefix
    for query in ("thanh tra", "thanh tr*"):
        assert [_row_matches(x, query, [["zty2026"], ["ztu1"]]) for x in (a, b, c)] == [
            False,
            True,
            False,
        ]


def test_facets_are_not_words_of_the_entry() -> None:
    # given an entry with facets
    group = _indexed("Báo cáo quý", ["ztg17"], body="Sở Tài chính")
    # when searched for its words
    hits = services.search("bao cao", scope_paths=services.ALL_SCOPES)
    # then its title and snippet show only its own text, and the stored body has no facet
    assert [(h.object_id, h.title) for h in hits] == [(str(group.pk), "Báo cáo quý")]
    assert "ztg17" not in hits[0].snippet
    text = SearchText.objects.get(entry__object_id=str(group.pk))
    assert (text.body, text.facets) == ("Sở Tài chính", "ztg17")


def test_changed_facets_reindex_and_rebuild_keeps_them() -> None:
    # given an entry indexed with one facet
    group = _indexed("Công văn điều động", ["zta1"])
    assert _matching("cong van", [["zta1"]]) == {str(group.pk)}
    # when only its facets change (a document assigned to another unit)
    services.index(group, title="Công văn điều động", facets=["zta2"])
    # then the old facet no longer matches and the new one does
    assert _matching("cong van", [["zta1"]]) == set()
    assert _matching("cong van", [["zta2"]]) == {str(group.pk)}
    # and after a rebuild of the full-text side the facets are still there
    services.rebuild()
    assert _matching("cong van", [["zta2"]]) == {str(group.pk)}
    assert _matching("cong van", [["zta1"]]) == set()


@pytest.mark.parametrize("bad", ["Zt1", "zt-1", "zt 1", "1zt", "z", "zt_1", "ztđ"])
def test_malformed_facets_are_refused_and_nothing_is_indexed(bad: Any) -> None:
    # given an object to index
    group = Group.objects.create(name="facet-bad")
    # when a malformed facet is given, when indexing or when matching
    with pytest.raises(ValueError, match="facet"):
        services.index(group, title="Tờ trình", facets=[bad])
    with pytest.raises(ValueError, match="facet"):
        services.matching_ids_sql("to trinh", scope_paths=services.ALL_SCOPES, facets=[[bad]])
    # then nothing was indexed
    assert not SearchText.objects.exists()
    assert services.count("to trinh", scope_paths=services.ALL_SCOPES) == 0
