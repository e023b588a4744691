"""The message log (nhật ký trao đổi): one entry per exchange with a system outside the
process — an API call by a client system, a webhook delivery, a batch published to NATS, a
call to the national portal or the LGSP, a document sent to another deployment.

Append-only and hash-chained like the audit log, but in several chains (`chain`: "api",
"webhook", "nats", "portal", …), each with its own head row, so that deliveries and API
calls do not queue behind one lock. An entry holds who, which service, when, the outcome and
the SHA-256 digests and sizes of the request and response bodies; the bodies themselves are
stored out of line, content-addressed (`bodies.py`), so the log has no size limit.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LogChainHead(models.Model):
    """The length and last hash of one chain; writers lock it in turn."""

    chain = models.CharField(_("chuỗi"), max_length=40, unique=True)
    count = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký trao đổi")

    def __str__(self) -> str:
        return f"{self.chain} {self.count}"


class LogCheckpoint(models.Model):
    """Where a chain starts after retention removed its older entries: the first kept `seq`
    and the hash it links to. Written in the purge's transaction."""

    chain = models.CharField(_("chuỗi"), max_length=40, unique=True)
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    purged_at = models.DateTimeField()
    purged_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("điểm neo nhật ký trao đổi")

    def __str__(self) -> str:
        return f"{self.chain} from {self.seq}"


class MessageLogEntry(models.Model):
    """One exchange, chained to the chain's previous entry by a SHA-256 hash.

    No foreign keys, like the audit log: removing a client system must not touch its log.
    """

    class Direction(models.TextChoices):
        INBOUND = "in", _("Vào")
        OUTBOUND = "out", _("Ra")

    class Outcome(models.TextChoices):
        OK = "ok", _("Thành công")
        ERROR = "error", _("Lỗi")
        REFUSED = "refused", _("Từ chối")

    chain = models.CharField(_("chuỗi"), max_length=40)
    seq = models.BigIntegerField(_("số thứ tự"))
    created_at = models.DateTimeField(_("thời điểm"), db_index=True)
    direction = models.CharField(_("chiều"), max_length=3, choices=Direction.choices)
    #: What kind of exchange: "api", "webhook", "nats", "portal", "lgsp", "edxml", …
    kind = models.CharField(_("loại"), max_length=20)
    #: The catalogue's service code ("registry.population.read", "event.dossier.submitted", …).
    service = models.CharField(_("dịch vụ"), max_length=200)
    operation = models.CharField(_("thao tác"), max_length=200, blank=True)
    client_id = models.BigIntegerField(_("hệ thống"), null=True, blank=True)
    client_repr = models.CharField(_("hệ thống"), max_length=200, blank=True)
    agency_id = models.BigIntegerField(_("cơ quan"), null=True, blank=True)
    actor_repr = models.CharField(_("người / tiến trình"), max_length=200, blank=True)
    #: What it was about: a dossier code, an event subject, a document number.
    subject = models.CharField(_("đối tượng"), max_length=200, blank=True)
    #: The request id, event id or message id that ties the entry to other records.
    correlation_id = models.CharField(_("mã liên kết"), max_length=100, blank=True)
    status = models.IntegerField(_("mã trạng thái"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    duration_ms = models.IntegerField(_("thời gian (ms)"), null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    request_size = models.BigIntegerField(default=0)
    response_digest = models.CharField(max_length=64, blank=True)
    response_size = models.BigIntegerField(default=0)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("bản ghi trao đổi")
        verbose_name_plural = _("nhật ký trao đổi")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="exchange_log_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["client_id", "created_at"], name="exchange_log_client_idx"),
            models.Index(fields=["service", "created_at"], name="exchange_log_service_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.service}"
