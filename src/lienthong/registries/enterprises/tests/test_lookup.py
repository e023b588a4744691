"""Once-only pre-fill of an organisation by tax code, through the base's lookup interface
(`registries.base.access.prefill`): who may read, what is returned, and the logged read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.onestop.models import Dossier
from lienthong.onestop.testing import make_officer, make_procedure
from lienthong.registries.base.access import lookup_for, prefill
from lienthong.registries.base.models import DataAccess
from lienthong.registries.base.services import delete_record
from lienthong.registries.enterprises import services
from lienthong.registries.enterprises.lookups import EnterpriseLookup
from lienthong.registries.enterprises.models import BranchKind
from lienthong.registries.enterprises.testing import World, make_enterprise, make_world, tax_code

pytestmark = pytest.mark.django_db

INTAKE = DataAccess.Channel.INTAKE


@pytest.fixture
def world() -> World:
    return make_world()


def test_the_enterprise_registry_answers_organisation_lookups() -> None:
    lookup = lookup_for("organisation")
    assert isinstance(lookup, EnterpriseLookup)
    assert lookup.registry == "enterprises"


def test_an_official_of_a_granted_agency_gets_the_enterprise_and_the_read_is_logged(
    world: World,
) -> None:
    enterprise = make_enterprise(
        world.owner,
        name="Công ty TNHH Bao bì Minh Phát",
        address_commune="",
        address_commune_legacy="25753",
        lines=("1702", "2220"),
    )
    enterprise.full_clean()  # resolves the legacy commune to its 2025 successor
    enterprise.save()

    found = prefill(
        "organisation",
        enterprise.tax_code.replace("37", "37 ", 1),  # typed with a space: still found
        by=world.reader,
        purpose="Tiếp nhận hồ sơ thủ tục 1.009664",
        channel=INTAKE,
    )

    assert found is not None
    assert (found.key, found.name, found.commune) == (
        enterprise.tax_code,
        "Công ty TNHH Bao bì Minh Phát",
        "25747",
    )
    assert found.address == "Số 12 Đường 30/4, Phường Thủ Dầu Một, Thành phố Hồ Chí Minh"
    assert found.data["representative_name"] == "Nguyễn Văn An"
    assert found.data["enterprise_type_label"] == "Công ty TNHH một thành viên"
    assert (found.data["main_line"], found.data["status"]) == ("1702", "active")
    assert found.access_id is not None
    access = DataAccess.objects.get(pk=found.access_id)
    assert (access.registry, access.subject_key, access.channel) == (
        "enterprises",
        enterprise.tax_code,
        "intake",
    )
    assert access.purpose == "Tiếp nhận hồ sơ thủ tục 1.009664"
    assert access.agency == world.reader_agency


def test_a_branch_code_finds_the_branch_and_its_enterprise(world: World) -> None:
    enterprise = make_enterprise(world.owner)
    services.add_branch(
        enterprise,
        kind=BranchKind.BRANCH,
        name="Chi nhánh Phú Lợi",
        tax_code=f"{enterprise.tax_code}-003",
        commune="25750",
        by=world.official,
    )
    found = prefill(
        "organisation",
        f"{enterprise.tax_code}003",
        by=world.official,
        purpose="Tiếp nhận hồ sơ",
        channel=INTAKE,
    )
    assert found is not None
    assert (found.key, found.name, found.commune) == (
        f"{enterprise.tax_code}-003",
        "Chi nhánh Phú Lợi",
        "25750",
    )
    assert found.data["enterprise_tax_code"] == enterprise.tax_code


def test_unknown_deleted_or_malformed_codes_find_nothing_and_log_nothing(world: World) -> None:
    enterprise = make_enterprise(world.owner)
    delete_record(enterprise, by=world.official)
    for key in (enterprise.tax_code, "0100233488", "0100233480", "074185003217", "abc"):
        assert prefill("organisation", key, by=world.reader, purpose="Thử", channel=INTAKE) is None
    assert not DataAccess.objects.exists()


def test_an_official_without_a_grant_is_refused_and_nothing_is_logged(world: World) -> None:
    enterprise = make_enterprise(world.owner)
    for user in (world.outsider, make_user(roles=[(Role.ONESTOP_OFFICER, world.other_owner)])):
        with pytest.raises(PermissionDenied):
            prefill("organisation", enterprise.tax_code, by=user, purpose="Thử", channel=INTAKE)
    assert not DataAccess.objects.exists()


def _counter_post(procedure: Any, agency: Any, **fields: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agency": agency.pk,
        "applicant_kind": "organisation",
        "applicant_name": "",
        "applicant_personal_id": "",
        "applicant_address": "",
        **fields,
    }
    for component in procedure.components.all():
        data[f"c{component.pk}_received"] = "on"
        data[f"c{component.pk}_originals"] = "1"
        data[f"c{component.pk}_copies"] = "0"
    return data


def test_counter_intake_prefills_an_organisation_by_tax_code(
    client: Client, settings: Any, tmp_path: Path, world: World
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    enterprise = make_enterprise(
        world.owner,
        name="Công ty Cổ phần Gốm sứ Minh Long",
        phone="02743668899",
        email="lienhe@minhlong.example.vn",
    )
    procedure = make_procedure(agencies=[world.reader_agency], code="1.009664")
    officer = make_officer(world.reader_agency)
    login(client, officer)
    url = f"/motcua/tiep-nhan/{procedure.code}/"

    html = client.post(
        url,
        {
            **_counter_post(procedure, world.reader_agency, applicant_tax_code=enterprise.tax_code),
            "prefill": "organisation",
        },
    ).content.decode()

    assert 'value="Công ty Cổ phần Gốm sứ Minh Long"' in html
    assert 'value="02743668899"' in html and "Số 12 Đường 30/4" in html
    assert "Đã điền thông tin tổ chức từ CSDL doanh nghiệp" in html
    read = DataAccess.objects.get()
    assert (read.subject_key, read.actor, read.purpose) == (
        enterprise.tax_code,
        officer,
        "Tiếp nhận hồ sơ thủ tục 1.009664",
    )
    assert not Dossier.objects.exists()


def test_counter_prefill_by_unknown_tax_code_or_without_grant_changes_nothing(
    client: Client, world: World
) -> None:
    procedure = make_procedure(agencies=[world.reader_agency], code="1.009664")
    login(client, make_officer(world.reader_agency))
    url = f"/motcua/tiep-nhan/{procedure.code}/"
    unknown = tax_code()
    html = client.post(
        url,
        {
            **_counter_post(procedure, world.reader_agency, applicant_tax_code=unknown),
            "prefill": "organisation",
        },
    ).content.decode()
    assert f"Không tìm thấy mã số thuế {unknown} trong CSDL doanh nghiệp." in html

    enterprise = make_enterprise(world.owner)
    outsider_agency = make_org_unit("UBND xã không được cấp quyền")
    procedure.agencies.add(outsider_agency)
    login(client, make_officer(outsider_agency))
    html = client.post(
        url,
        {
            **_counter_post(procedure, outsider_agency, applicant_tax_code=enterprise.tax_code),
            "prefill": "organisation",
        },
    ).content.decode()
    assert "chưa được cấp quyền khai thác" in html
    assert not DataAccess.objects.exists() and not Dossier.objects.exists()
