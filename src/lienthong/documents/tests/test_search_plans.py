"""The documents search picks its plan from a capped count of the word matches.

Few matches: collect them and sort; many: walk the date index and test each row. Both
must give the same documents, in the same order (newest first), with the same count.
"""

from __future__ import annotations

import datetime

import pytest

from lienthong.documents import searching, selectors
from lienthong.documents.models import Direction, Secrecy

from .conftest import World

pytestmark = pytest.mark.django_db


def _index(world: World) -> None:
    """Given 30 documents: 20 about "thanh tra" (5 of them secret), 10 others, mixed dates."""
    start = datetime.date(2026, 1, 1)
    for n in range(30):
        subject = f"Kế hoạch thanh tra số {n}" if n % 3 else f"Báo cáo ngân sách số {n}"
        searching.index_document(
            1000 + n,
            direction=Direction.INCOMING if n % 2 else Direction.OUTGOING,
            subject=subject,
            agency=world.agency if n % 5 else world.other_agency,
            # Several documents share a date: the id breaks the tie.
            date=start + datetime.timedelta(days=(n * 7) % 11),
            secrecy=Secrecy.SECRET if n % 7 == 0 else Secrecy.NORMAL,
            units=[world.division_a] if n % 4 == 0 else [],
            issuer="Bộ Nội vụ" if n % 2 else "Sở Y tế",
        )


def _run(monkeypatch: pytest.MonkeyPatch, probe: int, user: object, **filters: object) -> tuple:
    monkeypatch.setattr(selectors, "PLAN_PROBE", probe)
    result = selectors.search_documents(user, limit=100, **filters)  # type: ignore[arg-type]
    return result.total, result.more, [(r.direction, r.object_id) for r in result.items]


@pytest.mark.parametrize(
    "filters",
    [
        {"q": "thanh tra"},
        {"q": "thanh*"},
        {"q": '"ke hoach thanh tra"', "direction": "incoming"},
        {"issuer": "bo noi vu"},
        {"q": "thanh tra", "issuer": "so y te", "date_from": datetime.date(2026, 1, 3)},
        {"q": "khong co dau"},  # no match: the probe's empty list answers at once
    ],
)
def test_few_and_many_plans_agree(
    world: World, monkeypatch: pytest.MonkeyPatch, filters: dict[str, object]
) -> None:
    # Given the documents
    _index(world)
    for user in (world.clerk, world.specialist_a, world.outsider):
        # When the same search runs with the "few" plan and with the "many" plan
        few = _run(monkeypatch, 10_000, user, **filters)
        many = _run(monkeypatch, 0, user, **filters)
        # Then both return the same rows, in the same order, with the same count
        assert many == few
        # And when more rows pass the filters than the count cap, the date-index walk
        # (each row's entry tested) returns the same page too
        monkeypatch.setattr(selectors, "COUNT_CAP", 2)
        walked = _run(monkeypatch, 0, user, **filters)
        monkeypatch.setattr(selectors, "COUNT_CAP", 1000)
        assert walked[2] == few[2]
        assert walked[:2] == ((2, True) if few[0] > 2 else few[:2])
        # And the "sort the not-so-many matches" plan (SQLite) and the walk agree with it
        for sort_probe in (10_000, 0):
            monkeypatch.setattr(selectors, "SORT_PROBE", sort_probe)
            monkeypatch.setattr(selectors, "COUNT_CAP", 2)
            sorted_ = _run(monkeypatch, 0, user, **filters)
            monkeypatch.setattr(selectors, "COUNT_CAP", 1000)
            assert sorted_ == walked


def test_many_plan_newest_first_and_counts(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the documents
    _index(world)
    # When the clerk searches common words with the "many" plan
    total, more, items = _run(monkeypatch, 0, world.clerk, q="thanh tra")
    # Then the agency's matching documents come newest first (ties by id, newest first)
    rows = {
        (r.direction, r.object_id): (r.date, r.pk)
        for r in selectors.DocumentIndex.objects.filter(subject__contains="thanh tra")
    }
    expected_ids = [
        1000 + n
        for n in range(30)
        if n % 3 and n % 5 and n % 7  # agency's, not secret
    ] + [1000 + n for n in range(30) if n % 3 and n % 5 and n % 7 == 0]  # secret: the clerk
    assert sorted(i for _, i in items) == sorted(expected_ids)
    assert [rows[key] for key in items] == sorted((rows[key] for key in items), reverse=True)
    assert (total, more) == (len(items), False)


def test_many_plan_caps_the_count(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the documents and a count cap below the number of matches
    _index(world)
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    # When searching with the "many" plan
    total, more, items = _run(monkeypatch, 0, world.clerk, q="thanh tra")
    # Then the count says "more than 5" while the page still holds every match
    assert (total, more) == (5, True)
    assert len(items) > 5


def test_probe_picks_the_plan(world: World) -> None:
    # Given the documents (20 entries match "thanh tra", 10 "ngan sach")
    _index(world)
    from lienthong.search import services as search

    sql, params = search.matching_ids_sql("thanh tra", scope_paths=search.ALL_SCOPES)  # type: ignore[misc]
    entries = set(
        selectors.DocumentIndex.objects.filter(subject__contains="thanh tra").values_list(
            "entry_id", flat=True
        )
    )
    # Then the probe reads at most PLAN_PROBE + 1 ids: the matching entries' ids when they
    # are at most PLAN_PROBE, else None
    few = selectors._few_matches(sql, params)
    assert few is not None and sorted(few) == sorted(entries) and len(entries) == 20
    old = selectors.PLAN_PROBE
    try:
        selectors.PLAN_PROBE = 19
        assert selectors._few_matches(sql, params) is None
        selectors.PLAN_PROBE = 20
        assert sorted(selectors._few_matches(sql, params) or []) == sorted(entries)
    finally:
        selectors.PLAN_PROBE = old


def _reference(user: object, q: str, **filters: object) -> list[tuple[str, int]]:
    """The search done plainly: the kernel's matches without facets, then the rows' filters
    and the visibility rule in SQL, newest first."""
    from lienthong.documents.models import DocumentIndex
    from lienthong.search import services as search

    found = search.matching_ids_sql(q, scope_paths=search.ALL_SCOPES)
    assert found is not None
    sql, params = found
    rows = selectors._visible_rows(user, selectors._reach(user)).filter(**filters)
    table = DocumentIndex._meta.db_table
    rows = rows.extra(where=[f'"{table}"."entry_id" IN ({sql})'], params=params)
    return list(rows.order_by("-date", "-id").values_list("direction", "object_id"))


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"direction": "incoming"},
        {"year": 2026},
        {"year": 2025},
        {"urgency": 0},
    ],
)
def test_facets_give_the_plain_answer(
    world: World, monkeypatch: pytest.MonkeyPatch, filters: dict[str, object]
) -> None:
    # Given the documents, some secret, some assigned to division A, in two agencies
    _index(world)
    for user in (world.clerk, world.specialist_a, world.outsider):
        for plan in (10_000, 0):  # the "few" plan and the "many" plan
            monkeypatch.setattr(selectors, "PLAN_PROBE", plan)
            # When the words are searched with a filter (the facets narrow the matches)
            result = selectors.search_documents(user, q="thanh tra", limit=100, **filters)  # type: ignore[arg-type]
            # Then the rows are those of the plain search: facets narrow, never widen or lose
            expected = _reference(user, "thanh tra", **filters)
            assert [(r.direction, r.object_id) for r in result.items] == expected
            assert result.total == len(expected)


def test_a_document_assigned_later_is_found_by_its_new_unit(world: World) -> None:
    # Given a document of the agency not yet assigned to any unit
    args = {
        "direction": Direction.INCOMING,
        "subject": "Công văn về thanh tra đột xuất",
        "agency": world.agency,
        "date": datetime.date(2026, 3, 2),
    }
    searching.index_document(5000, **args)  # type: ignore[arg-type]
    assert selectors.search_documents(world.specialist_a, q="dot xuat").total == 0
    # When it is assigned to division A (the services index it again with its units)
    searching.index_document(5000, units=[world.division_a], **args)  # type: ignore[arg-type]
    # Then division A's specialist finds it by its words, with and without a year filter
    for filters in ({}, {"year": 2026}):
        result = selectors.search_documents(world.specialist_a, q="dot xuat", **filters)  # type: ignore[arg-type]
        assert [r.object_id for r in result.items] == [5000]
    # And when it is taken back from the division, the division no longer finds it
    searching.index_document(5000, units=[], **args)  # type: ignore[arg-type]
    assert selectors.search_documents(world.specialist_a, q="dot xuat").total == 0
