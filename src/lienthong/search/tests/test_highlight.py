"""Marking matches in original text: every spelling of a folded word, whole words only."""

from __future__ import annotations

from lienthong.search.highlight import SNIPPET_WIDTH, mark, matcher, snippet
from lienthong.search.query import parse


def marked(text: str, query: str) -> str:
    return str(mark(text, matcher(parse(query))).html)


def test_every_spelling_of_a_folded_word_is_marked():
    assert marked("ĐẤT ĐAI, đất đai, Dat Dai", "dat dai") == (
        "<mark>ĐẤT</mark> <mark>ĐAI</mark>, <mark>đất</mark> <mark>đai</mark>, "
        "<mark>Dat</mark> <mark>Dai</mark>"
    )


def test_only_whole_words_are_marked():
    assert marked("Bản án an toàn", "an") == "Bản <mark>án</mark> <mark>an</mark> toàn"


def test_a_prefix_marks_the_whole_word():
    assert marked("Bảo đảm an toàn", "toa*") == "Bảo đảm an <mark>toàn</mark>"


def test_a_phrase_is_marked_across_punctuation_and_line_breaks():
    assert marked("giải quyết\n  khiếu nại, tố cáo", '"quyet khieu nai to"') == (
        "giải <mark>quyết khiếu nại, tố</mark> cáo"
    )


def test_html_in_the_text_is_escaped():
    assert marked('<b>khiếu</b> & "nại"', "khieu nai") == (
        "&lt;b&gt;<mark>khiếu</mark>&lt;/b&gt; &amp; &quot;<mark>nại</mark>&quot;"
    )


def test_the_snippet_centres_on_the_spot_with_most_terms():
    text = "khiếu " + "x " * 300 + "khiếu nại tố cáo " + "y " * 300
    piece = snippet(text, matcher(parse("khieu nai to cao")))
    assert "<mark>khiếu</mark> <mark>nại</mark> <mark>tố</mark> <mark>cáo</mark>" in piece.html
    assert piece.text.startswith("… x x")
    assert piece.text.endswith(" …")
    assert len(piece.text) <= SNIPPET_WIDTH + 4


def test_a_text_without_matches_gives_its_opening():
    piece = snippet("Mở đầu. " + "x " * 300, matcher(parse("khieu")))
    assert piece.text.startswith("Mở đầu. x x")
    assert piece.text.endswith(" …")
    assert "<mark>" not in piece.html


def test_an_empty_text_or_query():
    assert snippet("", matcher(parse("khieu"))).text == ""
    assert matcher(parse("***")) is None
    assert mark("Khiếu nại", None).text == "Khiếu nại"
