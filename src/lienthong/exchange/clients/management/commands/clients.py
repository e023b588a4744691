"""`lienthong clients …`: client systems, their keys and grants, from the command line.

    lienthong clients register --code he-thong-a --name "…" --agency 000.00.01.H99 --purpose "…"
    lienthong clients list | show CODE
    lienthong clients key CODE [--oauth] [--label …]       (the secret is printed once)
    lienthong clients rotate KEY_ID [--grace-hours 24] | revoke-key KEY_ID
    lienthong clients status CODE active|suspended|revoked
    lienthong clients grant CODE SERVICE [--operation OP] --purpose "…"
    lienthong clients grants [--status requested] | approve ID | refuse ID --note "…" | revoke ID
    lienthong clients owner SERVICE AGENCY_CODE | owner SERVICE --platform

The command line acts as the platform operator; every write is audited with it as the actor.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.exchange.clients import services
from lienthong.exchange.clients.models import ClientSystem, Credential, Grant


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    """Manage client systems, credentials and grants."""

    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Quản lý hệ thống kết nối, khoá truy cập và quyền khai thác dịch vụ.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help=_("Danh sách hệ thống kết nối."))
        show = sub.add_parser("show", help=_("Một hệ thống, khoá và quyền của nó."))
        show.add_argument("code")
        reg = sub.add_parser("register", help=_("Đăng ký hệ thống kết nối."))
        reg.add_argument("--code", required=True)
        reg.add_argument("--name", required=True)
        reg.add_argument("--agency", required=True, help=_("Mã định danh cơ quan."))
        reg.add_argument("--purpose", required=True)
        reg.add_argument("--contact-name", default="")
        reg.add_argument("--contact-email", default="")
        reg.add_argument("--contact-phone", default="")
        reg.add_argument("--rate-limit", type=int, default=None)
        key = sub.add_parser("key", help=_("Cấp khoá mới (in khoá bí mật một lần)."))
        key.add_argument("code")
        key.add_argument("--oauth", action="store_true", help=_("OAuth2 client credentials."))
        key.add_argument("--label", default="")
        rotate = sub.add_parser("rotate", help=_("Đổi khoá."))
        rotate.add_argument("key_id")
        rotate.add_argument("--grace-hours", type=float, default=None)
        revoke_key = sub.add_parser("revoke-key", help=_("Thu hồi khoá."))
        revoke_key.add_argument("key_id")
        status = sub.add_parser("status", help=_("Đổi trạng thái hệ thống."))
        status.add_argument("code")
        status.add_argument("status", choices=ClientSystem.Status.values)
        grant = sub.add_parser("grant", help=_("Đề nghị cấp quyền khai thác dịch vụ."))
        grant.add_argument("code")
        grant.add_argument("service")
        grant.add_argument("--operation", default="")
        grant.add_argument("--purpose", required=True)
        grants = sub.add_parser("grants", help=_("Danh sách quyền khai thác."))
        grants.add_argument("--status", choices=Grant.Status.values, default=None)
        for name, text in (
            ("approve", _("Duyệt đề nghị.")),
            ("refuse", _("Từ chối đề nghị.")),
            ("revoke", _("Thu hồi quyền.")),
        ):
            decide = sub.add_parser(name, help=text)
            decide.add_argument("grant_id", type=int)
            decide.add_argument("--note", default="")
        owner = sub.add_parser("owner", help=_("Giao cơ quan chủ quản cho một dịch vụ."))
        owner.add_argument("service")
        owner.add_argument("agency", nargs="?", default=None)
        owner.add_argument("--platform", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            with acting(via="lienthong clients"):
                getattr(self, f"_{action}")(options)
        except ValidationError as exc:
            raise CommandError(_messages(exc), returncode=2) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=2) from None

    # --- helpers ------------------------------------------------------------------------------

    def _client(self, code: str) -> ClientSystem:
        client = ClientSystem.objects.select_related("agency").filter(code=code).first()
        if client is None:
            raise CommandError(_("Không có hệ thống %s.") % code, returncode=2)
        return client

    def _credential(self, key_id: str) -> Credential:
        credential = Credential.objects.select_related("client").filter(key_id=key_id).first()
        if credential is None:
            raise CommandError(_("Không có khoá %s.") % key_id, returncode=2)
        return credential

    def _agency(self, code: str) -> OrgUnit:
        agency = OrgUnit.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(_("Không có cơ quan mã %s.") % code, returncode=2)
        return agency

    def _print_secret(self, credential: Credential, secret: str) -> None:
        self.stdout.write(_("Khoá bí mật chỉ in một lần — hãy lưu ngay."))
        if credential.kind == Credential.Kind.API_KEY:
            self.stdout.write(f"X-API-Key: {secret}")
        else:
            self.stdout.write(f"client_id: {credential.key_id}")
            self.stdout.write(f"client_secret: {secret}")

    # --- actions ------------------------------------------------------------------------------

    def _list(self, options: dict[str, Any]) -> None:
        for client in ClientSystem.objects.select_related("agency").order_by("code"):
            self.stdout.write(
                f"{client.code}\t{client.status}\t{client.agency.code}\t{client.name}"
            )

    def _show(self, options: dict[str, Any]) -> None:
        client = self._client(options["code"])
        self.stdout.write(f"{client.code}: {client.name} ({client.agency.name}) {client.status}")
        self.stdout.write(_("Giới hạn: %d lượt/phút") % client.rate_limit)
        for c in client.credentials.all():
            state = (
                "revoked"
                if c.revoked_at
                else ("until " + c.expires_at.isoformat() if c.expires_at else "active")
            )
            self.stdout.write(f"  key {c.key_id}\t{c.kind}\t{state}")
        for g in client.grants.all():
            self.stdout.write(f"  grant {g.pk}\t{g.service}\t{g.operation or '*'}\t{g.status}")

    def _register(self, options: dict[str, Any]) -> None:
        client = services.register_client(
            code=options["code"],
            name=options["name"],
            agency=self._agency(options["agency"]),
            purpose=options["purpose"],
            contact_name=options["contact_name"],
            contact_email=options["contact_email"],
            contact_phone=options["contact_phone"],
            rate_limit_per_minute=options["rate_limit"],
            by=None,
        )
        self.stdout.write(_("Đã đăng ký hệ thống %s.") % client.code)

    def _key(self, options: dict[str, Any]) -> None:
        kind = Credential.Kind.OAUTH if options["oauth"] else Credential.Kind.API_KEY
        credential, secret = services.issue_credential(
            self._client(options["code"]), kind=kind, label=options["label"], by=None
        )
        self._print_secret(credential, secret)

    def _rotate(self, options: dict[str, Any]) -> None:
        old = self._credential(options["key_id"])
        credential, secret = services.rotate_credential(
            old, by=None, grace_hours=options["grace_hours"]
        )
        old.refresh_from_db()
        self.stdout.write(
            _("Khoá cũ %(old)s còn dùng được đến %(until)s.")
            % {"old": old.key_id, "until": old.expires_at.isoformat() if old.expires_at else "—"}
        )
        self._print_secret(credential, secret)

    def _revoke_key(self, options: dict[str, Any]) -> None:
        services.revoke_credential(self._credential(options["key_id"]), by=None)
        self.stdout.write(_("Đã thu hồi khoá %s.") % options["key_id"])

    def _status(self, options: dict[str, Any]) -> None:
        services.set_client_status(self._client(options["code"]), options["status"], by=None)
        self.stdout.write(_("Đã đổi trạng thái."))

    def _grant(self, options: dict[str, Any]) -> None:
        grant = services.request_grant(
            self._client(options["code"]),
            service=options["service"],
            operation=options["operation"],
            purpose=options["purpose"],
            by=None,
        )
        self.stdout.write(_("Đề nghị số %d đã gửi tới cơ quan chủ quản.") % grant.pk)

    def _grants(self, options: dict[str, Any]) -> None:
        qs = Grant.objects.select_related("client").order_by("pk")
        if options["status"]:
            qs = qs.filter(status=options["status"])
        for g in qs:
            self.stdout.write(
                f"{g.pk}\t{g.client.code}\t{g.service}\t{g.operation or '*'}\t{g.status}"
            )

    def _approve(self, options: dict[str, Any]) -> None:
        services.approve_grant(self._find_grant(options), by=None, note=options["note"])
        self.stdout.write(_("Đã duyệt."))

    def _refuse(self, options: dict[str, Any]) -> None:
        services.refuse_grant(self._find_grant(options), by=None, note=options["note"])
        self.stdout.write(_("Đã từ chối."))

    def _revoke(self, options: dict[str, Any]) -> None:
        services.revoke_grant(self._find_grant(options), by=None, note=options["note"])
        self.stdout.write(_("Đã thu hồi quyền."))

    def _find_grant(self, options: dict[str, Any]) -> Grant:
        grant = Grant.objects.select_related("client").filter(pk=options["grant_id"]).first()
        if grant is None:
            raise CommandError(_("Không có quyền số %d.") % options["grant_id"], returncode=2)
        return grant

    def _owner(self, options: dict[str, Any]) -> None:
        if options["platform"]:
            services.set_service_owner(options["service"], None, by=None)
            self.stdout.write(_("Dịch vụ thuộc nền tảng."))
            return
        if not options["agency"]:
            raise CommandError(_("Cần mã cơ quan hoặc --platform."), returncode=2)
        services.set_service_owner(options["service"], self._agency(options["agency"]), by=None)
        self.stdout.write(_("Đã giao cơ quan chủ quản."))
