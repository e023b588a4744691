"""The `deadletters` command's arguments and work, kept apart from the command class so that a
`lienthong exchange deadletters …` subcommand can reuse them as they are."""

from __future__ import annotations

import argparse
from typing import Any, Protocol

from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.exchange.commandline import positive_integer
from lienthong.exchange.delivery.models import DeadLetter
from lienthong.exchange.delivery.services import DeliveryError, replay_dead_letters


class Writer(Protocol):
    def write(self, text: str) -> object: ...


class CliError(Exception):
    """Bad input on the command line; the message is for the user."""


def add_deadletter_arguments(parser: argparse.ArgumentParser) -> None:
    """`list [--status] [--subscription N] [-n N]` and `replay (ID… | --all) [--subscription N]`."""
    sub = parser.add_subparsers(dest="deadletters_action", required=True)
    listing = sub.add_parser("list", help=_("Các sự kiện chuyển lỗi mới nhất."))
    listing.add_argument("--status", choices=DeadLetter.Status.values, default="dead")
    listing.add_argument("--subscription", type=positive_integer, default=None)
    listing.add_argument("-n", type=positive_integer, default=50, dest="count")
    replay = sub.add_parser("replay", help=_("Chuyển lại sự kiện lỗi (theo mã sự kiện)."))
    replay.add_argument("event_ids", nargs="*", metavar="MÃ_SỰ_KIỆN")
    replay.add_argument("--all", action="store_true", help=_("Mọi sự kiện đang lỗi."))
    replay.add_argument("--subscription", type=positive_integer, default=None)


def run_deadletters(options: dict[str, Any], out: Writer) -> None:
    """List or replay, as the parsed `options` say; output to `out`."""
    letters = DeadLetter.objects.select_related("subscription__client")
    if options.get("subscription"):
        letters = letters.filter(subscription_id=options["subscription"])
    if options["deadletters_action"] == "list":
        for letter in reversed(list(letters.filter(status=options["status"])[: options["count"]])):
            when = timezone.localtime(letter.created_at).strftime("%Y-%m-%d %H:%M:%S")
            out.write(
                f"{letter.event_id}  {when}  {letter.status:<9}  {letter.attempts:>2}  "
                f"{letter.subscription.client.code:<20}  {letter.type:<30}  {letter.subject}\n"
            )
            if letter.last_error:
                out.write(f"    {letter.last_error}\n")
        return
    ids = options["event_ids"]
    if bool(ids) == bool(options["all"]):
        raise CliError(_("Cho biết mã sự kiện cần chuyển lại, hoặc --all."))
    chosen = letters.filter(status=DeadLetter.Status.DEAD)
    if ids:
        found = list(chosen.filter(event_id__in=_uuids(ids)))
        missing = sorted(set(ids) - {str(letter.event_id) for letter in found})
        if missing:
            raise CliError(_("Không có sự kiện lỗi với mã: %(ids)s.") % {"ids": ", ".join(missing)})
    else:
        found = list(chosen)
    try:
        with acting(via="cli:deadletters replay"):
            count = replay_dead_letters(found)
    except DeliveryError as exc:
        raise CliError(str(exc)) from None
    out.write(_("Đã đưa %(n)d sự kiện vào hàng chuyển lại.") % {"n": count} + "\n")


def _uuids(values: list[str]) -> list[str]:
    import uuid

    result = []
    for value in values:
        try:
            result.append(str(uuid.UUID(value)))
        except ValueError:
            raise CliError(_("Mã sự kiện “%(id)s” không hợp lệ.") % {"id": value}) from None
    return result
