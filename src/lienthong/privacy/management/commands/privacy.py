"""`lienthong privacy alerts`: the daily overdue scan of data-subject requests.
`lienthong privacy overdue`: list the overdue requests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from lienthong.core.context import acting
from lienthong.privacy import alerts
from lienthong.privacy.models import DataSubjectRequest


class Command(BaseCommand):
    help = "Personal data: overdue alerts of data-subject requests."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("alerts", help="write today's overdue alerts (email via the worker)")
        sub.add_parser("overdue", help="list the overdue requests")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting(via="lienthong privacy"):
            if options["action"] == "alerts":
                alerted = alerts.scan()
                self.stdout.write(f"{len(alerted)} overdue alert(s): {alerted}")
                return
            now = timezone.now()
            for request in DataSubjectRequest.objects.overdue(now).order_by("pk"):
                self.stdout.write(
                    f"#{request.pk}\t{request.kind}\t{request.status}\t"
                    f"{request.ack_due_date:%Y-%m-%d}\t{request.response_due_at:%Y-%m-%d %H:%M}"
                )
