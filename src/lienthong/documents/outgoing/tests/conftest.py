"""Fixtures of the outgoing documents tests: two agencies of this deployment, their officials,
a test certificate authority, a signer's PKCS#12 store and a small PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lienthong.accounts.models import Role
from lienthong.core.models import OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.documents.models import DocumentType
from lienthong.documents.outgoing import services, signing
from lienthong.documents.outgoing.testing import PASSPHRASE, World


@pytest.fixture(scope="session")
def authority() -> signing.TestAuthority:
    return signing.make_test_authority()


@pytest.fixture(scope="session")
def pdf() -> bytes:
    """A one-page PDF (WeasyPrint), Vietnamese text."""
    import weasyprint

    data: bytes = weasyprint.HTML(
        string="<h1>QUYẾT ĐỊNH</h1><p>Về việc ban hành quy chế làm việc.</p>"
    ).write_pdf()
    return data


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Files and the test CA go to a folder of the test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DATA_DIR = tmp_path / "data"
    return tmp_path


@pytest.fixture
def world(db: Any, authority: signing.TestAuthority) -> World:
    agency = make_org_unit(
        "Ủy ban nhân dân tỉnh Thử Nghiệm",
        kind=OrgUnit.Kind.PEOPLES_COMMITTEE,
        code="000.00.00.H98",
        short_name="UBND",
    )
    office = make_org_unit(
        "Văn phòng UBND tỉnh",
        parent=agency,
        kind=OrgUnit.Kind.OFFICE,
        is_agency=False,
        short_name="VP",
    )
    other = make_org_unit("Sở Tư pháp", code="000.00.21.H98", short_name="STP")
    world = World(
        agency=agency,
        office=office,
        other=other,
        drafter=make_user("chuyenvien", roles=[(Role.SPECIALIST, office)], full_name="Lê Văn Soạn"),
        reviewer=make_user(
            "chanhvanphong", roles=[(Role.LEADER, office)], full_name="Trần Thị Duyệt"
        ),
        signer=make_user(
            "chutich",
            roles=[(Role.LEADER, agency)],
            full_name="Nguyễn Văn Ký",
            position="Chủ tịch",
        ),
        clerk=make_user("vanthu", roles=[(Role.CLERK, agency)], full_name="Phạm Thị Văn Thư"),
        outsider=make_user("ngoai", roles=[(Role.SPECIALIST, other)], full_name="Người Ngoài"),
        other_clerk=make_user("vanthu2", roles=[(Role.CLERK, other)], full_name="Văn thư Sở"),
        decision=DocumentType.objects.get(code="QĐ"),
        letter=DocumentType.objects.get(has_code=False),
        authority=authority,
    )
    services.add_trusted_root(pem=authority.pem().encode("ascii"), by=None, name="CA thử")
    p12 = signing.make_test_signer(authority, "Nguyễn Văn Ký", PASSPHRASE)
    services.import_certificate(user=world.signer, pkcs12=p12, passphrase=PASSPHRASE, by=None)
    return world
