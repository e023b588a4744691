"""Processing actions of `lienthong dossier`.

    lienthong dossier forward CODE --by chuyenvien [--note "Hồ sơ hợp lệ"]
    lienthong dossier send-back CODE --step 1 --note "Thiếu ý kiến" --by lanhdao
    lienthong dossier supplement CODE --items "Sơ đồ thửa đất" --items "Tờ khai" \\
        --reason "Thiếu giấy tờ" --by chuyenvien
    lienthong dossier supply CODE --by motcua
    lienthong dossier obligation CODE --amount 1500000 --description "Lệ phí" --by chuyenvien
    lienthong dossier paid CODE --reference BL-0001 --by motcua
    lienthong dossier handover CODE --agency 000.00.06.H56 --note "…" --by chuyenvien
    lienthong dossier stop CODE --reason "…" --by lanhdao
    lienthong dossier withdraw CODE --reason "…" --by motcua
    lienthong dossier apology CODE --reason "…" --days 3 --by chuyenvien [-o phieu.pdf]
    lienthong dossier result CODE --file ket-qua.pdf --title "Giấy phép" [--number 12] --by lanhdao
    lienthong dossier return CODE --by motcua [--online]
    lienthong dossier history CODE

Each action calls the same service as the page and the API; a refusal ends with its
Vietnamese message and exit status 1, and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.onestop import processing, results
from lienthong.onestop.intake import normalise_code
from lienthong.onestop.models import Channel, Dossier
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case

Handler = Callable[[dict[str, Any], BaseCommand], None]
T = TypeVar("T")


def _call(via: str, user: User, call: Callable[[], T]) -> T:
    """Run a service under the command's actor context; its refusals become CommandError."""
    try:
        with acting(via=via, user=user):
            return call()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            lines = [m for messages in exc.message_dict.values() for m in messages]
        else:
            lines = list(exc.messages)
        raise CommandError("\n".join(lines)) from exc
    except (PermissionDenied, WrongState) as exc:
        raise CommandError(str(exc)) from exc


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("Không có tài khoản “%(name)s”.") % {"name": username})
    return user


def _dossier(code: str) -> Dossier:
    canonical = normalise_code(code)
    dossier = (
        Dossier.objects.select_related("procedure", "agency").filter(code=canonical).first()
        if canonical
        else None
    )
    if dossier is None:
        raise CommandError(_("Không tìm thấy hồ sơ có mã “%(code)s”.") % {"code": code})
    return dossier


def _act(options: dict[str, Any], command: BaseCommand, name: str, call: Callable[..., Any]) -> Any:
    """Run `call(dossier, user)` for the command's dossier and `--by` user; report the status."""
    dossier = _dossier(options["code"])
    user = _user(options["by"])
    outcome = _call(f"lienthong dossier {name}", user, lambda: call(dossier, user))
    dossier.refresh_from_db()
    command.stdout.write(
        _("Hồ sơ %(code)s: %(status)s.")
        % {"code": dossier.code, "status": dossier.get_status_display()}
    )
    return outcome


def forward(options: dict[str, Any], command: BaseCommand) -> None:
    """Finish the current step."""
    _act(
        options,
        command,
        "forward",
        lambda d, u: processing.forward_dossier(d, by=u, note=options["note"]),
    )


def send_back(options: dict[str, Any], command: BaseCommand) -> None:
    """Back to an earlier step."""

    def call(dossier: Dossier, user: Any) -> object:
        case = Case.objects.select_related("template").filter(dossier=dossier).first()
        step = case.template.steps.filter(order=options["step"]).first() if case else None
        if step is None:
            raise CommandError(_("Quy trình không có bước số %d.") % options["step"])
        return processing.return_to_step(dossier, step=step, by=user, note=options["note"])

    _act(options, command, "send-back", call)


def supplement(options: dict[str, Any], command: BaseCommand) -> None:
    """Ask for a supplement."""
    _act(
        options,
        command,
        "supplement",
        lambda d, u: processing.request_supplement(
            d, items=options["items"], reason=options["reason"], by=u
        ),
    )


def supply(options: dict[str, Any], command: BaseCommand) -> None:
    """The complete dossier is back."""
    outcome = _act(
        options,
        command,
        "supply",
        lambda d, u: processing.confirm_supplement(d, by=u, note=options["note"]),
    )
    if outcome.new_due_date:
        command.stdout.write(
            _("Ngày hẹn trả kết quả mới: %s.") % outcome.new_due_date.strftime("%d/%m/%Y")
        )


def obligation(options: dict[str, Any], command: BaseCommand) -> None:
    """Ask for a fee or tax."""
    _act(
        options,
        command,
        "obligation",
        lambda d, u: processing.request_obligation(
            d, amount=options["amount"], description=options["description"], by=u
        ),
    )


def paid(options: dict[str, Any], command: BaseCommand) -> None:
    """Record the payment."""
    _act(
        options,
        command,
        "paid",
        lambda d, u: processing.confirm_obligation_paid(d, by=u, reference=options["reference"]),
    )


def handover(options: dict[str, Any], command: BaseCommand) -> None:
    """Hand over to another agency."""
    agency = OrgUnit.objects.filter(code=options["agency"].strip().upper(), is_agency=True).first()
    if agency is None:
        raise CommandError(_("Không có cơ quan mã “%(code)s”.") % {"code": options["agency"]})
    _act(
        options,
        command,
        "handover",
        lambda d, u: processing.hand_over_dossier(d, to_agency=agency, by=u, note=options["note"]),
    )


def stop(options: dict[str, Any], command: BaseCommand) -> None:
    """Stop processing."""
    _act(
        options,
        command,
        "stop",
        lambda d, u: processing.stop_dossier(d, reason=options["reason"], by=u),
    )


def withdraw(options: dict[str, Any], command: BaseCommand) -> None:
    """Withdraw at the applicant's request."""
    _act(
        options,
        command,
        "withdraw",
        lambda d, u: processing.withdraw_dossier(d, reason=options["reason"], by=u),
    )


def _date(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(
                _("Ngày phải có dạng dd/mm/yyyy, ví dụ 13/02/2026.")
            ) from exc


def apology(options: dict[str, Any], command: BaseCommand) -> None:
    """Write the apology letter with the new return date."""
    letter = _act(
        options,
        command,
        "apology",
        lambda d, u: processing.write_apology(
            d, reason=options["reason"], days=options["days"], new_due_date=options["date"], by=u
        ),
    )
    command.stdout.write(
        _("Ngày hẹn trả kết quả mới: %s.") % letter.new_due_date.strftime("%d/%m/%Y")
    )
    if options["output"]:
        Path(options["output"]).write_bytes(processing.apology_letter_pdf(letter))
        command.stdout.write(_("Đã ghi phiếu xin lỗi vào %s.") % options["output"])


def result(options: dict[str, Any], command: BaseCommand) -> None:
    """Attach the result document from a file."""
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(_("Không đọc được tệp “%s”.") % path)
    with path.open("rb") as handle:
        _act(
            options,
            command,
            "result",
            lambda d, u: results.upload_result(
                d,
                title=options["title"],
                number=options["number"],
                file=File(handle, name=path.name),
                by=u,
            ),
        )


def return_result(options: dict[str, Any], command: BaseCommand) -> None:
    """Return the result at the counter (or online)."""
    channel = Channel.ONLINE if options["online"] else Channel.COUNTER
    _act(
        options,
        command,
        "return",
        lambda d, u: results.return_result(d, by=u, channel=channel, note=options["note"]),
    )


def history(options: dict[str, Any], command: BaseCommand) -> None:
    """Print the dossier's history, internal notes included (an operator's view)."""
    dossier = _dossier(options["code"])
    command.stdout.write(
        f"{dossier.code} — {dossier.procedure.name} — {dossier.get_status_display()}"
    )
    for row in dossier.history.select_related("org_unit", "by").order_by("at", "pk"):
        at = timezone.localtime(row.at).strftime("%H:%M %d/%m/%Y")
        line = f"{at}  {row.get_status_display()}"
        who = ", ".join(str(x) for x in (row.org_unit and row.org_unit.name, row.by) if x)
        if who:
            line += f"  [{who}]"
        if row.public_note:
            line += f"  {row.public_note}"
        if row.internal_note:
            line += f"  ({_('nội bộ')}: {row.internal_note})"
        command.stdout.write(line)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(_("Phải là số nguyên dương."))
    return value


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register this area's actions on `lienthong dossier`."""

    def add(name: str, handler: Handler, help_text: str, *, by: bool = True) -> Any:
        parser = subparsers.add_parser(name, help=help_text)
        parser.add_argument("code", help=_("Mã hồ sơ"))
        if by:
            parser.add_argument("--by", required=True, help=_("Tên đăng nhập của người thực hiện"))
        parser.set_defaults(handler=handler)
        return parser

    parser = add("forward", forward, _("Hoàn thành bước hiện tại, chuyển bước tiếp theo"))
    parser.add_argument("--note", default="", help=_("Ý kiến xử lý"))

    parser = add("send-back", send_back, _("Trả hồ sơ về một bước trước"))
    parser.add_argument("--step", type=_positive_int, required=True, help=_("Thứ tự bước"))
    parser.add_argument("--note", required=True, help=_("Lý do trả lại"))

    parser = add("supplement", supplement, _("Yêu cầu bổ sung hồ sơ"))
    parser.add_argument(
        "--items", action="append", required=True, help=_("Giấy tờ cần bổ sung (lặp lại được)")
    )
    parser.add_argument("--reason", required=True, help=_("Lý do"))

    parser = add("supply", supply, _("Xác nhận đã nhận đủ hồ sơ bổ sung"))
    parser.add_argument("--note", default="", help=_("Ghi chú"))

    parser = add("obligation", obligation, _("Đề nghị thực hiện nghĩa vụ tài chính"))
    parser.add_argument("--amount", type=_positive_int, required=True, help=_("Số tiền (đồng)"))
    parser.add_argument("--description", required=True, help=_("Nội dung"))

    parser = add("paid", paid, _("Ghi nhận đã thực hiện nghĩa vụ tài chính"))
    parser.add_argument("--reference", default="", help=_("Số biên lai"))

    parser = add("handover", handover, _("Chuyển cơ quan khác giải quyết (liên thông)"))
    parser.add_argument("--agency", required=True, help=_("Mã định danh cơ quan nhận"))
    parser.add_argument("--note", required=True, help=_("Nội dung đề nghị"))

    parser = add("stop", stop, _("Dừng xử lý hồ sơ"))
    parser.add_argument("--reason", required=True, help=_("Lý do"))

    parser = add("withdraw", withdraw, _("Rút hồ sơ theo yêu cầu của người nộp"))
    parser.add_argument("--reason", required=True, help=_("Lý do"))

    parser = add("apology", apology, _("Lập phiếu xin lỗi, hẹn lại ngày trả kết quả"))
    parser.add_argument("--reason", required=True, help=_("Lý do chậm"))
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--days", type=_positive_int, help=_("Số ngày làm việc gia hạn"))
    when.add_argument("--date", type=_date, help=_("Ngày hẹn trả mới (dd/mm/yyyy)"))
    parser.add_argument("-o", "--output", help=_("Ghi phiếu xin lỗi (PDF) vào tệp này"))

    parser = add("result", result, _("Tải kết quả giải quyết lên"))
    parser.add_argument("--file", required=True, help=_("Tệp kết quả"))
    parser.add_argument("--title", required=True, help=_("Tên kết quả"))
    parser.add_argument("--number", default="", help=_("Số, ký hiệu"))

    parser = add("return", return_result, _("Trả kết quả cho người nộp"))
    parser.add_argument("--online", action="store_true", help=_("Gửi kết quả trực tuyến"))
    parser.add_argument("--note", default="", help=_("Ghi chú"))

    add("history", history, _("In diễn biến xử lý hồ sơ"), by=False)
