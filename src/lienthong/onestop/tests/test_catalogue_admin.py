"""Catalogue admin: who may use it, and that saving goes through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.accounts.models import Role, User
from lienthong.core.context import acting
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import catalogue
from lienthong.onestop.models import Field, Procedure
from lienthong.onestop.tests.test_catalogue_support import portal_record
from lienthong.search import services as search
from lienthong.workflow.models import ProcessTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_admin() -> User:
    return make_user(
        roles=[(Role.IT_ADMIN, make_org_unit("Sở Thông tin và Truyền thông"))], is_staff=True
    )


@pytest.fixture
def procedure() -> Procedure:
    with acting(via="test"):
        catalogue.import_procedures([portal_record()])
    return Procedure.objects.get()


@pytest.fixture
def template() -> ProcessTemplate:
    steps = (
        catalogue.StepSpec("Thẩm định", Role.SPECIALIST, Decimal(60)),
        catalogue.StepSpec("Phê duyệt", Role.LEADER, Decimal(40)),
    )
    return catalogue.save_process_template(catalogue.TemplateSpec("onestop-2-buoc", "2", steps))[0]


def _form(procedure: Procedure, **changes: Any) -> dict[str, Any]:
    """The change form as the browser posts it, with `changes` applied."""
    data: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field_id,
        "levels": procedure.levels,
        "agency_text": procedure.agency_text,
        "competent_authority": procedure.competent_authority,
        "time_limit_value": str(procedure.time_limit_value or ""),
        "time_limit_unit": procedure.time_limit_unit,
        "time_limit_text": procedure.time_limit_text,
        "fee_amount": "" if procedure.fee_amount is None else str(procedure.fee_amount),
        "fee_text": procedure.fee_text,
        "legal_basis": "\n".join(procedure.legal_basis),
        "legal_basis_text": procedure.legal_basis_text,
        "online_level": procedure.online_level,
        "channels": '[{"channel": "Trực tiếp"}]',
        "applicant_types": procedure.applicant_types,
        "result_text": procedure.result_text,
        "procedure_type": procedure.procedure_type,
        "publishing_decision": procedure.publishing_decision,
        "source": "{}",
        "missing": procedure.missing,
        "process_template": "",
        "agencies": [],
    }
    components = list(procedure.components.order_by("order"))
    prefix = "components"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(components)),
            f"{prefix}-INITIAL_FORMS": str(len(components)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for n, c in enumerate(components):
        data.update(
            {
                f"{prefix}-{n}-id": str(c.pk),
                f"{prefix}-{n}-procedure": str(procedure.pk),
                f"{prefix}-{n}-order": str(c.order),
                f"{prefix}-{n}-group": c.group,
                f"{prefix}-{n}-name": c.name,
                f"{prefix}-{n}-originals": str(c.originals),
                f"{prefix}-{n}-copies": str(c.copies),
                f"{prefix}-{n}-copy_type": c.copy_type,
                f"{prefix}-{n}-form_name": c.form_name,
                f"{prefix}-{n}-is_required": "on" if c.is_required else "",
            }
        )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_only_it_administrators_and_superusers_see_the_catalogue_admin(
    client: Client, procedure: Procedure, it_admin: User
) -> None:
    url = f"/admin/onestop/procedure/{procedure.pk}/change/"
    staff_specialist = make_user(
        roles=[(Role.SPECIALIST, make_org_unit("Sở Tư pháp"))], is_staff=True
    )
    login(client, staff_specialist)
    assert client.get("/admin/onestop/procedure/").status_code == 403

    login(client, it_admin)
    assert client.get("/admin/onestop/procedure/").status_code == 200
    assert client.get(url).status_code == 200
    assert client.get("/admin/onestop/field/").status_code == 200


def test_saving_in_the_admin_goes_through_the_services(
    client: Client, procedure: Procedure, it_admin: User, template: ProcessTemplate
) -> None:
    agency = make_org_unit("UBND phường Phú Cường", kind=OrgUnit.Kind.PEOPLES_COMMITTEE)
    login(client, it_admin)
    data = _form(
        procedure,
        name="Thủ tục thử nghiệm (sửa)",
        process_template=str(template.pk),
        agencies=[str(agency.pk)],
        **{"components-1-DELETE": "on"},
    )

    response = client.post(f"/admin/onestop/procedure/{procedure.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    procedure.refresh_from_db()
    assert procedure.name == "Thủ tục thử nghiệm (sửa)"
    assert procedure.process_template == template
    assert list(procedure.agencies.all()) == [agency]
    assert list(procedure.components.values_list("name", flat=True)) == ["Tờ khai"]
    actions = set(AuditEntry.objects.filter(actor_id=it_admin.pk).values_list("action", flat=True))
    assert {
        "onestop.procedure.update",
        "onestop.procedure.components",
        "onestop.procedure.process_template",
        "onestop.procedure.agencies",
    } <= actions
    assert OutboxEvent.objects.filter(type="procedure.updated").count() == 4
    assert search.search("thu nghiem sua")[0].title == "Thủ tục thử nghiệm (sửa) (1.000001)"


def test_a_broken_rule_is_shown_on_the_form_and_nothing_is_saved(
    client: Client, procedure: Procedure, it_admin: User
) -> None:
    login(client, it_admin)
    data = _form(procedure, time_limit_unit="days", time_limit_value="")

    response = client.post(f"/admin/onestop/procedure/{procedure.pk}/change/", data)

    assert response.status_code == 200
    assert "Có đơn vị thời hạn nhưng không có thời hạn." in response.content.decode()
    procedure.refresh_from_db()
    assert procedure.time_limit_unit == "working_days"


def test_deactivating_from_the_list(client: Client, procedure: Procedure, it_admin: User) -> None:
    login(client, it_admin)
    response = client.post(
        "/admin/onestop/procedure/",
        {"action": "deactivate_selected", "_selected_action": [str(procedure.pk)]},
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.is_active is False
    assert client.post(f"/admin/onestop/procedure/{procedure.pk}/delete/").status_code == 403


def test_adding_a_field_is_audited(client: Client, it_admin: User) -> None:
    login(client, it_admin)
    response = client.post("/admin/onestop/field/add/", {"code": "ho-tich", "name": "Hộ tịch"})
    assert response.status_code == 302
    field = Field.objects.get()
    assert AuditEntry.objects.get(action="onestop.field.create").object_id == str(field.pk)


def test_adding_a_procedure_with_a_form_file(client: Client, it_admin: User) -> None:
    field = Field.objects.create(code="ho-tich", name="Hộ tịch")
    login(client, it_admin)
    data = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": str(field.pk),
        "levels": ["commune"],
        "time_limit_value": "1",
        "time_limit_unit": "working_days",
        "legal_basis": "123/2015/NĐ-CP\n60/2014/QH13",
        "channels": "[]",
        "source": "{}",
        "components-TOTAL_FORMS": "1",
        "components-INITIAL_FORMS": "0",
        "components-MIN_NUM_FORMS": "0",
        "components-MAX_NUM_FORMS": "1000",
        "components-0-order": "1",
        "components-0-name": "Tờ khai đăng ký khai sinh",
        "components-0-originals": "1",
        "components-0-copies": "0",
        "components-0-copy_type": "original",
        "components-0-is_required": "on",
        "components-0-form_file": SimpleUploadedFile("to-khai.docx", b"mau to khai"),
    }

    response = client.post("/admin/onestop/procedure/add/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    procedure = Procedure.objects.get()
    assert procedure.legal_basis == ["123/2015/NĐ-CP", "60/2014/QH13"]
    component = procedure.components.get()
    assert component.form_file.read() == b"mau to khai"
    assert component.form_name == "to-khai.docx"
    assert AuditEntry.objects.filter(action="onestop.procedure.form_file").count() == 1
    assert OutboxEvent.objects.filter(type="procedure.created").count() == 1
