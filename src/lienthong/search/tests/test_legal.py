"""Real laws from the shared corpus: ranking, diacritics and phrases in texts of 20–340 KB."""

from __future__ import annotations

import pytest
from django.db import connection

from lienthong.search import services
from lienthong.search.backends.postgresql import exact_tsquery
from lienthong.search.models import SearchEntry
from lienthong.search.query import parse
from lienthong.search.tests.helpers import ids, read_law

pytestmark = pytest.mark.django_db

#: Laws that speak of complaints (khiếu nại) a lot, and some that do not.
SLUGS = [
    "93-2015-qh13",  # Luật Tố tụng hành chính, 341 KB, 135 mentions of khiếu nại
    "42-2013-qh13",  # Luật Tiếp công dân, 103 mentions
    "25-2018-qh14",  # Luật Tố cáo
    "64-2014-nd-cp",  # Nghị định on Luật Tiếp công dân, 74 mentions
    "02-2011-qh13",  # Luật Khiếu nại, 333 mentions
    "59-2020-qh14",  # Luật Doanh nghiệp, 430 KB
    "45-2013-qh13",  # Luật Đất đai
    "102-2016-qh13",  # Luật Trẻ em
]


@pytest.fixture
def laws(index_law):
    return {slug: str(index_law(slug).pk) for slug in SLUGS}


@pytest.mark.parametrize(
    "query", ["khieu nai", "khiếu nại", "luat khieu nai", "Luật Khiếu nại", "KHIEU NAI"]
)
def test_the_complaints_law_ranks_first_for_complaints(laws, query):
    hits = services.search(query, limit=5)
    assert hits[0].object_id == laws["02-2011-qh13"]
    assert hits[0].title == "Luật Khiếu nại"
    assert hits[0].url == "/van-ban/02-2011-qh13/"
    # the snippet is original text, with diacritics, around a match
    assert "khiếu nại" in hits[0].snippet.lower()
    assert "<mark>" in hits[0].snippet_html


def test_each_law_ranks_first_for_its_own_subject(laws):
    assert ids(services.search("to cao", limit=1)) == [laws["25-2018-qh14"]]
    assert ids(services.search("dat dai", limit=1)) == [laws["45-2013-qh13"]]
    assert ids(services.search("tre em", limit=1)) == [laws["102-2016-qh13"]]
    # the law and its implementing decree both carry the words in their titles
    assert sorted(ids(services.search("tiep cong dan", limit=2))) == sorted(
        [laws["42-2013-qh13"], laws["64-2014-nd-cp"]]
    )
    assert ids(services.search("doanh nghiep", limit=1)) == [laws["59-2020-qh14"]]


def test_the_number_of_a_law_finds_it(laws):
    found = ids(services.search("02/2011/QH13"))
    assert laws["02-2011-qh13"] in found
    assert laws["45-2013-qh13"] not in found


def test_a_phrase_at_the_end_of_a_long_law_is_found(laws):
    # "khóa XIII, kỳ họp thứ 10" occurs once, in the last lines of a 341 KB law: about
    # 76,000 words in, far past the positions a PostgreSQL tsvector keeps (16,383).
    law = read_law("93-2015-qh13")
    assert law.body.count("khóa XIII, kỳ họp thứ 10") == 1
    assert law.body.rindex("khóa XIII, kỳ họp thứ 10") > len(law.body) - 500
    phrase = '"khoa xiii ky hop thu 10"'
    assert ids(services.search(phrase)) == [laws["93-2015-qh13"]]
    assert services.count(phrase) == 1
    # the same words in another order are no phrase
    assert services.search('"ky hop thu 10 khoa xiii"') == []
    assert laws["93-2015-qh13"] in ids(services.search("ky hop thu 10 khoa xiii"))
    if connection.vendor == "postgresql":
        # the tsvector alone could not tell: its positions stop at 16,383
        entry = SearchEntry.objects.get(object_id=laws["93-2015-qh13"])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT document @@ to_tsquery('simple', %s), phrase_text IS NOT NULL"
                " FROM search_searchentry WHERE id = %s",
                [exact_tsquery(parse(phrase)), entry.pk],
            )
            assert cursor.fetchone() == (False, True)


def test_a_frequent_phrase_is_found_in_every_law_that_has_it(laws):
    expected = sorted(
        laws[slug] for slug in SLUGS if "giải quyết khiếu nại" in read_law(slug).body.lower()
    )
    assert len(expected) >= 4
    assert sorted(ids(services.search('"giai quyet khieu nai"'))) == expected
