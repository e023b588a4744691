"""The query language: folding, words, phrases, prefixes, and input that is not syntax."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from lienthong.search.backends.postgresql import exact_tsquery, loose_tsquery, phrase_needle
from lienthong.search.backends.sqlite import match_expression
from lienthong.search.query import MAX_TERMS, MAX_TOKEN_LENGTH, Query, Term, parse, tokens
from lienthong.search.services import check_query


def test_words_are_folded_and_anded():
    # given a query with diacritics, capitals and extra spaces
    # when it is parsed
    query = parse("  Khiếu   NẠI  Đất ")
    # then each word is a folded term
    assert query.terms == (Term(("khieu",)), Term(("nai",)), Term(("dat",)))
    assert str(query) == "khieu nai dat"


def test_double_quotes_make_a_phrase():
    query = parse('"Giải quyết khiếu nại" lần đầu')
    assert query.terms == (
        Term(("giai", "quyet", "khieu", "nai")),
        Term(("lan",)),
        Term(("dau",)),
    )
    assert str(query) == '"giai quyet khieu nai" lan dau'


def test_typographic_quotes_make_a_phrase_too():
    assert parse("“giải quyết” xong").terms == (Term(("giai", "quyet")), Term(("xong",)))


def test_trailing_star_makes_a_prefix():
    assert parse("khieu* nai").terms == (Term(("khieu",), prefix=True), Term(("nai",)))
    assert parse('"giai quyet khieu*"').terms == (Term(("giai", "quyet", "khieu"), prefix=True),)
    assert parse('"giai quyet khieu"*').terms == (Term(("giai", "quyet", "khieu"), prefix=True),)


def test_a_star_inside_or_before_a_word_is_not_a_prefix():
    assert parse("*khieu").terms == (Term(("khieu",)),)
    assert parse("khieu * nai").terms == (Term(("khieu",)), Term(("nai",)))


def test_a_word_with_inner_punctuation_is_a_phrase_of_its_parts():
    # as it was indexed: "02/2011/QH13" → tokens 02, 2011, qh13 next to each other
    assert parse("02/2011/QH13").terms == (Term(("02", "2011", "qh13")),)
    assert parse("e-mail").terms == (Term(("e", "mail")),)


def test_an_unmatched_quote_opens_no_phrase():
    assert parse('"khieu nai').terms == (Term(("khieu",)), Term(("nai",)))
    assert parse('"giai quyet" "khieu nai').terms == (
        Term(("giai", "quyet")),
        Term(("khieu",)),
        Term(("nai",)),
    )


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "*", '"', '""', ":", "(", ")", "-", "^", "&|!", "🙂🙂", "\x00", "_", "* * *"],
)
def test_input_without_letters_or_digits_is_an_empty_query(raw):
    query = parse(raw)
    assert query == Query(())
    assert not query


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("AND OR NOT", ("and", "or", "not")),
        ("khieu NEAR nai", ("khieu", "near", "nai")),
        ("title:khieu", ("title", "khieu")),
        ("(khieu OR nai)", ("khieu", "or", "nai")),
        ("-khieu +nai", ("khieu", "nai")),
        ("khieu & !nai | x <-> y", ("khieu", "nai", "x", "y")),
        ("'; DROP TABLE search_searchentry; --", ("drop", "table", "search", "searchentry")),
        ("khiếu🙂nại", ("khieu", "nai")),
    ],
)
def test_operators_and_punctuation_are_plain_text(raw, words):
    assert parse(raw).words == words


def test_words_repeat_once_and_terms_are_capped():
    assert parse("khieu khieu nai").terms == (Term(("khieu",)), Term(("nai",)))
    many = " ".join(f"w{i}" for i in range(MAX_TERMS + 10))
    assert len(parse(many).terms) == MAX_TERMS


def test_tokens_fold_split_and_drop_overlong_runs():
    long_run = "a" * (MAX_TOKEN_LENGTH + 1)
    assert tokens(f"Luật số: 02/2011/QH13 — Đất_đai {long_run} x²") == [
        "luat",
        "so",
        "02",
        "2011",
        "qh13",
        "dat",
        "dai",
        "x²",
    ]


def test_fts5_expression_quotes_every_term():
    query = parse('khieu* "giai quyet" AND')
    assert match_expression(query) == '"khieu"* AND "giai quyet" AND "and"'


def test_tsqueries_quote_every_lexeme():
    query = parse('khieu* "giai quyet" nai')
    assert loose_tsquery(query) == "'khieu':* & 'giai' & 'quyet' & 'nai'"
    assert exact_tsquery(query) == "('khieu':*) & ('giai' <-> 'quyet') & ('nai')"
    assert phrase_needle(Term(("giai", "quyet"))) == " giai quyet "
    assert phrase_needle(Term(("giai", "quyet"), prefix=True)) == " giai quyet"


def test_check_query_accepts_a_query_with_words():
    assert check_query(" khiếu nại ").words == ("khieu", "nai")


@pytest.mark.parametrize("raw", [None, "", "   ", '"" * :'])
def test_check_query_refuses_an_empty_query(raw):
    with pytest.raises(ValidationError) as caught:
        check_query(raw)
    assert caught.value.code == "empty"
    assert caught.value.messages == ["Hãy nhập từ khóa tìm kiếm (chữ hoặc số)."]


def test_check_query_refuses_more_than_500_characters():
    longest = ("ab " * 167)[:500]
    assert len(check_query(longest).terms) == 1
    with pytest.raises(ValidationError) as caught:
        check_query(longest + "c")
    assert caught.value.code == "too_long"
    assert caught.value.messages == ["Từ khóa tìm kiếm quá dài: tối đa 500 ký tự."]
