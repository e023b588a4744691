"""`lienthong worker`: relay outbox events to their consumers until told to stop."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection
from django.utils.translation import gettext as _

from lienthong.exchange.commandline import positive_number, stop_on_signals
from lienthong.exchange.outbox import RelayResult, relay_pending, setting

logger = logging.getLogger("lienthong.exchange.worker")


def _positive_int(value: str) -> int:
    number = positive_number(value)
    if number != int(number):
        raise argparse.ArgumentTypeError(_("Phải là số nguyên dương."))
    return int(number)


class Command(BaseCommand):
    """Poll the outbox and relay due events; SIGTERM/SIGINT stop it after the current event."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Chuyển các sự kiện trong hàng đợi tới nơi nhận (chạy nền).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help=_("Chuyển hết sự kiện đến hạn rồi thoát.")
        )
        parser.add_argument(
            "--interval",
            type=positive_number,
            default=None,
            help=_("Số giây chờ giữa hai lần kiểm tra khi hàng đợi trống."),
        )
        parser.add_argument(
            "--batch", type=_positive_int, default=None, help=_("Số sự kiện tối đa mỗi lượt.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"] or float(setting("OUTBOX_POLL_SECONDS"))
        batch = options["batch"] or int(setting("OUTBOX_BATCH"))
        total = RelayResult()
        logger.info("worker: started (interval %.1fs, batch %d)", interval, batch)
        message = "worker: %s received, stopping after the current event"
        with stop_on_signals(logger, message) as stop:
            while not stop.is_set():
                # A worker lives for days: drop connections the database or a proxy closed
                # (never one inside a transaction: a caller's, as in tests, is not ours).
                if not connection.in_atomic_block:
                    close_old_connections()
                result = relay_pending(limit=batch, should_stop=stop.is_set)
                total += result
                if result.claimed:
                    logger.info(
                        "worker: relayed %d events (%d delivered, %d to retry, %d dead)",
                        result.claimed,
                        result.delivered,
                        result.retried,
                        result.dead,
                    )
                if result.claimed < batch:
                    if options["once"]:
                        break
                    stop.wait(interval)
        self.stdout.write(
            _(
                "Đã xử lý %(claimed)d sự kiện: %(delivered)d đã chuyển, "
                "%(retried)d chờ thử lại, %(dead)d lỗi."
            )
            % {
                "claimed": total.claimed,
                "delivered": total.delivered,
                "retried": total.retried,
                "dead": total.dead,
            }
        )
