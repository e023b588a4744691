"""Demo data of the legal registry: the real corpus of the shared data folder.

`seed_demo()` (run by `lienthong seed --demo` and `make demo`) loads the 76 documents of
`settings.SHARED_DIR / data/legal` — the same folder the one-stop demo reads its procedures
from; the corpus (9 MB) is not copied into the package — owned by the demo Sở Tư pháp, and
gives the demo registry owner (`quanlycsdl`) the registry-owner role there too, so that the
editing pages can be tried. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from lienthong.accounts import services as accounts
from lienthong.core.models import OrgUnit
from lienthong.registries.legal import services

CORPUS = ("data", "legal")
#: The demo justice department (core/data/demo_agencies.json) keeps the registry.
OWNER_CODE = "000.00.05.H99"
#: The demo official who keeps shared databases (core/data/demo_agencies.json).
EDITOR_USERNAME = "quanlycsdl"


def _grant_editor(owner: OrgUnit) -> list[str]:
    user_model = get_user_model()
    editor = user_model.objects.filter(username=EDITOR_USERNAME, kind="official").first()
    granter = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if editor is None or granter is None:
        return []
    if editor.has_role(services.EDITOR_ROLE, owner):
        return []
    accounts.grant_role(user=editor, role=services.EDITOR_ROLE, org_unit=owner, by=granter)
    return [
        _("Văn bản QPPL: %(user)s được giao quản lý dữ liệu văn bản của %(unit)s.")
        % {"user": EDITOR_USERNAME, "unit": owner.name}
    ]


def seed_demo() -> list[str]:
    """Load the shared legal corpus (idempotent); returns the lines to print."""
    folder = settings.SHARED_DIR.joinpath(*CORPUS)
    if not folder.is_dir():
        return [
            _("Văn bản QPPL: không có thư mục %(folder)s (đặt LIENTHONG_SHARED_DIR), bỏ qua.")
            % {"folder": folder}
        ]
    owner = OrgUnit.objects.filter(code=OWNER_CODE).first()
    report = services.load_folder(folder, owner=owner)
    lines = [_("Văn bản QPPL: %(summary)s") % {"summary": report.summary()}]
    if owner is not None:
        lines += _grant_editor(owner)
    return lines
