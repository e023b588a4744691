"""Indexing and searching through the public interface, on the database the suite runs on.

Every behaviour here must hold on both backends: SQLite FTS5 and PostgreSQL tsvector.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.search import services
from lienthong.search.backends import get_backend
from lienthong.search.models import HEAD_LENGTH, SearchEntry, SearchText
from lienthong.search.tests.helpers import ids

pytestmark = pytest.mark.django_db

TEN_THOUSAND = ('khiếu nại (AND) "OR" *: -- \'; ' * 400)[:10_000]
HOSTILE = [
    '"',
    '""',
    '"khieu',
    "*",
    "**",
    "khieu**",
    "AND OR NOT",
    "NEAR(khieu nai)",
    ":",
    "title:khieu",
    "(",
    "(khieu",
    ")",
    "-",
    "-khieu",
    "^khieu",
    "khieu & nai | !x",
    "'; DROP TABLE search_searchentry; --",
    "1' OR '1'='1",
    "%",
    "_",
    "\\",
    "\x00",
    "🙂",
    "khiếu 🙂 nại",
    "x² ½",
    "中文 Привет",
    TEN_THOUSAND,
]


def test_the_backend_is_the_one_of_the_database_and_holds_folded_tokens(make_doc):
    # given an entry with diacritics and punctuation
    doc = make_doc("Luật Khiếu nại", "Điều 1. Phạm vi điều chỉnh: khiếu nại, tố cáo.")
    entry = SearchEntry.objects.get(object_id=str(doc.pk))
    # then the backend is the database's own, and what it indexed is the folded tokens
    assert get_backend().vendor == connection.vendor
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT title, body FROM search_fts WHERE rowid = %s", [entry.pk])
            assert cursor.fetchall() == [
                ("luat khieu nai", "dieu 1 pham vi dieu chinh khieu nai to cao")
            ]
        else:
            cursor.execute(
                "SELECT document::text, phrase_text FROM search_searchentry WHERE id = %s",
                [entry.pk],
            )
            assert cursor.fetchall() == [
                (
                    "'1':5B 'cao':13B 'chinh':9B 'dieu':4B,8B 'khieu':2A,10B 'luat':1A "
                    "'nai':3A,11B 'pham':6B 'to':12B 'vi':7B",
                    None,
                )
            ]


def test_a_query_without_diacritics_finds_text_with_them(make_doc):
    doc = make_doc("Giải quyết khiếu nại về đất đai")
    assert ids(services.search("giai quyet khieu nai dat dai")) == [str(doc.pk)]
    assert ids(services.search("GIAI QUYET")) == [str(doc.pk)]


def test_a_query_with_diacritics_finds_text_without_them(make_doc):
    doc = make_doc("Thu tuc hanh chinh", "giai quyet khieu nai ve dat dai")
    assert ids(services.search("Giải quyết khiếu nại đất đai")) == [str(doc.pk)]


def test_other_scripts_are_found_regardless_of_case(make_doc):
    doc = make_doc("Привет мир", "中文 文本")
    assert ids(services.search("ПРИВЕТ")) == [str(doc.pk)]
    assert ids(services.search("中文")) == [str(doc.pk)]


def test_every_word_must_match(make_doc):
    # given one entry with both words and one with only the first
    both = make_doc("Khiếu nại đất đai")
    make_doc("Khiếu nại hành chính")
    # when both words are searched, then only the entry with both is found
    assert ids(services.search("khieu dat")) == [str(both.pk)]
    assert services.count("khieu dat") == 1
    assert services.count("khieu") == 2
    assert services.search("khieu vang") == []


def test_a_phrase_matches_only_adjacent_words_in_order(make_doc):
    # given the words adjacent in one entry, apart in another, reversed in a third
    adjacent = make_doc("Văn bản 1", "Trình tự giải quyết khiếu nại lần đầu.")
    apart = make_doc("Văn bản 2", "Giải quyết việc khiếu nại.")
    reversed_ = make_doc("Văn bản 3", "Khiếu nại được giải quyết.")
    # then words find all three, the phrase only the first
    assert sorted(ids(services.search("giai quyet khieu nai"))) == sorted(
        [str(adjacent.pk), str(apart.pk), str(reversed_.pk)]
    )
    assert ids(services.search('"giai quyet khieu nai"')) == [str(adjacent.pk)]
    assert services.count('"giai quyet khieu nai"') == 1
    assert services.search('"khieu nai giai quyet"') == []


def test_a_phrase_does_not_cross_punctuation_boundaries_it_cannot_see(make_doc):
    # Punctuation is not a token: "khiếu nại, tố cáo" reads as adjacent words, as in FTS5.
    doc = make_doc("Văn bản", "Tiếp nhận khiếu nại, tố cáo của công dân.")
    assert ids(services.search('"khieu nai to cao"')) == [str(doc.pk)]


def test_a_trailing_star_matches_a_prefix(make_doc):
    doc = make_doc("Luật Khiếu nại", "Người khiếu nại có quyền rút khiếu nại.")
    assert ids(services.search("khi*")) == [str(doc.pk)]
    assert ids(services.search("khiếu* nạ*")) == [str(doc.pk)]
    assert ids(services.search('"rut khieu*"')) == [str(doc.pk)]
    assert services.search("khi") == []
    assert services.search('"rut nai*"') == []


def test_a_title_match_ranks_above_a_body_only_match(make_doc):
    # given the body-only entry indexed first (so id order cannot explain the result)
    body_only = make_doc("Quy định chung", "Thời hiệu khiếu nại là 90 ngày.")
    in_title = make_doc("Khiếu nại hành chính", "Quy định về thời hạn giải quyết.")
    hits = services.search("khieu nai")
    assert ids(hits) == [str(in_title.pk), str(body_only.pk)]
    assert hits[0].score > hits[1].score


def test_many_mentions_rank_above_one(make_doc):
    filler = "Cơ quan nhà nước có trách nhiệm thực hiện đúng quy định của pháp luật. "
    once = make_doc("Văn bản A", filler * 3 + "Công dân có quyền khiếu nại. " + filler * 3)
    often = make_doc(
        "Văn bản B", (filler + "Công dân có quyền khiếu nại. ") * 3 + "Người khiếu nại. "
    )
    hits = services.search("khieu nai")
    assert ids(hits) == [str(often.pk), str(once.pk)]
    assert hits[0].score > hits[1].score


def test_equal_scores_are_ordered_by_indexing_order(make_doc):
    docs = [make_doc("Khiếu nại", "Khiếu nại.") for _ in range(4)]
    expected = [str(doc.pk) for doc in docs]
    assert ids(services.search("khieu nai")) == expected
    assert ids(services.search("khieu nai", limit=2, offset=1)) == expected[1:3]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_input_never_raises(make_doc, raw):
    # given an entry that any word of the hostile inputs could match
    make_doc("Khiếu nại tố cáo", "title near and or not drop table search searchentry x")
    # when the raw input is searched and counted, then nothing raises and both agree
    hits = services.search(raw)
    assert len(hits) == services.count(raw)


def test_hostile_words_are_searched_as_words(make_doc):
    doc = make_doc("Tài liệu", "and or not near drop table")
    assert ids(services.search("AND OR NOT")) == [str(doc.pk)]
    assert ids(services.search("NEAR(drop table)")) == [str(doc.pk)]
    assert services.search("'; DROP TABLE search_searchentry; --") == []
    assert SearchEntry.objects.count() == 1


def test_reindexing_replaces_the_old_text(make_doc):
    # given an entry indexed with old words
    doc = make_doc("Tiêu đề cũ", "nội dung cũ về đất đai")
    # when it is indexed again with new words
    services.index(doc, title="Tiêu đề mới", body="nội dung mới về khiếu nại")
    # then the old words no longer find it and the new ones do
    assert services.search("dat dai") == []
    assert services.search("tieu de cu") == []
    assert ids(services.search("khieu nai")) == [str(doc.pk)]
    assert ids(services.search("tieu de moi")) == [str(doc.pk)]
    assert SearchEntry.objects.count() == 1
    assert get_backend().stats()["indexed"] == 1


def test_indexing_the_same_text_twice_changes_nothing(make_doc):
    doc = make_doc("Khiếu nại", "Nội dung", url="/a/")
    before = SearchEntry.objects.get()
    after = services.index(doc, title="Khiếu nại", body="Nội dung", url="/a/")
    assert (after.pk, after.updated_at, after.digest) == (
        before.pk,
        before.updated_at,
        before.digest,
    )
    assert SearchEntry.objects.count() == 1
    assert get_backend().stats()["indexed"] == 1


def test_changing_only_the_link_keeps_the_text_indexed(make_doc):
    doc = make_doc("Khiếu nại", "Nội dung", url="/cu/")
    services.index(doc, title="Khiếu nại", body="Nội dung", url="/moi/")
    [hit] = services.search("khieu nai")
    assert hit.url == "/moi/"


def test_remove_drops_the_entry_its_text_and_its_index_row(make_doc):
    doc = make_doc("Khiếu nại", "Nội dung")
    other = make_doc("Khiếu nại khác", "Nội dung khác")
    assert services.remove(doc) is True
    assert ids(services.search("khieu nai")) == [str(other.pk)]
    assert list(SearchEntry.objects.values_list("object_id", flat=True)) == [str(other.pk)]
    assert list(SearchText.objects.values_list("body", flat=True)) == ["Nội dung khác"]
    assert get_backend().stats()["indexed"] == 1
    # removing again finds nothing to remove
    assert services.remove(doc) is False


def test_remove_by_key_works_after_the_object_is_gone(make_doc):
    doc = make_doc("Khiếu nại")
    object_id = doc.pk
    doc.delete()
    assert services.remove_by_key(Group, object_id) is True
    assert services.remove_by_key("auth.group", object_id) is False
    assert services.search("khieu nai") == []


def test_deleting_entries_by_queryset_leaves_no_index_rows(make_doc):
    make_doc("Khiếu nại")
    make_doc("Tố cáo")
    SearchEntry.objects.all().delete()
    stats = get_backend().stats()
    assert (stats["indexed"], stats["missing"]) == (0, 0)
    assert stats.get("orphans", 0) == 0
    assert services.search("khieu nai") == []


def test_rebuild_recreates_the_index_from_stored_text(make_doc):
    doc = make_doc("Luật Khiếu nại", "Mở đầu. " + "x " * HEAD_LENGTH + "Giải quyết khiếu nại")
    get_backend().clear()
    assert services.search("khieu nai") == []
    assert services.rebuild() == 1
    # the whole text is back, not just the head kept on the entry
    assert ids(services.search('"giai quyet khieu nai"')) == [str(doc.pk)]


def test_the_whole_text_is_kept_apart_and_its_head_on_the_entry(make_doc):
    body = "Mở đầu. " + "x" * HEAD_LENGTH + " Kết thúc."
    doc = make_doc("Văn bản dài", body)
    entry = SearchEntry.objects.get(object_id=str(doc.pk))
    assert entry.head == body[:HEAD_LENGTH]
    assert entry.text.body == body
    services.index(doc, title="Văn bản dài", body="Ngắn.")
    entry.refresh_from_db()
    assert (entry.head, SearchText.objects.get(entry=entry).body) == ("Ngắn.", "Ngắn.")


def test_a_word_past_the_head_is_found_and_the_snippet_shows_the_opening(make_doc):
    # given a body whose only mention of the word lies past the head kept for snippets
    filler = "Quy định chung về tổ chức và hoạt động. " * (HEAD_LENGTH // 40 + 10)
    doc = make_doc("Văn bản dài", filler + "Thời hiệu khiếu nại là 90 ngày.")
    # then the word finds it, and the snippet is the opening, marked as continuing
    [hit] = services.search("khieu nai")
    assert hit.object_id == str(doc.pk)
    assert hit.snippet.startswith("Quy định chung về tổ chức và hoạt động.")
    assert hit.snippet.endswith(" …")
    assert "<mark>" not in hit.snippet_html


def test_a_huge_body_of_unique_words_is_indexed_on_both_backends(make_doc):
    # 1.4 MB of distinct codes: more than a PostgreSQL tsvector may hold (1 MB)
    codes = " ".join(f"ma{i:06d}" for i in range(160_000))
    doc = make_doc("Danh mục mã", "Khiếu nại " + codes)
    assert ids(services.search("ma000001")) == [str(doc.pk)]
    assert ids(services.search('"khieu nai ma000000"')) == [str(doc.pk)]
    assert get_backend().stats()["indexed"] == 1


def test_bad_scope_or_link_is_refused_and_nothing_is_written(db):
    group = Group.objects.create(name="x")
    bad_arguments = [
        {"scope": "/"},
        {"scope": "1/2/"},
        {"scope": "/1/2"},
        {"scope": "/a/"},
        {"url": "javascript:alert(1)"},
        {"url": "//evil.example/"},
        {"url": "/" + "x" * 500},
    ]
    for bad in bad_arguments:
        with pytest.raises(ValueError):
            services.index(group, title="Khiếu nại", **bad)
    with pytest.raises(ValueError):
        services.index(Group(name="unsaved"), title="Khiếu nại")
    assert (SearchEntry.objects.count(), SearchText.objects.count()) == (0, 0)
    assert get_backend().stats()["indexed"] == 0
    assert services.search("khieu nai", scope_paths=services.ALL_SCOPES) == []


def test_models_limit_the_result(make_doc):
    group_doc = make_doc("Khiếu nại")
    unit = make_org_unit("Ban tiếp công dân")
    services.index(unit, title="Khiếu nại tại ban tiếp công dân")
    assert ids(services.search("khieu nai", models=[Group])) == [str(group_doc.pk)]
    assert ids(services.search("khieu nai", models=["core.orgunit"])) == [str(unit.pk)]
    assert services.count("khieu nai", models=[Group, "core.OrgUnit"]) == 2
    assert services.search("khieu nai", models=[]) == []


def test_hits_carry_the_original_text_with_matches_marked(make_doc):
    doc = make_doc(
        "Luật <b>Khiếu nại</b>",
        "Chương I. " + "Quy định chung. " * 40 + "Người KHIẾU NẠI có quyền rút khiếu nại.",
        url="/van-ban/1/",
    )
    [hit] = services.search("khieu nai")
    assert (hit.content_type, hit.kind, hit.object_id, hit.url) == (
        "auth.group",
        "Nhóm",
        str(doc.pk),
        "/van-ban/1/",
    )
    assert hit.title == "Luật <b>Khiếu nại</b>"
    assert str(hit.title_html) == ("Luật &lt;b&gt;<mark>Khiếu</mark> <mark>nại</mark>&lt;/b&gt;")
    # the snippet starts about 60 characters before the match, on a word boundary
    assert hit.snippet == (
        "… định chung. Quy định chung. Quy định chung. Người KHIẾU NẠI có quyền rút khiếu nại."
    )
    assert str(hit.snippet_html).endswith(
        "Người <mark>KHIẾU</mark> <mark>NẠI</mark> có quyền rút <mark>khiếu</mark> "
        "<mark>nại</mark>."
    )


def test_a_phrase_is_marked_as_one_match(make_doc):
    make_doc("Văn bản", "Trình tự giải quyết khiếu nại lần đầu.")
    [hit] = services.search('"giải quyết khiếu nại"')
    assert str(hit.snippet_html) == "Trình tự <mark>giải quyết khiếu nại</mark> lần đầu."


# -- visibility --------------------------------------------------------------------------


@pytest.fixture
def units(db):
    province = make_org_unit("UBND tỉnh")
    justice = make_org_unit("Sở Tư pháp", parent=province)
    division = make_org_unit("Phòng Hành chính tư pháp", parent=justice, is_agency=False)
    planning = make_org_unit("Sở Kế hoạch và Đầu tư", parent=province)
    return {"province": province, "justice": justice, "division": division, "planning": planning}


def test_a_scoped_entry_is_seen_at_its_unit_and_above_only(make_doc, units):
    # given a public entry and one scoped to a division of the justice department
    public = make_doc("Khiếu nại công khai")
    scoped = make_doc("Khiếu nại nội bộ", scope=units["division"])
    both, public_only = sorted([str(public.pk), str(scoped.pk)]), [str(public.pk)]

    def seen(user):
        return sorted(ids(services.search("khieu nai", user=user)))

    # then officials of the division, the department and the province see both
    for unit in ("division", "justice", "province"):
        official = make_user(roles=[(Role.SPECIALIST, units[unit])])
        assert seen(official) == both, unit
        assert services.count("khieu nai", user=official) == 2
    # and an official of another department, a citizen and an anonymous visitor do not
    other = make_user(roles=[(Role.LEADER, units["planning"])])
    citizen = make_user(roles=[(Role.CITIZEN, None)])
    disabled = make_user(roles=[(Role.SPECIALIST, units["division"])], is_active=False)
    for user in (other, citizen, disabled, None):
        assert seen(user) == public_only
        assert services.count("khieu nai", user=user) == 1
    # and the same rule holds for the queryset every list uses
    assert set(SearchEntry.objects.visible_to(other).values_list("object_id", flat=True)) == {
        str(public.pk)
    }


def test_explicit_scope_paths_and_all_scopes(make_doc, units):
    public = make_doc("Khiếu nại công khai")
    scoped = make_doc("Khiếu nại nội bộ", scope=units["division"].path)
    assert ids(services.search("khieu nai", scope_paths=[units["planning"].path])) == [
        str(public.pk)
    ]
    assert services.count("khieu nai", scope_paths=[units["justice"]]) == 2
    assert services.count("khieu nai", scope_paths=services.ALL_SCOPES) == 2
    superuser = make_user(is_superuser=True)
    assert services.count("khieu nai", user=superuser) == 2
    assert str(scoped.pk) in ids(services.search("khieu nai", user=superuser))
