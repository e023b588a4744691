"""`lienthong deliver`: deliver outbox events to webhooks and NATS JetStream until stopped."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.exchange.commandline import positive_number, stop_on_signals
from lienthong.exchange.delivery.deliverer import Deliverer, PassResult

logger = logging.getLogger("lienthong.exchange.delivery")


class Command(BaseCommand):
    """The delivery loop; SIGTERM/SIGINT stop it after the batch in hand."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Chuyển sự kiện tới webhook của hệ thống kết nối và NATS JetStream (chạy nền).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help=_("Chuyển hết sự kiện đến hạn rồi thoát.")
        )
        parser.add_argument(
            "--interval",
            type=positive_number,
            default=None,
            help=_("Số giây chờ khi không có việc."),
        )
        parser.add_argument(
            "--batch", type=positive_number, default=None, help=_("Số sự kiện tối đa mỗi lượt.")
        )
        parser.add_argument("--no-nats", action="store_true", help=_("Không chuyển sang NATS."))

    def handle(self, *args: Any, **options: Any) -> None:
        with stop_on_signals(logger, "deliver: %s received, stopping") as stop:
            batch = int(options["batch"]) if options["batch"] else None
            deliverer = Deliverer(batch=batch, use_nats=not options["no_nats"])
            logger.info(
                "deliver: started (NATS %s)",
                deliverer.bridge.url if deliverer.bridge is not None else "off",
            )
            with acting(via="lienthong deliver"):
                if options["once"]:
                    total = PassResult()
                    try:
                        while not stop.is_set():
                            result = deliverer.run_once()
                            total += result
                            if not result.busy:
                                break
                    finally:
                        deliverer.close()
                else:
                    total = deliverer.run(stop, options["interval"])
        self.stdout.write(
            _(
                "Đã chuyển %(delivered)d sự kiện tới webhook, %(published)d sang NATS, "
                "%(replayed)d chuyển lại; %(dead)d lỗi."
            )
            % {
                "delivered": total.delivered,
                "published": total.published,
                "replayed": total.replayed,
                "dead": total.dead,
            }
        )
