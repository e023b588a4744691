"""Admin for the outbox: events and consumers' receipts are read-only; dead events replay."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lienthong.exchange.models import OutboxEvent, ProcessedEvent
from lienthong.exchange.services import OutboxError, can_replay, replay_event


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the platform writes: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """Outbox events with their delivery state; the one write is "replay" of dead events."""

    list_display = ("time", "type", "subject", "status", "attempts", "next_attempt_at", "event_id")
    list_filter = ("status", "type")
    search_fields = ("=event_id", "type", "subject")
    date_hierarchy = "time"
    ordering = ("-id",)
    show_full_result_count = False
    actions = ("replay",)
    fields = (
        "event_id",
        "type",
        "source",
        "subject",
        "time",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "last_error",
        "cloudevent_json",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Sự kiện (CloudEvents)"))
    def cloudevent_json(self, obj: OutboxEvent) -> SafeString:
        text = json.dumps(obj.as_cloudevent(), ensure_ascii=False, indent=2, default=str)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return can_replay(request.user)

    @admin.action(
        description=gettext_lazy("Chuyển lại các sự kiện bị lỗi đã chọn"),
        permissions=["replay"],
    )
    def replay(self, request: HttpRequest, queryset: QuerySet[OutboxEvent]) -> None:
        done = skipped = 0
        for event_id in queryset.values_list("event_id", flat=True):
            try:
                replay_event(event_id, by=request.user)
            except OutboxError:
                skipped += 1
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "Đã đưa %(n)d sự kiện trở lại hàng đợi.",
                    "Đã đưa %(n)d sự kiện trở lại hàng đợi.",
                    done,
                )
                % {"n": done},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("Bỏ qua %(n)d sự kiện không ở trạng thái lỗi.") % {"n": skipped},
                messages.WARNING,
            )


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(ReadOnlyAdmin):
    """Which consumer handled which event, and when."""

    list_display = ("processed_at", "consumer", "event_id")
    list_filter = ("consumer",)
    search_fields = ("=event_id", "consumer")
    ordering = ("-id",)
    show_full_result_count = False
