"""Issuer and type filters go through their own indexes; results equal the plain filters.

An issuer filter becomes "issuer_folded IN (the issuer names containing it)" (the names listed
by a loose scan of the issuer index) and a type filter "document_type_id = id": each must
return what the plain `issuer_folded LIKE '%…%'` / join on the type code returns, in the same
order (newest first, ties by id), with the same count.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from lienthong.core.text import fold
from lienthong.documents import searching, selectors
from lienthong.documents.models import Direction, DocumentIndex, DocumentType, Secrecy

from .conftest import World

pytestmark = pytest.mark.django_db

ISSUERS = ["Bộ Nội vụ", "Sở Y tế tỉnh Bình Dương", "Sở Y tế", "Thanh tra tỉnh Bình Dương", ""]


def _index(world: World) -> None:
    """Given 40 documents over two years, five issuers (one empty), three types."""
    types = list(DocumentType.objects.filter(code__in=["CV", "QĐ", "BC"]).order_by("code"))
    start = datetime.date(2025, 11, 20)
    for n in range(40):
        searching.index_document(
            2000 + n,
            direction=Direction.INCOMING if n % 2 else Direction.OUTGOING,
            subject=f"Văn bản số {n} về thanh tra",
            agency=world.agency if n % 5 else world.other_agency,
            # Several documents share a date (the id breaks the tie); 2025 and 2026.
            date=start + datetime.timedelta(days=(n * 9) % 50),
            secrecy=Secrecy.SECRET if n % 7 == 0 else Secrecy.NORMAL,
            units=[world.division_a] if n % 4 == 0 else [],
            issuer=ISSUERS[n % len(ISSUERS)],
            document_type=types[n % len(types)],
        )


def _plain(user: Any, *, issuer: str = "", type_code: str = "", **filters: Any) -> list[int]:
    """The rows the plain filters (LIKE on the folded issuer, join on the type) select."""
    rows = selectors._visible_rows(user, selectors._reach(user)).filter(**filters)
    if fold(issuer):
        rows = rows.filter(issuer_folded__contains=fold(issuer))
    if type_code:
        rows = rows.filter(document_type__code=type_code)
    return list(rows.order_by("-date", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize(
    "filters",
    [
        {"issuer": "bo noi vu"},
        {"issuer": "Sở Y tế"},  # two names contain it
        {"issuer": "so y te", "year": 2026},
        {"issuer": "tinh binh duong", "direction": "incoming"},  # two names, another filter
        {"issuer": "khong co ai"},  # no name contains it
        {"issuer": "  "},  # blank: no filter
        {"type_code": "QĐ", "year": 2025},
        {"type_code": "CV"},
        {"type_code": "XYZ"},  # no such type
        {"type_code": "BC", "issuer": "thanh tra", "year": 2026},
    ],
)
def test_issuer_and_type_filters_equal_the_plain_filters(
    world: World, monkeypatch: pytest.MonkeyPatch, filters: dict[str, Any]
) -> None:
    # Given the documents
    _index(world)
    plain_filters = {k: v for k, v in filters.items() if k not in ("issuer", "type_code")}
    for user in (world.clerk, world.specialist_a, world.outsider):
        expected = _plain(
            user,
            issuer=filters.get("issuer", ""),
            type_code=filters.get("type_code", ""),
            **plain_filters,
        )
        # When searching with those filters
        result = selectors.search_documents(user, limit=100, **filters)
        # Then the same rows come, in the same order, with the same count
        assert [row.pk for row in result.items] == expected
        assert (result.total, result.more) == (len(expected), False)
        # And with a count cap below the number of rows, the count says "more than"
        monkeypatch.setattr(selectors, "COUNT_CAP", 2)
        capped = selectors.search_documents(user, limit=3, **filters)
        monkeypatch.setattr(selectors, "COUNT_CAP", 1000)
        assert [row.pk for row in capped.items] == expected[:3]
        if len(expected) > 2:
            assert (capped.total, capped.more) == (2, True)
        else:
            assert (capped.total, capped.more) == (len(expected), False)


def test_issuer_names_are_listed_once_each(world: World) -> None:
    # Given the documents (8 rows per issuer name)
    _index(world)
    # When listing the issuer names containing some folded text
    # Then each distinct name containing it comes once, in order
    assert selectors._issuers_containing("so y te") == ["so y te", "so y te tinh binh duong"]
    assert selectors._issuers_containing("binh duong") == [
        "so y te tinh binh duong",
        "thanh tra tinh binh duong",
    ]
    assert selectors._issuers_containing("bo noi vu") == ["bo noi vu"]
    assert selectors._issuers_containing("xyz") == []
    # And every name in the table is found by the empty text (the empty name too)
    names = sorted(set(DocumentIndex.objects.values_list("issuer_folded", flat=True)))
    assert selectors._issuers_containing("") == names


def test_issuer_filter_with_words_unchanged(world: World) -> None:
    # Given the documents
    _index(world)
    # When the words and an issuer are searched together
    result = selectors.search_documents(world.clerk, q="thanh tra", issuer="bo noi vu", limit=100)
    # Then the rows are those of that issuer whose text has the words, newest first
    expected = _plain(world.clerk, issuer="bo noi vu")
    assert [row.pk for row in result.items] == expected
    assert result.total == len(expected)


@pytest.mark.parametrize("cap", [1000, 3])
def test_few_matches_pages_equal_the_whole_list(
    world: World, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    # Given the documents (all 40 about "thanh tra") and a count cap
    _index(world)
    monkeypatch.setattr(selectors, "COUNT_CAP", cap)
    whole = selectors.search_documents(world.clerk, q="thanh tra", limit=100)
    ids = [row.pk for row in whole.items]
    assert ids == _plain(world.clerk) and len(ids) > 10
    for offset in (0, 1, 2, 3, 4, 9, len(ids) - 1, len(ids) + 5):
        # When pages of two are asked at various offsets (inside the first cap + 1 rows
        # found by the probe's pass, and beyond)
        page = selectors.search_documents(world.clerk, q="thanh tra", limit=2, offset=offset)
        # Then each is that slice of the whole list, and the count is the same
        assert [row.pk for row in page.items] == ids[offset : offset + 2]
        assert (page.total, page.more) == (whole.total, whole.more)
    assert (whole.total, whole.more) == ((3, True) if cap == 3 else (len(ids), False))
