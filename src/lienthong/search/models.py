"""The search index: one row per indexed object; the full-text index lives beside it."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """An indexed object: its title, folded text and the link to show in results.

    The full-text side is backend-specific and kept by `lienthong.search.backends`:
    an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    title = models.CharField(_("tiêu đề"), max_length=500)
    url = models.CharField(max_length=500, blank=True)
    scope = models.CharField(
        _("phạm vi"),
        max_length=255,
        blank=True,
        help_text=_("Trống: công khai; nếu không, đường dẫn đơn vị được xem."),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mục tìm kiếm")
        verbose_name_plural = _("mục tìm kiếm")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="search_unique"),
        ]

    def __str__(self) -> str:
        return self.title
