"""Legal normative documents — văn bản quy phạm pháp luật — and the relations between them.

A document is public data: anyone reads it. Its record belongs to an owner agency (the org
unit whose registry owners edit it); rows are soft-deleted (`deleted_at`), never removed, so
the audit history and the relations of other documents keep pointing at something. The
full-text index lives beside the table (`lienthong.registries.legal.fulltext`).
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lienthong.core.models import AuditedModel


class DocumentType(models.TextChoices):
    """Kinds of legal normative documents (Law 80/2015/QH13, Art. 4), by their official names."""

    CONSTITUTION = "constitution", _("Hiến pháp")
    CODE = "code", _("Bộ luật")
    LAW = "law", _("Luật")
    RESOLUTION = "resolution", _("Nghị quyết")
    ORDINANCE = "ordinance", _("Pháp lệnh")
    ORDER = "order", _("Lệnh")
    DECREE = "decree", _("Nghị định")
    DECISION = "decision", _("Quyết định")
    CIRCULAR = "circular", _("Thông tư")
    JOINT_RESOLUTION = "joint_resolution", _("Nghị quyết liên tịch")
    JOINT_CIRCULAR = "joint_circular", _("Thông tư liên tịch")


class DocumentStatus(models.TextChoices):
    """Whether a document has legal effect today (tình trạng hiệu lực)."""

    IN_FORCE = "in_force", _("Còn hiệu lực")
    PARTLY_AMENDED = "partly_amended", _("Hết hiệu lực một phần")
    EXPIRED = "expired", _("Hết hiệu lực toàn bộ")
    NOT_YET_IN_FORCE = "not_yet_in_force", _("Chưa có hiệu lực")


class RelationKind(models.TextChoices):
    """How one document acts on another; read "<source> <kind> <target>"."""

    AMENDS = "amends", _("Sửa đổi, bổ sung")
    REPLACES = "replaces", _("Thay thế, làm hết hiệu lực")
    PARTLY_REPLACES = "partly_replaces", _("Làm hết hiệu lực một phần")
    GUIDES = "guides", _("Hướng dẫn, quy định chi tiết")
    BASED_ON = "based_on", _("Căn cứ")


#: The same relations read from the target's side ("<target> <inverse> <source>").
INVERSE_LABELS: dict[str, Any] = {
    RelationKind.AMENDS: _("Được sửa đổi, bổ sung bởi"),
    RelationKind.REPLACES: _("Bị thay thế, hết hiệu lực bởi"),
    RelationKind.PARTLY_REPLACES: _("Hết hiệu lực một phần bởi"),
    RelationKind.GUIDES: _("Được hướng dẫn bởi"),
    RelationKind.BASED_ON: _("Là căn cứ ban hành của"),
}


class RelationOrigin(models.TextChoices):
    """Where a relation came from: read from the text by the loader, or entered by a person."""

    PARSED = "parsed", _("Đọc từ nội dung văn bản")
    MANUAL = "manual", _("Cán bộ nhập")


class LegalDocumentQuerySet(models.QuerySet["LegalDocument"]):
    """Named filters over the registry."""

    def alive(self) -> LegalDocumentQuerySet:
        """Documents not soft-deleted: what every public list and the API show."""
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> LegalDocumentQuerySet:
        """Soft-deleted documents (restorable by their owners)."""
        return self.filter(deleted_at__isnull=False)

    def issued_in(self, year: int) -> LegalDocumentQuerySet:
        """Documents issued in `year` (a range, so the issued-date index serves it)."""
        return self.filter(
            issued_date__gte=datetime.date(year, 1, 1),
            issued_date__lt=datetime.date(year + 1, 1, 1),
        )

    def by_ref(self, ref: str) -> LegalDocumentQuerySet:
        """The document named by `ref`: its id, its slug (02-2011-qh13) or its number."""
        from lienthong.registries.legal.numbers import number_key

        ref = ref.strip()
        if ref.isdigit():
            return self.filter(pk=int(ref))
        key = number_key(ref)
        return self.filter(number_key=key) if key else self.none()


class LegalDocument(AuditedModel):
    """A legal normative document — văn bản quy phạm pháp luật — with its full text.

    `number_key` (folded tokens of the number, serial without leading zeros: "2 2011 qh13")
    identifies it however the number is typed ("02/2011/QH13", "2/2011/qh13"); `slug`
    ("02-2011-qh13") names its page. `status` is computed from the dates and the relations
    of other documents (`services.compute_status`) unless `status_locked` says a person set
    it.
    """

    number = models.CharField(_("số, ký hiệu"), max_length=100)
    number_key = models.CharField(max_length=120, unique=True, editable=False)
    slug = models.SlugField(max_length=120, unique=True, editable=False)
    doc_type = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentType.choices)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255)
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    effective_date = models.DateField(_("ngày có hiệu lực"), null=True, blank=True)
    expiry_date = models.DateField(_("ngày hết hiệu lực"), null=True, blank=True)
    effective_note = models.CharField(_("ghi chú hiệu lực"), max_length=255, blank=True)
    title = models.TextField(_("trích yếu"))
    status = models.CharField(
        _("tình trạng hiệu lực"),
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.IN_FORCE,
    )
    status_locked = models.BooleanField(
        _("tình trạng do cán bộ đặt"),
        default=False,
        help_text=_("Không tự tính lại tình trạng hiệu lực từ ngày tháng và quan hệ văn bản."),
    )
    source = models.CharField(_("nguồn"), max_length=500, blank=True)
    source_url = models.URLField(_("địa chỉ nguồn"), max_length=500, blank=True)
    text_form = models.CharField(_("dạng văn bản"), max_length=500, blank=True)
    source_digest = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="SHA-256 of the file last loaded into this record: an unchanged file is skipped.",
    )
    owner = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan quản lý bản ghi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("sửa lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(_("xóa lúc"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LegalDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("văn bản quy phạm pháp luật")
        verbose_name_plural = _("văn bản quy phạm pháp luật")
        indexes = [
            # The list without a query: newest first, soft-deleted rows left out.
            models.Index(fields=["deleted_at", "-issued_date"], name="legal_doc_alive_issued"),
            models.Index(fields=["doc_type"], name="legal_doc_type"),
            models.Index(fields=["status"], name="legal_doc_status"),
            models.Index(fields=["issuer"], name="legal_doc_issuer"),
        ]

    # The full text (up to 460 KB) lives in `LegalText`: see `text` below.
    _text_value: str | None = None
    _text_dirty: bool = False

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("legal:detail", args=[self.slug])

    @property
    def text(self) -> str:
        """The full text — toàn văn — read from `LegalText` on first use, then kept."""
        if self._text_value is None:
            row = LegalText.objects.filter(document_id=self.pk).first() if self.pk else None
            self._text_value = row.body if row is not None else ""
        return self._text_value

    @text.setter
    def text(self, value: str) -> None:
        self._text_value = value or ""
        self._text_dirty = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the row, and the full text if it was set since it was read."""
        super().save(*args, **kwargs)
        if self._text_dirty:
            LegalText.objects.update_or_create(document=self, defaults={"body": self.text})
            self._text_dirty = False

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        """Reload the row; the text is read again on next use."""
        super().refresh_from_db(*args, **kwargs)
        self._text_value, self._text_dirty = None, False

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def audit_snapshot(self) -> dict[str, Any]:
        """The row for the audit log, with the text's SHA-256 and length instead of the text."""
        data = super().audit_snapshot()
        data["text_sha256"] = hashlib.sha256(self.text.encode()).hexdigest()
        data["text_length"] = len(self.text)
        return data


class LegalText(models.Model):
    """The full text of a document, apart from its row so that lists and searches never read
    it: in SQLite a column after a 100 KB value is only reached through its overflow pages,
    which made every filtered search read each matching law whole."""

    document = models.OneToOneField(
        LegalDocument, primary_key=True, on_delete=models.CASCADE, related_name="full_text"
    )
    body = models.TextField(_("toàn văn"), blank=True)

    class Meta:
        verbose_name = _("toàn văn")
        verbose_name_plural = _("toàn văn")

    def __str__(self) -> str:
        return self.body[:80]


class DocumentRelationQuerySet(models.QuerySet["DocumentRelation"]):
    """Named filters over relations."""

    def shown(self) -> DocumentRelationQuerySet:
        """Relations in force: not removed by an editor, from a document not deleted."""
        return self.filter(rejected=False, source__deleted_at__isnull=True)


class DocumentRelation(AuditedModel):
    """One document acting on another — quan hệ văn bản (sửa đổi, thay thế, hướng dẫn, …).

    The target is kept by its number (`target_number`, `target_key`) whether or not it is in
    the registry; `target` links it when it is, and is filled in when a document of that
    number is loaded later. A parsed relation an editor removes stays as `rejected`, so that
    reloading the text does not bring it back.
    """

    source = models.ForeignKey(
        LegalDocument,
        verbose_name=_("văn bản"),
        on_delete=models.CASCADE,
        related_name="relations",
    )
    kind = models.CharField(_("quan hệ"), max_length=20, choices=RelationKind.choices)
    target = models.ForeignKey(
        LegalDocument,
        verbose_name=_("văn bản liên quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incoming",
    )
    target_number = models.CharField(_("số, ký hiệu văn bản liên quan"), max_length=100)
    target_key = models.CharField(max_length=120, db_index=True, editable=False)
    note = models.TextField(_("ghi chú"), blank=True)
    origin = models.CharField(
        _("nguồn quan hệ"),
        max_length=10,
        choices=RelationOrigin.choices,
        default=RelationOrigin.MANUAL,
    )
    rejected = models.BooleanField(_("đã gỡ bỏ"), default=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DocumentRelationQuerySet.as_manager()

    class Meta:
        verbose_name = _("quan hệ văn bản")
        verbose_name_plural = _("quan hệ văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "target_key"], name="legal_relation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.number} — {self.get_kind_display()} — {self.target_number}"

    @property
    def inverse_label(self) -> str:
        """The relation as read from the target's page."""
        return str(INVERSE_LABELS.get(self.kind, self.get_kind_display()))


class SearchRow(models.Model):
    """The full-text index row of a document (derived data: not audited, rebuilt at will).

    The folded tokens themselves live where each database searches them: an FTS5 table
    `legal_fts` (rowid = document id) on SQLite; the columns `vector` (tsvector, GIN index)
    and `phrase_text` of this table on PostgreSQL, added by migration 0001. `digest` lets an
    unchanged text skip re-indexing. See `lienthong.registries.legal.fulltext`.
    """

    document = models.OneToOneField(
        LegalDocument, primary_key=True, on_delete=models.CASCADE, related_name="search_row"
    )
    digest = models.CharField(max_length=64)
    head = models.TextField(
        blank=True,
        default="",
        help_text="The first 32,000 characters of the text, for snippets (the search kernel's"
        " head): cheaper to read than a slice of a compressed 400 KB text.",
    )

    class Meta:
        verbose_name = _("chỉ mục toàn văn")
        verbose_name_plural = _("chỉ mục toàn văn")

    def __str__(self) -> str:
        return str(self.document_id)
