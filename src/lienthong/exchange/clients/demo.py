"""Demo data of the gateway, applied by `lienthong seed --demo`.

The provincial Department of Information and Communications (Sở Thông tin và Truyền thông,
whose IT administrator `quantri` runs the platform) owns the platform's services; the
Department of Health's hospital information system is registered with an API key, an approved
grant of the dossier-status service and of the dossier events, and a pending request for the
population lookup for the owner to decide on /lien-thong/quyen/. Idempotent: a second run finds
the system and prints nothing new (the key is shown only when it is issued).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lienthong.core.context import acting
from lienthong.core.models import OrgUnit
from lienthong.exchange.clients import services
from lienthong.exchange.clients.models import ClientSystem, Grant
from lienthong.exchange.clients.permissions import PLATFORM

PLATFORM_AGENCY = "000.00.15.H99"  # Sở Thông tin và Truyền thông (demo code)
HEALTH_AGENCY = "000.00.11.H99"  # Sở Y tế (demo code)
CODE = "his-so-y-te"


def seed_demo() -> list[str]:
    """Seed the demo client system; returns the lines to print."""
    platform = OrgUnit.objects.filter(code=PLATFORM_AGENCY).first()
    health = OrgUnit.objects.filter(code=HEALTH_AGENCY).first()
    if platform is None or health is None or ClientSystem.objects.filter(code=CODE).exists():
        return []
    with acting(via="lienthong seed --demo"):
        services.set_service_owner(PLATFORM, platform, by=None)
        system = services.register_client(
            code=CODE,
            name="Hệ thống thông tin bệnh viện (HIS) Sở Y tế",
            agency=health,
            purpose="Tra cứu tình trạng hồ sơ cấp phép hành nghề và nhân thân người bệnh",
            contact_name="Phòng Công nghệ thông tin, Sở Y tế",
            contact_email="cntt.syt@example.vn",
            by=None,
        )
        _credential, key = services.issue_credential(system, label="demo", by=None)
        for service in ("api.exchange.services.dossiers", "event.dossier.*"):
            grant = services.request_grant(
                system, service=service, purpose="Theo dõi hồ sơ của ngành y tế", by=None
            )
            services.approve_grant(grant, by=None, note="Dữ liệu mẫu")
        services.request_grant(
            system,
            service="api.exchange.services.population",
            purpose="Xác minh nhân thân người bệnh khám bảo hiểm y tế",
            by=None,
        )
    pending = Grant.objects.filter(client=system, status=Grant.Status.REQUESTED).count()
    return [
        _("Liên thông: hệ thống %(code)s, khoá API %(key)s, %(n)d đề nghị chờ duyệt.")
        % {"code": CODE, "key": key, "n": pending}
    ]
