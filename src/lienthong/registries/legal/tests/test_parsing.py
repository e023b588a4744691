"""Reading corpus files (front matter and its faults) and the relations a text states."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from lienthong.registries.legal.models import DocumentType, RelationKind
from lienthong.registries.legal.numbers import looks_like_number, number_key, number_slug
from lienthong.registries.legal.parsing import (
    FrontMatterError,
    document_type,
    extract_relations,
    parse_document,
    read_file,
)
from lienthong.registries.legal.tests.conftest import CORPUS

GOOD = """---
number: "02/2011/QH13"
type: "Luật"
issuer: "Quốc hội"
issued_date: "2011-11-11"
effective_date: "2012-07-01"
title: "Luật Khiếu nại"
source_url: "https://example.vn/a"
---

Điều 1. Phạm vi điều chỉnh
"""


def test_a_corpus_file_is_read_whole() -> None:
    data = read_file(CORPUS / "02-2011-qh13.md")
    assert data.number == "02/2011/QH13"
    assert data.doc_type == DocumentType.LAW
    assert data.issuer == "Quốc hội"
    assert data.issued_date == datetime.date(2011, 11, 11)
    assert data.effective_date == datetime.date(2012, 7, 1)
    assert data.title == "Luật Khiếu nại"
    assert data.text.startswith("QUỐC HỘI")
    assert data.path == "02-2011-qh13.md"
    assert len(data.digest) == 64


def test_every_corpus_file_reads() -> None:
    paths = sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")
    assert len(paths) == 76
    types = {read_file(p).doc_type for p in paths}
    assert types == {"law", "code", "decree", "circular", "decision"}


def test_quoted_values_unescape_and_bare_values_are_taken_as_written() -> None:
    data = parse_document(GOOD.replace('"Luật Khiếu nại"', '"Luật \\"Khiếu nại\\""'))
    assert data.title == 'Luật "Khiếu nại"'
    assert parse_document(GOOD.replace('issuer: "Quốc hội"', "issuer: Quốc hội")).issuer == (
        "Quốc hội"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("number: x\n", "không bắt đầu bằng dòng “---”"),
        ('---\nnumber: "1/2020/QH14"\n', "thiếu dòng “---” kết thúc"),
        (GOOD.replace('issued_date: "2011-11-11"', 'issued_date: "11/11/2011"'), "YYYY-MM-DD"),
        (GOOD.replace('type: "Luật"', 'type: "Công văn"'), "loại văn bản “Công văn”"),
        (GOOD.replace('title: "Luật Khiếu nại"\n', ""), "thiếu title"),
        (GOOD.replace('issuer: "Quốc hội"', 'issuer: ""'), "thiếu issuer"),
        (GOOD.replace('title: "Luật Khiếu nại"', 'titel: "x"'), "khóa không được hỗ trợ: titel"),
        (GOOD.replace('issuer: "Quốc hội"', 'issuer: "Quốc hội"\nissuer: "Chính phủ"'), "lặp lại"),
        (GOOD.replace('title: "Luật Khiếu nại"', 'title: "Luật'), "ngoặc kép không hợp lệ"),
        (GOOD.replace('title: "Luật Khiếu nại"', "không có dấu hai chấm"), "khóa: giá trị"),
        (GOOD.replace('number: "02/2011/QH13"', 'number: "QH"'), "không có chữ số"),
    ],
)
def test_a_bad_front_matter_names_the_file_and_the_rule(content: str, message: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_document(content, path="bad.md")
    assert str(caught.value).startswith("bad.md")
    assert message in str(caught.value)


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin.md"
    path.write_bytes(GOOD.encode("cp1258", errors="replace"))
    with pytest.raises(FrontMatterError, match=r"latin\.md: tệp không phải văn bản UTF-8"):
        read_file(path)


def test_numbers_fold_to_one_key_and_slug() -> None:
    assert number_key("30/2020/NĐ-CP") == number_key("30/2020/nd-cp") == "30 2020 nd cp"
    assert number_slug("30/2020/NĐ-CP") == "30-2020-nd-cp"
    assert number_key("30-2020-nd-cp") == "30 2020 nd cp"  # the slug names the same document
    assert number_key("02/2011/QH13") == number_key("2/2011/qh13") == "2 2011 qh13"
    assert number_slug("02/2011/QH13") == "02-2011-qh13"
    assert looks_like_number("02/2011") and looks_like_number(" 02/2011/QH13")
    assert not looks_like_number("khieu nai") and not looks_like_number("2011")


def test_document_types_by_official_name_with_or_without_diacritics() -> None:
    assert document_type("Nghị định") == document_type("nghi dinh") == "decree"
    assert document_type("Bộ luật") == "code"
    assert document_type("decree") == "decree"
    assert document_type("Công văn") is None


def _relations(slug: str) -> set[tuple[str, str]]:
    data = read_file(CORPUS / f"{slug}.md")
    found = extract_relations(data.text, title=data.title, number=data.number)
    return {(r.kind, r.number or r.name) for r in found}


def test_a_law_that_ends_chapter_v_of_another_partly_replaces_it() -> None:
    # "… Chương V của Luật khiếu nại số 02/2011/QH13 hết hiệu lực thi hành kể từ ngày Luật
    # này có hiệu lực."
    assert (RelationKind.PARTLY_REPLACES, "02/2011/QH13") in _relations("42-2013-qh13")


def test_the_laws_that_amended_an_expiring_law_do_not_expire_with_it() -> None:
    # "Luật Bảo hiểm xã hội số 58/2014/QH13 đã được sửa đổi, bổ sung một số điều theo Luật
    # số 84/2015/QH13, Luật số 35/2018/QH14, Bộ luật số 45/2019/QH14 (…) … hết hiệu lực"
    found = _relations("41-2024-qh15")
    assert (RelationKind.REPLACES, "58/2014/QH13") in found
    assert (RelationKind.REPLACES, "45/2019/QH14") not in found  # the Labour Code lives on
    assert (RelationKind.REPLACES, "35/2018/QH14") not in found
    # "Bãi bỏ khoản 2 Điều 17 của Luật Người cao tuổi số 39/2009/QH12."
    assert (RelationKind.PARTLY_REPLACES, "39/2009/QH12") in found
    # "Sửa đổi, bổ sung điểm e khoản 3 Điều 57 của Luật Việc làm số 38/2013/QH13 như sau"
    assert (RelationKind.AMENDS, "38/2013/QH13") in found


def test_a_circular_amends_the_circulars_its_articles_name() -> None:
    assert _relations("03-2021-tt-bnv") >= {
        (RelationKind.AMENDS, "08/2013/TT-BNV"),
        (RelationKind.AMENDS, "04/2005/TT-BNV"),
    }


def test_guides_by_number_or_by_name_and_based_on_by_name_and_date() -> None:
    assert (RelationKind.GUIDES, "61/2018/NĐ-CP") in _relations("01-2018-tt-vpcp")
    assert (RelationKind.GUIDES, "Luật Tố cáo") in _relations("31-2019-nd-cp")
    data = read_file(CORPUS / "38-2022-nd-cp.md")
    found = extract_relations(data.text, title=data.title, number=data.number)
    assert any(
        r.kind == RelationKind.BASED_ON
        and r.name == "Bộ luật Lao động"
        and r.date == datetime.date(2019, 11, 20)
        for r in found
    )


def test_a_law_without_set_phrases_states_no_relation() -> None:
    assert _relations("24-2008-qh12") == set()  # Luật Quốc tịch: no "hết hiệu lực" sentence


def test_the_constitution_amended_by_a_resolution_is_no_basis_by_number() -> None:
    # "Căn cứ Hiến pháp … đã được sửa đổi, bổ sung một số điều theo Nghị quyết số
    # 51/2001/QH10" names the Constitution, not the resolution.
    assert all(number != "51/2001/QH10" for _kind, number in _relations("02-2011-qh13"))


def test_a_decision_that_replaces_another_says_so_in_its_own_words() -> None:
    text = (
        "Điều 3. Quyết định này có hiệu lực kể từ ngày 15 tháng 3 năm 2026 và thay thế Quyết "
        "định số 01/2015/QĐ-UBND ngày 5 tháng 1 năm 2015 của Ủy ban nhân dân tỉnh; Điều 5 "
        "của Quyết định số 07/2019/QĐ-UBND."
    )
    found = extract_relations(text, number="15/2026/QĐ-UBND")
    assert {(r.kind, r.number) for r in found} == {(RelationKind.REPLACES, "01/2015/QĐ-UBND")}
    text = "Quyết định này thay thế Điều 5 của Quyết định số 07/2019/QĐ-UBND."
    found = extract_relations(text, number="15/2026/QĐ-UBND")
    assert {(r.kind, r.number) for r in found} == {
        (RelationKind.PARTLY_REPLACES, "07/2019/QĐ-UBND")
    }
