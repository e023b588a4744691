"""The search kernel's public interface: index and remove objects, search and count.

Domain apps call `index(obj, title=..., body=...)` from their own service functions, in the
same transaction as the write that changed the text, and `remove(obj)` before deleting. The
index is derived data: it is not audited and emits no events (the write that caused it is
audited by its own service), and `rebuild()` recreates the full-text side from the stored
texts.

Query language (the same on SQLite and PostgreSQL; see `lienthong.search.query`): words are
ANDed, "double quotes" make a phrase, a trailing * a prefix; diacritics and case are ignored.

Facets: a module that filters its own rows (documents by year, type, unit…) may index an
entry with `facets` — tokens of its own making ("zdy2026", "zda17") written to the full-text
index beside the words but never shown — and pass `facets=[[…], […]]` to `matching_ids_sql`
and `matches_row_sql`: the full-text index then narrows the matches by them in the same
lookup (each group is ORed, the groups ANDed). They narrow, they do not authorise: the
module still applies its own filters to its rows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lienthong.core.models import OrgUnit
from lienthong.search import highlight
from lienthong.search.backends import Filters, get_backend
from lienthong.search.models import (
    HEAD_LENGTH,
    SearchEntry,
    SearchText,
    minimal_prefixes,
    scope_prefixes_for,
)
from lienthong.search.query import MAX_QUERY_LENGTH, Query, parse, tokens

#: Pass as `scope_paths` to search every entry regardless of scope (commands, jobs).
ALL_SCOPES: Literal["all"] = "all"
#: Largest page `search()` returns.
MAX_LIMIT = 100
_URL_LENGTH = SearchEntry._meta.get_field("url").max_length or 500

ModelRef = type[models.Model] | str
#: A facet token: lower-case ASCII letters and digits (so it is one token in both backends
#: and cannot be mistaken for query syntax), starting with a letter.
_FACET = re.compile(r"[a-z][a-z0-9]{1,62}")


@dataclass(frozen=True)
class Hit:
    """One search result: which object, where to open it, how well it matched, and why."""

    content_type: str  # "app_label.model"
    kind: str  # the model's verbose name, for people
    object_id: str
    title: str
    url: str
    score: float
    snippet: str
    title_html: SafeString
    snippet_html: SafeString
    scope: str
    updated_at: datetime


def check_query(raw: str | None) -> Query:
    """Parse a query typed by a person; ValidationError with a Vietnamese message if unusable."""
    text = (raw or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError(
            _("Từ khóa tìm kiếm quá dài: tối đa %(max)d ký tự.") % {"max": MAX_QUERY_LENGTH},
            code="too_long",
        )
    query = parse(text)
    if not query:
        raise ValidationError(
            _("Hãy nhập từ khóa tìm kiếm (chữ hoặc số)."),
            code="empty",
        )
    return query


def _key(obj: models.Model) -> tuple[ContentType, str]:
    if obj.pk is None:
        raise ValueError("Index or remove an object while it has a primary key.")
    return ContentType.objects.get_for_model(obj), str(obj.pk)


def _scope_path(scope: OrgUnit | str | None) -> str:
    if scope is None or scope == "":
        return ""
    path = scope.path if isinstance(scope, OrgUnit) else scope
    parts = path.split("/")
    if len(parts) < 3 or parts[0] or parts[-1] or not all(p.isdigit() for p in parts[1:-1]):
        raise ValueError(f"A scope is an org unit or its path like '/1/7/', not {path!r}.")
    return path


def _check_url(url: str) -> None:
    # Results pages render the link as an href: only site paths and http(s) links get in.
    if len(url) > _URL_LENGTH:
        raise ValueError(f"A search result URL has at most {_URL_LENGTH} characters.")
    site_path = url.startswith("/") and not url.startswith("//")
    if url and not site_path and not url.startswith(("https://", "http://")):
        raise ValueError(f"A search result URL is a site path or an http(s) link, not {url!r}.")


def _digest(title: str, body: str, facets: str | None = None) -> str:
    # Without facets, the digest of the title and body alone (as before facets existed).
    text = f"{title}\x00{body}" if facets is None else f"{title}\x00{body}\x00{facets}"
    return hashlib.sha256(text.encode()).hexdigest()


def _facet_text(facets: Iterable[str]) -> str | None:
    """The facets as stored (sorted, space-separated; None for none); ValueError if malformed."""
    found = sorted(set(facets))
    for facet in found:
        if not _FACET.fullmatch(facet):
            raise ValueError(f"A search facet is a-z0-9 starting with a letter, not {facet!r}.")
    return " ".join(found) or None


def _indexed(body: str, facets: str | None) -> list[str]:
    """The body tokens to index: the facets first (so a body cut to fit keeps them), then the
    text's own tokens."""
    return [*(facets.split() if facets else ()), *tokens(body)]


def index(
    obj: models.Model,
    *,
    title: str,
    body: str = "",
    url: str = "",
    scope: OrgUnit | str | None = "",
    facets: Iterable[str] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> SearchEntry:
    """Add or update the index entry of `obj` (idempotent); unchanged text is not re-indexed.

    `scope`: empty for a public entry, else the org unit (or its path) whose officials, and
    those of the units above it, may find it. `facets`: tokens the caller narrows its
    matches by (see the module's docstring).
    """
    title = unicodedata.normalize("NFC", title or "").strip()
    body = unicodedata.normalize("NFC", body or "")
    _check_url(url)
    path = _scope_path(scope)
    content_type, object_id = _key(obj)
    facet_text = _facet_text(facets)
    digest = _digest(title, body, facet_text)
    fields = {"title": title, "head": body[:HEAD_LENGTH], "url": url, "scope": path}
    entries = SearchEntry.objects.using(using).filter(
        content_type=content_type, object_id=object_id
    )
    with transaction.atomic(using=using):
        entry = entries.select_for_update().defer("head").first()
        if entry is None:
            try:
                with transaction.atomic(using=using):
                    entry = SearchEntry.objects.using(using).create(
                        content_type=content_type, object_id=object_id, digest=digest, **fields
                    )
                    SearchText.objects.using(using).create(
                        entry=entry, body=body, facets=facet_text
                    )
            except IntegrityError:
                # Indexed concurrently since our look: update that row like any other.
                entry = entries.select_for_update().defer("head").first()
                if entry is None:
                    raise
            else:
                get_backend(using).write(entry.pk, tokens(title), _indexed(body, facet_text))
                return entry
        if (entry.title, entry.url, entry.scope, entry.digest) == (title, url, path, digest):
            return entry  # already indexed as asked: nothing to write
        text_changed = entry.digest != digest
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.digest, entry.updated_at = digest, timezone.now()
        entry.save(using=using)
        if text_changed:
            SearchText.objects.using(using).update_or_create(
                entry=entry, defaults={"body": body, "facets": facet_text}
            )
            get_backend(using).write(entry.pk, tokens(title), _indexed(body, facet_text))
    return entry


def remove(obj: models.Model, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Drop the index entry of `obj` (call it before deleting `obj`); False if there was none."""
    content_type, object_id = _key(obj)
    return remove_by_key(content_type, object_id, using=using)


def remove_by_key(
    model: ContentType | ModelRef, object_id: Any, *, using: str = DEFAULT_DB_ALIAS
) -> bool:
    """Drop the index entry of (model, object id), for objects already gone; False if none."""
    content_type = model if isinstance(model, ContentType) else _content_type(model)
    with transaction.atomic(using=using):
        ids = list(
            SearchEntry.objects.using(using)
            .filter(content_type=content_type, object_id=str(object_id))
            .values_list("pk", flat=True)
        )
        if not ids:
            return False
        get_backend(using).delete(ids)
        SearchEntry.objects.using(using).filter(pk__in=ids).delete()
    return True


def _content_type(model: ModelRef) -> ContentType:
    if isinstance(model, str):
        app_label, _dot, model_name = model.partition(".")
        return ContentType.objects.get_by_natural_key(app_label, model_name.lower())
    return ContentType.objects.get_for_model(model)


def _filters(
    user: Any,
    scope_paths: Sequence[str] | Literal["all"] | None,
    models_: Iterable[ModelRef] | None,
    facets: Iterable[Iterable[str]] = (),
) -> Filters:
    if scope_paths == ALL_SCOPES:
        prefixes: tuple[str, ...] | None = None
    elif scope_paths is not None:
        prefixes = minimal_prefixes([_scope_path(p) for p in scope_paths])
    else:
        prefixes = scope_prefixes_for(user)
    content_type_ids = None
    if models_ is not None:
        content_type_ids = tuple(sorted({_content_type(m).pk for m in models_}))
    groups = tuple(tuple(sorted(set(group))) for group in facets)
    for group in groups:
        _facet_text(group)  # ValueError when malformed
    return Filters(scope_prefixes=prefixes, content_type_ids=content_type_ids, facets=groups)


def _as_query(query: str | Query) -> Query:
    return query if isinstance(query, Query) else parse(query)


def search(
    query: str | Query,
    *,
    user: Any = None,
    scope_paths: Sequence[str] | Literal["all"] | None = None,
    models: Iterable[ModelRef] | None = None,
    limit: int = 20,
    offset: int = 0,
    using: str = DEFAULT_DB_ALIAS,
) -> list[Hit]:
    """Entries matching `query`, best first; an empty or unusable query finds nothing.

    Visibility: public entries, plus scoped ones under `scope_paths` if given (`ALL_SCOPES`
    for every entry), else under the org units where `user` holds a role. `models` limits
    the result to some models (classes or "app_label.model").
    """
    parsed = _as_query(query)
    limit = max(0, min(limit, MAX_LIMIT))
    if not parsed or limit == 0:
        return []
    filters = _filters(user, scope_paths, models)
    ranked = get_backend(using).search(parsed, filters, limit=limit, offset=max(0, offset))
    if not ranked:
        return []
    entries = (
        SearchEntry.objects.using(using)
        .select_related("content_type")
        .in_bulk([entry_id for entry_id, _score in ranked])
    )
    found = highlight.matcher(parsed)
    hits = []
    for entry_id, score in ranked:
        entry = entries.get(entry_id)
        if entry is None:  # removed between the two queries
            continue
        content_type = entry.content_type
        model = content_type.model_class()
        snippet = highlight.snippet(entry.head, found, continues=len(entry.head) >= HEAD_LENGTH)
        hits.append(
            Hit(
                content_type=f"{content_type.app_label}.{content_type.model}",
                kind=str(model._meta.verbose_name) if model else content_type.model,
                object_id=entry.object_id,
                title=entry.title,
                url=entry.url,
                score=score,
                snippet=snippet.text,
                title_html=highlight.mark(entry.title, found).html,
                snippet_html=snippet.html,
                scope=entry.scope,
                updated_at=entry.updated_at,
            )
        )
    return hits


def count(
    query: str | Query,
    *,
    user: Any = None,
    scope_paths: Sequence[str] | Literal["all"] | None = None,
    models: Iterable[ModelRef] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """How many entries `search()` could return for the same arguments."""
    parsed = _as_query(query)
    if not parsed:
        return 0
    return get_backend(using).count(parsed, _filters(user, scope_paths, models))


def matching_ids_sql(
    query: str | Query,
    *,
    user: Any = None,
    scope_paths: Sequence[str] | Literal["all"] | None = None,
    models: Iterable[ModelRef] | None = None,
    facets: Iterable[Iterable[str]] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, list[Any]] | None:
    """SQL selecting the ids of every entry `count()` counts, unordered; None for no query.

    For a module with its own index rows pointing to kernel entries: it filters and orders
    its rows itself (`WHERE entry_id IN (<sql>)`, or `= ANY(ARRAY(<sql>))` on PostgreSQL)
    while the words are matched with the kernel's folding and query language.
    """
    parsed = _as_query(query)
    if not parsed:
        return None
    filters = _filters(user, scope_paths, models, facets)
    return get_backend(using).matching_ids_sql(parsed, filters)


def matches_row_sql(
    query: str | Query,
    id_column: str,
    *,
    user: Any = None,
    scope_paths: Sequence[str] | Literal["all"] | None = None,
    models: Iterable[ModelRef] | None = None,
    facets: Iterable[Iterable[str]] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, list[Any]] | None:
    """A boolean SQL expression: does the entry whose id is in `id_column` match? None: no query.

    The row-by-row counterpart of `matching_ids_sql`, for a module that walks its own index
    rows in order (newest first) and stops after a page when the words match many entries.
    """
    parsed = _as_query(query)
    if not parsed:
        return None
    return get_backend(using).matches_row_sql(
        parsed, _filters(user, scope_paths, models, facets), id_column
    )


def rebuild(*, using: str = DEFAULT_DB_ALIAS, batch_size: int = 200) -> int:
    """Recreate the whole full-text side from the entries' stored text; returns entries done."""
    backend = get_backend(using)
    done = 0
    with transaction.atomic(using=using):
        backend.clear()
        entries = (
            SearchEntry.objects.using(using)
            .select_related("text")
            .only("pk", "title", "text__body", "text__facets")
            .order_by("pk")
        )
        for entry in entries.iterator(chunk_size=batch_size):
            text = getattr(entry, "text", None)
            body = _indexed(text.body, text.facets) if text else []
            backend.write(entry.pk, tokens(entry.title), body)
            done += 1
    return done


def stats(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Figures for `lienthong search stats`: entries by model and scope, and the index itself."""
    entries = SearchEntry.objects.using(using)
    rows = (
        entries.values("content_type__app_label", "content_type__model")
        .annotate(n=models.Count("pk"))
        .order_by("content_type__app_label", "content_type__model")
    )
    by_model = {f"{r['content_type__app_label']}.{r['content_type__model']}": r["n"] for r in rows}
    return {
        "entries": entries.count(),
        "public": entries.public().count(),
        "scoped": entries.exclude(scope="").count(),
        "by_model": by_model,
        "index": get_backend(using).stats(),
    }
