"""`lienthong outbox list | replay | purge`: look at the outbox, resend a dead event, remove
old delivered ones."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.exchange.commandline import positive_integer
from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.services import OutboxError, purge_delivered, replay_event


class Command(BaseCommand):
    """List outbox events or put a dead one back in the queue."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Xem hàng đợi sự kiện và chuyển lại sự kiện bị lỗi.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        listing = sub.add_parser("list", help=_("Các sự kiện mới nhất."))
        listing.add_argument("--status", choices=OutboxEvent.Status.values)
        listing.add_argument("-n", type=positive_integer, default=50, dest="count")
        replay = sub.add_parser("replay", help=_("Chuyển lại một sự kiện bị lỗi."))
        replay.add_argument("event_id")
        purge = sub.add_parser(
            "purge",
            help=_(
                "Xóa sự kiện đã chuyển và bản ghi đã xử lý cũ hơn số ngày lưu giữ "
                "(sự kiện chờ chuyển và lỗi luôn được giữ)."
            ),
        )
        purge.add_argument(
            "--older-than", type=positive_integer, default=30, dest="days", metavar="NGÀY"
        )
        purge.add_argument("--dry-run", action="store_true", help=_("Chỉ đếm, không xóa."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            self._list(options)
        elif options["subcommand"] == "purge":
            self._purge(options)
        else:
            self._replay(options)

    def _list(self, options: dict[str, Any]) -> None:
        events = OutboxEvent.objects.order_by("-id")
        if options["status"]:
            events = events.filter(status=options["status"])
        for event in reversed(list(events[: options["count"]])):
            when = timezone.localtime(event.time).strftime("%Y-%m-%d %H:%M:%S")
            line = (
                f"{event.event_id}  {when}  {event.status:<9}  {event.attempts:>2}  "
                f"{event.type:<30}  {event.subject}"
            )
            self.stdout.write(line)
            if event.last_error and event.status != OutboxEvent.Status.DELIVERED:
                self.stdout.write("    " + event.last_error.splitlines()[-1])

    def _replay(self, options: dict[str, Any]) -> None:
        try:
            with acting(via="cli:outbox replay"):
                event = replay_event(options["event_id"])
        except OutboxError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã đưa sự kiện %(id)s trở lại hàng đợi.") % {"id": event.event_id}
            )
        )

    def _purge(self, options: dict[str, Any]) -> None:
        with acting(via="cli:outbox purge"):
            purged = purge_delivered(older_than_days=options["days"], dry_run=options["dry_run"])
        when = timezone.localtime(purged.before).strftime("%Y-%m-%d %H:%M")
        counts = {"events": purged.events, "processed": purged.processed, "at": when}
        if options["dry_run"]:
            message = _(
                "Sẽ xóa %(events)d sự kiện đã chuyển và %(processed)d bản ghi đã xử lý "
                "trước %(at)s."
            )
        else:
            message = _(
                "Đã xóa %(events)d sự kiện đã chuyển và %(processed)d bản ghi đã xử lý "
                "trước %(at)s."
            )
        self.stdout.write(message % counts)
