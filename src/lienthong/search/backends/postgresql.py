"""PostgreSQL backend: a weighted tsvector column with a GIN index, ranked by ts_rank_cd.

A tsvector keeps at most 256 positions per word and none beyond position 16,383, so in a
long text (a law runs to 100,000 words) "adjacent" cannot be read from it reliably. For
such entries the folded tokens are also kept, space-separated, in `phrase_text`, and a
phrase is checked there with `strpos`; short entries (the usual case) answer phrases from
the tsvector alone and leave `phrase_text` NULL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from lienthong.search.backends import Filters, SearchBackend
from lienthong.search.query import Query, Term

#: tsvector limits (PostgreSQL docs, "Text Search Types").
MAX_POSITION = 16383
MAX_POSITIONS_PER_WORD = 256
#: A tsvector must stay under 1 MB; keep a margin for the title and the estimate.
MAX_TSVECTOR_BYTES = 1_000_000
#: Weights of ts_rank_cd for labels {D, C, B, A}: title (A) above body (B).
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"


def _exact_positions(title: Sequence[str], body: Sequence[str]) -> bool:
    """Whether the tsvector of this text keeps every position, so phrases can use it."""
    if len(title) + len(body) > MAX_POSITION:
        return False
    counts = Counter(title)
    counts.update(body)
    return not counts or max(counts.values()) <= MAX_POSITIONS_PER_WORD


def _fit(tokens: Sequence[str]) -> Sequence[str]:
    """The longest head of `tokens` whose tsvector stays under the 1 MB limit.

    Natural text never gets near it (Vietnamese has a few thousand syllables); a dump of
    unique codes could, and it must not make indexing fail.
    """
    size = 0
    seen: Counter[str] = Counter()
    for i, token in enumerate(tokens):
        seen[token] += 1
        if seen[token] == 1:
            # entry (4) + lexeme + alignment (1) + position count (2) + position (2), rounded up
            size += 12 + len(token.encode())
        elif seen[token] <= MAX_POSITIONS_PER_WORD:
            size += 2
        if size > MAX_TSVECTOR_BYTES:
            return tokens[:i]
    return tokens


def _lexeme(word: str, *, prefix: bool) -> str:
    # Tokens hold only letters and digits, so quoting cannot be broken out of.
    return f"'{word}'" + (":*" if prefix else "")


def _words(term: Term) -> list[str]:
    last = len(term.words) - 1
    return [_lexeme(word, prefix=term.prefix and i == last) for i, word in enumerate(term.words)]


def loose_tsquery(query: Query) -> str:
    """Every word ANDed, phrases flattened: what the GIN index can answer for any entry."""
    return " & ".join(word for term in query.terms for word in _words(term))


def facets_tsquery(facets: tuple[tuple[str, ...], ...]) -> str:
    """` & ('a' | 'b') & …` for the non-empty facet groups (facets are [a-z0-9] tokens)."""
    return "".join(
        " & (" + " | ".join(f"'{facet}'" for facet in group) + ")" for group in facets if group
    )


def exact_tsquery(query: Query) -> str:
    """Phrases as `<->` chains: exact for entries whose tsvector kept every position."""
    return " & ".join("(" + " <-> ".join(_words(term)) + ")" for term in query.terms)


def phrase_needle(term: Term) -> str:
    """What `phrase_text` must contain for a phrase to be there (tokens space-delimited)."""
    return " " + " ".join(term.words) + ("" if term.prefix else " ")


class PostgresBackend(SearchBackend):
    """Columns `document` (tsvector, GIN) and `phrase_text` on search_searchentry."""

    vendor = "postgresql"

    def write(self, entry_id: int, title: Sequence[str], body: Sequence[str]) -> None:
        phrase_text = None
        if not _exact_positions(title, body):
            # "." is never a token, so no phrase can match across the title/body seam.
            phrase_text = " " + " ".join(title) + " . " + " ".join(body) + " "
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE search_searchentry SET
                    document = setweight(to_tsvector('simple', %s), 'A')
                        || setweight(to_tsvector('simple', %s), 'B'),
                    phrase_text = %s
                WHERE id = %s
                """,
                [" ".join(title), " ".join(_fit(body)), phrase_text, entry_id],
            )

    def delete(self, entry_ids: Sequence[int]) -> None:
        # The full-text columns live on the entry row and go with it.
        if not entry_ids:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE search_searchentry SET document = NULL, phrase_text = NULL"
                " WHERE id = ANY(%s)",
                [list(entry_ids)],
            )

    def clear(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("UPDATE search_searchentry SET document = NULL, phrase_text = NULL")

    def _where(self, query: Query, filters: Filters) -> tuple[str, list[Any]]:
        loose = loose_tsquery(query) + facets_tsquery(filters.facets)
        clauses = ["e.document @@ to_tsquery('simple', %s)"]
        params: list[Any] = [loose]
        phrases = [term for term in query.terms if term.is_phrase]
        if phrases:
            in_text = " AND ".join(["strpos(e.phrase_text, %s) > 0"] * len(phrases))
            clauses.append(
                "((e.phrase_text IS NULL AND e.document @@ to_tsquery('simple', %s))"
                f" OR (e.phrase_text IS NOT NULL AND {in_text}))"
            )
            params.append(exact_tsquery(query))
            params.extend(phrase_needle(term) for term in phrases)
        where, filter_params = filters.sql("e")
        clauses.append(where)
        return " AND ".join(clauses), [*params, *filter_params]

    def search(
        self, query: Query, filters: Filters, *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        if not query:
            return []
        where, params = self._where(query, filters)
        rank, rank_params = self._rank(query)
        rows = self._fetch(
            f"""
            SELECT e.id, {rank} AS score
            FROM search_searchentry AS e
            WHERE {where}
            ORDER BY score DESC, e.id
            LIMIT %s OFFSET %s
            """,
            [*rank_params, *params, limit, offset],
        )
        return [(int(entry_id), float(score)) for entry_id, score in rows]

    @staticmethod
    def _rank(query: Query) -> tuple[str, list[Any]]:
        """Score = share of the query's terms found in the title + body rank in [0, 1).

        So an entry with every term in its title outranks every entry without, and among
        equals the denser and more frequent matches win. The body part is ts_rank_cd
        normalised by 1 + log(length) (flag 1), so a long law does not win on bulk, and
        mapped into [0, 1) (flag 32).
        """
        # `'word':A` / `'word':*A` match the word in the title (weight A) only; a title is
        # short, so its positions are exact and phrases can be read from them.
        terms = [
            " <-> ".join(word + ("A" if word.endswith(":*") else ":A") for word in _words(term))
            for term in query.terms
        ]
        in_title = " + ".join(["(e.document @@ to_tsquery('simple', %s))::int"] * len(terms))
        sql = (
            f"({in_title})::float8 / {len(terms)}"
            f" + ts_rank_cd('{RANK_WEIGHTS}', e.document, to_tsquery('simple', %s), 33)"
        )
        return sql, [*terms, loose_tsquery(query)]

    def count(self, query: Query, filters: Filters) -> int:
        if not query:
            return 0
        where, params = self._where(query, filters)
        rows = self._fetch(f"SELECT count(*) FROM search_searchentry AS e WHERE {where}", params)
        return int(rows[0][0])

    def stats(self) -> dict[str, Any]:
        rows = self._fetch(
            """
            SELECT
                count(document),
                pg_relation_size('search_entry_document'),
                count(*) FILTER (WHERE document IS NULL),
                count(phrase_text)
            FROM search_searchentry
            """,
            [],
        )
        indexed, size, missing, long_texts = rows[0]
        return {
            "backend": "PostgreSQL tsvector",
            "indexed": int(indexed),
            "index_bytes": int(size),
            "missing": int(missing),
            "long_texts": int(long_texts),
        }
