"""Searching the registry: diacritics, numbers first, titles above bodies, filters, phrases,
snippets, and soft-deleted documents left out — the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from lienthong.core.context import acting
from lienthong.registries.legal import services
from lienthong.registries.legal.models import DocumentStatus, LegalDocument
from lienthong.registries.legal.selectors import Filters, search_documents

pytestmark = pytest.mark.django_db

#: Complaints, denunciations, citizen reception, and laws that mention complaints in their
#: bodies only (administrative procedure, land).
SLUGS = [
    "02-2011-qh13",
    "42-2013-qh13",
    "25-2018-qh14",
    "64-2014-nd-cp",
    "93-2015-qh13",
    "45-2013-qh13",
    "30-2020-nd-cp",
    "61-2018-nd-cp",
    "01-2018-tt-vpcp",
]


@pytest.fixture
def laws(load: Callable[..., services.LoadReport]) -> dict[str, LegalDocument]:
    load(SLUGS)
    return {d.number: d for d in LegalDocument.objects.all()}


def numbers(q: str, filters: Filters | None = None, limit: int = 100) -> list[str]:
    return [h.document.number for h in search_documents(q, filters, limit=limit).hits]


@pytest.mark.parametrize("q", ["khiếu nại", "KHIEU NAI", "Khiếu Nai", "khieu  nai"])
def test_a_query_without_diacritics_finds_the_same_documents_in_the_same_order(
    laws: dict[str, LegalDocument], q: str
) -> None:
    assert numbers(q) == numbers("khieu nai")
    assert numbers("khieu nai")[0] == "02/2011/QH13"


def test_title_matches_rank_above_body_only_matches(laws: dict[str, LegalDocument]) -> None:
    found = numbers("tiep cong dan")
    # the law and its decree carry the words in their titles; the others only in the body
    assert set(found[:2]) == {"42/2013/QH13", "64/2014/NĐ-CP"}
    hits = search_documents("tiep cong dan", limit=100).hits
    assert [h.score for h in hits] == sorted((h.score or 0 for h in hits), reverse=True)
    assert all(h.score is not None and h.score >= 1 for h in hits[:2])
    assert all(h.score is not None and h.score < 1 for h in hits[2:])


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("02/2011/QH13", "02/2011/QH13"),
        ("02/2011/qh13", "02/2011/QH13"),
        ("02/2011", "02/2011/QH13"),
        ("2/2011/QH13", "02/2011/QH13"),
        ("30/2020/NĐ-CP", "30/2020/NĐ-CP"),
        ("30/2020/nd-cp", "30/2020/NĐ-CP"),
        ("61/2018/NĐ-CP", "61/2018/NĐ-CP"),
        ("luat 02/2011/QH13", "02/2011/QH13"),
    ],
)
def test_a_number_finds_its_document_first(
    laws: dict[str, LegalDocument], q: str, first: str
) -> None:
    hits = search_documents(q).hits
    assert hits[0].document.number == first
    assert hits[0].number_match
    assert not any(h.number_match for h in hits[1:])


def test_a_number_cited_by_another_document_finds_both_the_document_first(
    laws: dict[str, LegalDocument],
) -> None:
    # Thông tư 01/2018/TT-VPCP guides Nghị định 61/2018/NĐ-CP and cites it in its title.
    found = numbers("61/2018/NĐ-CP")
    assert found[0] == "61/2018/NĐ-CP"
    assert "01/2018/TT-VPCP" in found


def test_filters_narrow_in_the_same_query(laws: dict[str, LegalDocument]) -> None:
    assert numbers("khieu nai", Filters(doc_type="decree")) == [
        n for n in numbers("khieu nai") if "NĐ-CP" in n
    ]
    assert numbers("khieu nai", Filters(year=2011)) == ["02/2011/QH13"]
    assert numbers("khieu nai", Filters(issuer="Chính phủ")) == numbers(
        "khieu nai", Filters(doc_type="decree")
    )
    status = Filters(status=DocumentStatus.PARTLY_AMENDED)
    assert numbers("khieu nai", status) == ["02/2011/QH13"]  # Chapter V ended by 42/2013
    assert numbers("khieu nai", Filters(year=1999)) == []
    page = search_documents("khieu nai", Filters(doc_type="law"), limit=2)
    assert page.total == len(numbers("khieu nai", Filters(doc_type="law")))
    assert len(page.hits) == 2


def test_pages_follow_each_other(laws: dict[str, LegalDocument]) -> None:
    everything = numbers("quy dinh")
    pages = [
        [h.document.number for h in search_documents("quy dinh", limit=4, offset=o).hits]
        for o in range(0, len(everything), 4)
    ]
    assert [n for page in pages for n in page] == everything
    assert search_documents("quy dinh", limit=4, offset=100).total == len(everything)


def test_without_a_query_the_newest_come_first(laws: dict[str, LegalDocument]) -> None:
    page = search_documents(None, limit=3)
    assert page.total == len(SLUGS)
    dates = [h.document.issued_date for h in page.hits]
    assert None not in dates
    assert dates == sorted((d for d in dates if d), reverse=True)
    assert search_documents("", Filters(doc_type="circular")).total == 1


def test_a_phrase_at_the_end_of_a_long_law_is_found(laws: dict[str, LegalDocument]) -> None:
    # 93/2015/QH13 is 341 KB; this phrase is in its last lines, past the positions a
    # PostgreSQL tsvector keeps.
    assert numbers('"khoa xiii ky hop thu 10"') == ["93/2015/QH13"]
    assert numbers('"ky hop thu 10 khoa xiii"') == []


def test_snippets_show_the_original_words_marked(laws: dict[str, LegalDocument]) -> None:
    hit = search_documents("khieu nai", limit=1).hits[0]
    assert str(hit.title_html) == "Luật <mark>Khiếu</mark> <mark>nại</mark>"
    assert "<mark>" in str(hit.snippet_html)
    assert "khiếu nại" in hit.snippet.lower()


def test_a_match_past_the_head_still_gets_its_snippet(laws: dict[str, LegalDocument]) -> None:
    # The last lines of a 341 KB law: far past the 32,000 characters read first.
    hit = search_documents('"khoa xiii ky hop thu 10"').hits[0]
    assert "<mark>" in str(hit.snippet_html)
    assert "kỳ họp thứ 10" in hit.snippet


def test_soft_deleted_documents_are_not_found(laws: dict[str, LegalDocument]) -> None:
    with acting(via="test"):
        services.delete_document(laws["02/2011/QH13"])
    assert "02/2011/QH13" not in numbers("khieu nai")
    assert "02/2011/QH13" not in numbers("02/2011/QH13")
    assert "02/2011/QH13" not in [h.document.number for h in search_documents(None).hits]
    with acting(via="test"):
        services.restore_document(LegalDocument.objects.get(number="02/2011/QH13"))
    assert numbers("khieu nai")[0] == "02/2011/QH13"


def test_nothing_is_found_for_absent_words_or_syntax(laws: dict[str, LegalDocument]) -> None:
    assert numbers("xyzzy") == []
    assert search_documents("xyzzy").total == 0
    # operators and quotes are text, never SQL or FTS syntax
    assert isinstance(numbers('"khieu nai (AND) OR NOT * title:(x) -dat'), list)


def test_a_document_issued_later_ranks_first_among_equals(load: Callable[..., object]) -> None:
    load(["58-2014-qh13", "41-2024-qh15"])  # two laws both titled "Luật Bảo hiểm xã hội"
    found = numbers("luat bao hiem xa hoi")
    assert set(found) == {"58/2014/QH13", "41/2024/QH15"}
    assert LegalDocument.objects.get(number="41/2024/QH15").issued_date == datetime.date(
        2024, 6, 29
    )
