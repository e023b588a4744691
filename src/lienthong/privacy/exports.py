"""A citizen's export of their own data (Decree 13/2023/NĐ-CP, Art. 9(7), 14): one ZIP with a
JSON file per source and the files the platform keeps for them.

Apps contribute through providers registered in their `AppConfig.ready()`:

    from lienthong.privacy import exports
    exports.register("onestop", onestop_privacy.export_part)

A provider gets the user and returns a `Part` (JSON-ready data and the files to include) or
None when it holds nothing about them. Providers must return the user's own data only —
never the identity of others (e.g. the people a complaint is about, officials' notes) —
so this module never imports a domain model.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from lienthong.core.audit import record, service
from lienthong.core.permissions import is_real_user

if TYPE_CHECKING:
    from lienthong.accounts.models import User


@dataclass
class Part:
    """What one source holds about a user: JSON-ready data and named files."""

    data: Any
    #: (name inside the ZIP under files/<source>/, a stored Django file)
    files: list[tuple[str, File]] = field(default_factory=list)


Provider = Callable[["User"], Part | None]

_providers: dict[str, Provider] = {}


def register(source: str, provider: Provider) -> None:
    """Register (or replace) the provider of a source; names are file names in the ZIP."""
    _providers[source] = provider


def sources() -> list[str]:
    """The registered sources, in registration order."""
    return list(_providers)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120] or "tep"


@service
def export_own_data(*, user: User, by: User) -> bytes:
    """The ZIP of everything the platform holds about `user`, for `user` only (audit-logged)."""
    if not is_real_user(by) or by.pk != user.pk or not by.is_citizen:
        raise PermissionDenied(_("Chỉ chủ thể dữ liệu mới tải được dữ liệu của mình."))
    buffer = io.BytesIO()
    included: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, provider in _providers.items():
            part = provider(user)
            if part is None:
                continue
            archive.writestr(
                f"{_safe(source)}.json",
                json.dumps(part.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            for name, stored in part.files:
                try:
                    with stored.open("rb") as handle:
                        archive.writestr(f"files/{_safe(source)}/{_safe(name)}", handle.read())
                except FileNotFoundError:
                    continue
            included[source] = len(part.files)
        archive.writestr(
            "README.txt",
            _("Dữ liệu cá nhân của tài khoản %(user)s, trích xuất lúc %(at)s.")
            % {"user": user.username, "at": f"{timezone.localtime():%d/%m/%Y %H:%M}"}
            + "\n",
        )
    record(
        "privacy.export",
        user,
        after={"sources": included, "at": timezone.now().isoformat()},
    )
    return buffer.getvalue()


def export_filename(user: User, day: datetime.date | None = None) -> str:
    """The download's file name."""
    day = day or timezone.localdate()
    return f"du-lieu-ca-nhan-{_safe(user.username)}-{day:%Y%m%d}.zip"


# --- The account and this app's own records -------------------------------------------------


def account_part(user: User) -> Part:
    """The account itself (no password hash, no secrets)."""
    return Part(
        {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "phone": getattr(user, "phone", ""),
            "personal_id": getattr(user, "personal_id", "") or "",
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        }
    )


def privacy_part(user: User) -> Part:
    """Consents, requests and the log of officials' accesses to the user's sensitive data."""
    from lienthong.privacy import services
    from lienthong.privacy.models import Consent, DataSubjectRequest

    consents = Consent.objects.filter(subject=user).select_related("purpose")
    requests = DataSubjectRequest.objects.filter(subject=user)
    return Part(
        {
            "consents": [
                {
                    "purpose": c.purpose.code,
                    "purpose_name": c.purpose.name,
                    "notice_version": c.notice_version,
                    "channel": c.channel,
                    "context": c.context,
                    "given_at": c.given_at,
                    "withdrawn_at": c.withdrawn_at,
                }
                for c in consents
            ],
            "requests": [
                {
                    "id": r.pk,
                    "kind": r.kind,
                    "details": r.details,
                    "status": r.status,
                    "submitted_at": r.submitted_at,
                    "ack_due_date": r.ack_due_date,
                    "response_due_at": r.response_due_at,
                    "response": r.response,
                }
                for r in requests
            ],
            "sensitive_accesses": [
                {
                    "at": a.at,
                    "by": a.actor.full_name or a.actor.username,
                    "agency": a.agency.name if a.agency else "",
                    "record": a.record,
                    "what": a.what,
                    "purpose": a.purpose,
                }
                for a in services.accesses_about(user)
            ],
        }
    )
