"""Intake actions of `lienthong dossier`: lookup, receive, accept, refuse, receipt.

    lienthong dossier lookup 000.00.06.H56-231027-0361
    lienthong dossier receive --procedure 1.001193 --agency 000.00.06.H56 \\
        --applicant-name "Nguyễn Thị Minh" --personal-id 074185000123 \\
        --component 1:1:0 --component 2:0:1 --by motcua
    lienthong dossier accept CODE --by motcua
    lienthong dossier refuse CODE --reason "Thiếu tờ khai" --by motcua
    lienthong dossier receipt CODE -o giay-tiep-nhan.pdf

Each action calls the same service as the page and the API; bad input ends with a Vietnamese
message and a non-zero exit status (1), and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lienthong.accounts.models import User
from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.onestop import intake, slips
from lienthong.onestop.models import Dossier, Procedure
from lienthong.workflow.engine import WrongState

T = TypeVar("T")


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [message for messages in exc.message_dict.values() for message in messages]
    return list(exc.messages)


def _call(via: str, user: User | None, call: Callable[[], T]) -> T:
    """Run a service under the command's actor context; its refusals become CommandError."""
    try:
        with acting(via=via, user=user):
            return call()
    except ValidationError as exc:
        raise CommandError("\n".join(_messages(exc))) from exc
    except (PermissionDenied, WrongState) as exc:
        raise CommandError(str(exc)) from exc


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("Không có tài khoản “%(name)s”.") % {"name": username})
    return user


def _dossier(code: str) -> Dossier:
    canonical = intake.normalise_code(code)
    dossier = (
        Dossier.objects.select_related("procedure", "agency").filter(code=canonical).first()
        if canonical
        else None
    )
    if dossier is None:
        raise CommandError(_("Không tìm thấy hồ sơ có mã “%(code)s”.") % {"code": code})
    return dossier


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def lookup(options: dict[str, Any], command: BaseCommand) -> None:
    """Print what the public lookup shows for a code, as JSON."""
    result = intake.public_lookup(options["code"])
    if result is None:
        raise CommandError(_("Không tìm thấy hồ sơ có mã “%(code)s”.") % {"code": options["code"]})
    command.stdout.write(_json(result))


def _component_spec(text: str) -> tuple[int, int, int]:
    parts = text.split(":")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (1, 3) or any(n < 0 for n in numbers):
        raise argparse.ArgumentTypeError(
            _("“%(text)s” không đúng dạng SỐ_THỨ_TỰ[:BẢN_CHÍNH:BẢN_SAO], ví dụ 1:1:0.")
            % {"text": text}
        )
    return (numbers[0], 1, 0) if len(numbers) == 1 else (numbers[0], numbers[1], numbers[2])


def receive(options: dict[str, Any], command: BaseCommand) -> None:
    """Receive a dossier at the counter; print its code and appointed date."""
    by = _user(options["by"])
    procedure = Procedure.objects.filter(code=options["procedure"]).first()
    if procedure is None:
        raise CommandError(_("Không có thủ tục mã “%(code)s”.") % {"code": options["procedure"]})
    agency = OrgUnit.objects.filter(code=options["agency"].upper(), is_agency=True).first()
    if agency is None:
        raise CommandError(_("Không có cơ quan mã “%(code)s”.") % {"code": options["agency"]})
    by_order = {c.order: c for c in procedure.components.all()}
    received = []
    for order, originals, copies in options["component"] or []:
        component = by_order.get(order)
        if component is None:
            raise CommandError(
                _("Thủ tục “%(code)s” không có thành phần số %(order)s.")
                % {"code": procedure.code, "order": order}
            )
        received.append(intake.ReceivedComponent(component, originals=originals, copies=copies))
    applicant = intake.Applicant(
        name=options["applicant_name"],
        kind=options["kind"],
        personal_id=options["personal_id"] or "",
        tax_code=options["tax_code"] or "",
        address=options["address"] or "",
        phone=options["phone"] or "",
        email=options["email"] or "",
    )
    dossier = _call(
        "lienthong dossier receive",
        by,
        lambda: intake.receive_at_counter(
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            components_received=received,
            by=by,
        ),
    )
    command.stdout.write(
        _("Đã tiếp nhận hồ sơ %(code)s; hẹn trả ngày %(day)s.")
        % {"code": dossier.code, "day": f"{dossier.due_date:%d/%m/%Y}"}
    )


def accept(options: dict[str, Any], command: BaseCommand) -> None:
    """Accept an online dossier."""
    by = _user(options["by"])
    dossier = _dossier(options["code"])
    dossier = _call("lienthong dossier accept", by, lambda: intake.accept(dossier=dossier, by=by))
    command.stdout.write(
        _("Đã tiếp nhận hồ sơ %(code)s; hẹn trả ngày %(day)s.")
        % {"code": dossier.code, "day": f"{dossier.due_date:%d/%m/%Y}"}
    )


def refuse(options: dict[str, Any], command: BaseCommand) -> None:
    """Refuse an online dossier with reasons."""
    by = _user(options["by"])
    dossier = _dossier(options["code"])
    reasons = options["reason"] or []
    _call(
        "lienthong dossier refuse",
        by,
        lambda: intake.refuse(dossier=dossier, reasons=reasons, by=by),
    )
    command.stdout.write(_("Đã từ chối tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})


def receipt(options: dict[str, Any], command: BaseCommand) -> None:
    """Write a dossier's receipt slip (or, with --refusal, its refusal slip) as PDF."""
    dossier = _dossier(options["code"])
    make = slips.refusal_pdf if options["refusal"] else slips.receipt_pdf
    try:
        content = make(dossier)
    except ValidationError as exc:
        raise CommandError("\n".join(_messages(exc))) from exc
    output = options["output"]
    if output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        Path(output).write_bytes(content)
    except OSError as exc:
        raise CommandError(
            _("Không ghi được tệp %(path)s: %(error)s") % {"path": output, "error": exc.strerror}
        ) from exc
    command.stdout.write(
        _("Đã ghi %(path)s (%(size)d byte).") % {"path": output, "size": len(content)}
    )


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register this area's actions on `lienthong dossier`."""
    parser = subparsers.add_parser("lookup", help=_("Tra cứu công khai một hồ sơ (JSON)."))
    parser.add_argument("code", help=_("Mã hồ sơ."))
    parser.set_defaults(handler=lookup)

    parser = subparsers.add_parser("receive", help=_("Tiếp nhận hồ sơ tại quầy."))
    parser.add_argument("--procedure", required=True, help=_("Mã thủ tục."))
    parser.add_argument("--agency", required=True, help=_("Mã định danh cơ quan tiếp nhận."))
    parser.add_argument("--applicant-name", required=True, help=_("Họ tên người nộp."))
    parser.add_argument(
        "--kind",
        choices=list(Dossier.ApplicantKind.values),
        default=Dossier.ApplicantKind.PERSON,
        help=_("Cá nhân (person) hay tổ chức (organisation)."),
    )
    parser.add_argument("--personal-id", help=_("Số định danh cá nhân (12 chữ số)."))
    parser.add_argument("--tax-code", help=_("Mã số thuế (tổ chức)."))
    parser.add_argument("--address", help=_("Địa chỉ."))
    parser.add_argument("--phone", help=_("Điện thoại."))
    parser.add_argument("--email", help=_("Thư điện tử."))
    parser.add_argument(
        "--component",
        action="append",
        type=_component_spec,
        metavar="N[:ORIGINALS:COPIES]",
        help=_("Thành phần đã nhận: số thứ tự, số bản chính, số bản sao (lặp lại được)."),
    )
    parser.add_argument("--by", required=True, help=_("Tài khoản cán bộ một cửa."))
    parser.set_defaults(handler=receive)

    parser = subparsers.add_parser("accept", help=_("Tiếp nhận một hồ sơ trực tuyến."))
    parser.add_argument("code", help=_("Mã hồ sơ."))
    parser.add_argument("--by", required=True, help=_("Tài khoản cán bộ một cửa."))
    parser.set_defaults(handler=accept)

    parser = subparsers.add_parser("refuse", help=_("Từ chối tiếp nhận một hồ sơ trực tuyến."))
    parser.add_argument("code", help=_("Mã hồ sơ."))
    parser.add_argument("--reason", action="append", required=True, help=_("Lý do (lặp lại được)."))
    parser.add_argument("--by", required=True, help=_("Tài khoản cán bộ một cửa."))
    parser.set_defaults(handler=refuse)

    parser = subparsers.add_parser("receipt", help=_("Xuất giấy tiếp nhận hồ sơ (PDF)."))
    parser.add_argument("code", help=_("Mã hồ sơ."))
    parser.add_argument(
        "-o", "--output", required=True, help=_("Tệp PDF ghi ra (“-” là đầu ra chuẩn).")
    )
    parser.add_argument(
        "--refusal", action="store_true", help=_("Xuất phiếu từ chối tiếp nhận thay cho giấy.")
    )
    parser.set_defaults(handler=receipt)
