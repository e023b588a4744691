"""The search index: one row per indexed object; the full-text index lives beside it."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import Role, RoleAssignment

#: Roles that never open org-unit-scoped entries (citizens see public entries only).
_NON_OFFICIAL_ROLES = frozenset({Role.CITIZEN})


def scope_prefixes_for(user: Any) -> tuple[str, ...] | None:
    """The org-unit paths whose entries `user` may see besides public ones; None: all of them.

    An entry scoped to a unit is visible to whoever holds an official role for that unit or
    for a unit above it. Anonymous users, disabled accounts and citizens get `()` (public
    entries only).
    """
    # The same rule as `lienthong.core.permissions`: an active account's grants that carry
    # an org unit; superusers see everything.
    if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
        return ()
    if user.is_superuser:
        return None
    paths = sorted(
        set(
            RoleAssignment.objects.filter(user=user, org_unit__isnull=False)
            .exclude(role__in=_NON_OFFICIAL_ROLES)
            .values_list("org_unit__path", flat=True)
        )
    )
    return minimal_prefixes(paths)


def minimal_prefixes(paths: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Drop paths that lie under another path of the list: their entries are already in."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if path and not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return tuple(kept)


class SearchEntryQuerySet(models.QuerySet["SearchEntry"]):
    """Named filters over the index rows."""

    def public(self) -> SearchEntryQuerySet:
        return self.filter(scope="")

    def within_scopes(self, prefixes: tuple[str, ...] | None) -> SearchEntryQuerySet:
        """Public entries and those under `prefixes` (None: every entry)."""
        if prefixes is None:
            return self.all()
        condition = Q(scope="")
        for prefix in prefixes:
            condition |= Q(scope__startswith=prefix)
        return self.filter(condition)

    def visible_to(self, user: Any) -> SearchEntryQuerySet:
        """Entries `user` may find: public ones and those scoped under their role units."""
        return self.within_scopes(scope_prefixes_for(user))


#: Characters of the original body kept on the entry for snippets. A law runs to 460,000
#: characters; reading 20 of those for one page of results would cost more than the search.
HEAD_LENGTH = 32_000


class SearchEntry(models.Model):
    """An indexed object: its title, the link to show in results, and the head of its text.

    The folded full-text side is backend-specific and kept by `lienthong.search.backends`:
    an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL. `head` keeps
    the opening of the original text (with diacritics) for snippets; the whole original text
    is in `SearchText`, read only to rebuild the index.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    title = models.TextField(_("tiêu đề"))
    head = models.TextField(
        _("đoạn đầu"),
        blank=True,
        default="",
        help_text=f"The first {HEAD_LENGTH:,} characters of the original text, for snippets.",
    )
    url = models.CharField(max_length=500, blank=True)
    scope = models.CharField(
        _("phạm vi"),
        max_length=255,
        blank=True,
        help_text=_("Trống: công khai; nếu không, đường dẫn đơn vị được xem."),
    )
    digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the title and body: unchanged text is not re-indexed.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("mục tìm kiếm")
        verbose_name_plural = _("mục tìm kiếm")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_unique"),
        ]
        indexes = [models.Index(fields=["scope"], name="search_entry_scope")]

    def __str__(self) -> str:
        return self.title


class SearchText(models.Model):
    """The whole original text of an entry, kept apart so that searching never reads it.

    `lienthong search rebuild` re-creates the full-text side from it (and the facets), e.g.
    after moving the data from SQLite to PostgreSQL or after a change to text folding.
    """

    entry = models.OneToOneField(
        SearchEntry, primary_key=True, on_delete=models.CASCADE, related_name="text"
    )
    body = models.TextField(_("nội dung"), blank=True, default="")
    #: The entry's facets, space-separated (`services.index(facets=…)`); NULL: none. Nullable
    #: so that adding the column on SQLite is an ALTER TABLE, not a rebuild of the table.
    facets = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = _("nội dung mục tìm kiếm")
        verbose_name_plural = _("nội dung mục tìm kiếm")

    def __str__(self) -> str:
        return self.body[:80]
