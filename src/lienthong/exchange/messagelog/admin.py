"""Admin of the message log: read-only (the database refuses changes anyway)."""

from __future__ import annotations

from django.contrib import admin

from lienthong.exchange.admin import ReadOnlyAdmin
from lienthong.exchange.messagelog.models import LogChainHead, LogCheckpoint, MessageLogEntry


@admin.register(MessageLogEntry)
class MessageLogEntryAdmin(ReadOnlyAdmin):
    """Entries, newest first; bodies are downloaded from /lien-thong/nhat-ky/ (audited)."""

    list_display = ("created_at", "chain", "seq", "client_repr", "service", "status", "outcome")
    list_filter = ("chain", "outcome", "kind")
    search_fields = ("=correlation_id", "service", "subject", "client_repr")
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(LogChainHead)
class LogChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("chain", "count", "last_hash")


@admin.register(LogCheckpoint)
class LogCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("chain", "seq", "purged_at", "purged_count")
