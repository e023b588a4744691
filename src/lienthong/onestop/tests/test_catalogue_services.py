"""Catalogue services: permissions, audit entries, events, the search index, process templates,
receiving agencies, and the platform format's links (templates, agencies) in a round trip."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lienthong.accounts.models import Role, User
from lienthong.core.context import acting
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing import make_org_unit, make_user
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import catalogue
from lienthong.onestop.models import Field, Procedure, ProcedureComponent
from lienthong.onestop.testing import make_dossier
from lienthong.onestop.tests.test_catalogue_support import export_without_time, portal_record
from lienthong.search import services as search
from lienthong.workflow.models import ProcessTemplate

pytestmark = pytest.mark.django_db

THREE_STEPS = (
    catalogue.StepSpec("Thẩm định", Role.SPECIALIST, Decimal(60)),
    catalogue.StepSpec("Phê duyệt", Role.LEADER, Decimal(30)),
    catalogue.StepSpec("Trả kết quả", Role.ONESTOP_OFFICER, Decimal(10)),
)


@pytest.fixture
def it_admin() -> User:
    return make_user(roles=[(Role.IT_ADMIN, make_org_unit("Sở Thông tin và Truyền thông"))])


@pytest.fixture
def specialist() -> User:
    return make_user(roles=[(Role.SPECIALIST, make_org_unit("Sở Tư pháp"))])


@pytest.fixture
def field() -> Field:
    return Field.objects.create(code="ho-tich", name="Hộ tịch")


def _create(field: Field, by: User | None, **values: object) -> Procedure:
    fields: dict[str, object] = {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": field,
        "levels": ["commune"],
        "time_limit_value": Decimal(1),
        "time_limit_unit": "",
        "missing": ["time_limit_unit", "agency_text"],
        **values,
    }
    return catalogue.create_procedure(
        by=by,
        components=[catalogue.ComponentData("Tờ khai đăng ký khai sinh", originals=1)],
        **fields,  # type: ignore[arg-type]
    )


def test_an_it_administrator_creates_a_procedure_audited_indexed_and_announced(
    it_admin: User, field: Field
) -> None:
    procedure = _create(field, it_admin)

    entry = AuditEntry.objects.filter(action="onestop.procedure.create").get()
    assert (entry.actor_id, entry.object_id, entry.before) == (it_admin.pk, str(procedure.pk), None)
    assert entry.after is not None and entry.after["code"] == "1.001193"
    assert AuditEntry.objects.filter(action="onestop.procedure.components").count() == 1
    event = OutboxEvent.objects.get(type="procedure.created")
    assert (event.subject, event.data) == (
        "1.001193",
        {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"},
    )
    assert [h.object_id for h in search.search("dang ky khai sinh")] == [str(procedure.pk)]
    component = procedure.components.get()
    assert (component.order, component.is_required) == (1, True)


def test_a_specialist_may_not_edit_the_catalogue_and_nothing_is_written(
    specialist: User, field: Field
) -> None:
    with pytest.raises(PermissionDenied):
        _create(field, specialist)
    assert Procedure.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="onestop.").exists()
    assert not OutboxEvent.objects.exists()


def test_filling_a_missing_value_drops_it_from_missing(it_admin: User, field: Field) -> None:
    procedure = _create(field, None)

    updated = catalogue.update_procedure(procedure, by=it_admin, time_limit_unit="working_days")

    assert updated.time_limit_unit == "working_days"
    assert updated.missing == ["agency_text"]
    event = OutboxEvent.objects.get(type="procedure.updated")
    assert event.data["changed"] == ["missing", "time_limit_unit"]


def test_an_update_that_changes_nothing_writes_nothing(field: Field) -> None:
    procedure = _create(field, None)
    entries = AuditEntry.objects.count()

    catalogue.update_procedure(procedure, name="Thủ tục đăng ký khai sinh")

    assert AuditEntry.objects.count() == entries
    assert not OutboxEvent.objects.filter(type="procedure.updated").exists()


def test_an_invalid_update_is_refused_with_field_errors(field: Field) -> None:
    procedure = _create(field, None)

    with pytest.raises(ValidationError) as caught:
        catalogue.update_procedure(procedure, time_limit_value=Decimal("-1"), online_level="x")

    assert set(caught.value.message_dict) == {"time_limit_value", "online_level"}
    procedure.refresh_from_db()
    assert procedure.time_limit_value == Decimal(1)


def test_deactivating_takes_the_procedure_out_of_search(it_admin: User, field: Field) -> None:
    procedure = _create(field, None)

    catalogue.deactivate_procedure(procedure, by=it_admin)

    procedure.refresh_from_db()
    assert procedure.is_active is False
    assert search.count("khai sinh") == 0
    assert OutboxEvent.objects.filter(type="procedure.deactivated").count() == 1
    catalogue.reactivate_procedure(procedure, by=it_admin)
    assert search.count("khai sinh") == 1


def test_a_process_template_must_share_out_all_of_the_time() -> None:
    spec = catalogue.TemplateSpec(
        "quy-trinh-sai",
        "Sai",
        (
            catalogue.StepSpec("Thẩm định", Role.SPECIALIST, Decimal(60)),
            catalogue.StepSpec("Trả kết quả", Role.CITIZEN, Decimal(30)),
        ),
    )
    with pytest.raises(ValidationError) as caught:
        catalogue.save_process_template(spec)
    assert caught.value.messages == [
        "Bước 2: vai trò “citizen” không hợp lệ.",
        "Tổng tỷ lệ thời gian các bước phải bằng 100% (đang là 90%).",
    ]
    assert not ProcessTemplate.objects.exists()


def test_saving_a_template_twice_changes_nothing_and_a_changed_one_is_updated() -> None:
    spec = catalogue.TemplateSpec("onestop-thu", "Thử", THREE_STEPS)
    template, status = catalogue.save_process_template(spec)
    assert status == "created"
    assert catalogue.save_process_template(spec)[1] == "unchanged"

    changed = catalogue.TemplateSpec(
        "onestop-thu",
        "Thử",
        (*THREE_STEPS[:1], catalogue.StepSpec("Phê duyệt và trả", Role.LEADER, Decimal(40))),
    )
    assert catalogue.save_process_template(changed)[1] == "updated"
    assert list(template.steps.values_list("name", "time_share")) == [
        ("Thẩm định", Decimal(60)),
        ("Phê duyệt và trả", Decimal(40)),
    ]


def test_only_agencies_receive_dossiers(field: Field) -> None:
    procedure = _create(field, None)
    department = make_org_unit("Sở Tư pháp")
    division = make_org_unit(
        "Phòng Hành chính tư pháp", parent=department, is_agency=False, kind=OrgUnit.Kind.DIVISION
    )

    with pytest.raises(ValidationError):
        catalogue.link_agencies(procedure, [department, division])
    assert procedure.agencies.count() == 0

    catalogue.link_agencies(procedure, [department])
    assert list(procedure.agencies.all()) == [department]
    entry = AuditEntry.objects.get(action="onestop.procedure.agencies")
    assert entry.after == {"agencies": [department.code]}


def test_a_template_of_another_module_cannot_be_a_procedures_process(field: Field) -> None:
    procedure = _create(field, None)
    other = ProcessTemplate.objects.create(code="van-ban", name="Văn bản", module="documents")
    with pytest.raises(ValidationError):
        catalogue.set_process_template(procedure, other)


def test_a_component_used_by_a_dossier_cannot_be_removed() -> None:
    dossier = make_dossier()
    procedure = dossier.procedure
    kept = catalogue.components_of(procedure)

    with pytest.raises(ValidationError) as caught:
        catalogue.set_components(procedure, kept[2:])

    assert "Không bỏ được thành phần hồ sơ" in caught.value.messages[0]
    assert catalogue.components_of(procedure) == kept


def test_the_platform_format_carries_process_and_agencies_through_a_round_trip() -> None:
    # given a procedure with a process whose first step belongs to a division, and two agencies
    department = make_org_unit("Sở Tư pháp", code="000.00.05.H99")
    division = make_org_unit(
        "Phòng Hành chính tư pháp", parent=department, is_agency=False, kind=OrgUnit.Kind.DIVISION
    )
    commune = make_org_unit("UBND phường Phú Cường", code="000.01.21.H99")
    steps = (
        catalogue.StepSpec("Thẩm định", Role.SPECIALIST, Decimal(60), division),
        *THREE_STEPS[1:],
    )
    template, _status = catalogue.save_process_template(
        catalogue.TemplateSpec("onestop-so-tu-phap", "Sở Tư pháp", steps, "Mô tả")
    )
    with acting(via="test"):
        catalogue.import_procedures([portal_record()])
    procedure = Procedure.objects.get()
    catalogue.set_process_template(procedure, template)
    catalogue.link_agencies(procedure, [commune, department])
    exported = catalogue.export_procedures()
    assert exported["process_templates"][0]["steps"][0]["org_unit"] == {
        "agency": "000.00.05.H99",
        "division": "Phòng Hành chính tư pháp",
    }
    assert exported["procedures"][0]["agencies"] == ["000.00.05.H99", "000.01.21.H99"]

    # when everything is removed and the export imported again
    Procedure.objects.all().delete()
    ProcessTemplate.objects.all().delete()
    with acting(via="test"):
        report = catalogue.import_procedures(exported)

    # then the procedure, its process and its agencies are back as they were
    assert (report.created, report.templates_created) == (["1.000001"], ["onestop-so-tu-phap"])
    assert export_without_time(catalogue.export_procedures()) == export_without_time(exported)
    step = ProcessTemplate.objects.get().steps.get(order=1)
    assert step.org_unit == division


def test_the_platform_format_refuses_unknown_agencies_and_processes() -> None:
    with acting(via="test"):
        catalogue.import_procedures([portal_record()])
    exported = catalogue.export_procedures()
    exported["procedures"][0]["agencies"] = ["000.99.99.H99"]
    exported["procedures"][0]["process_template"] = "khong-co"

    with pytest.raises(catalogue.CatalogueImportError) as caught:
        catalogue.import_procedures(exported)

    assert [str(e) for e in caught.value.errors] == [
        "dòng 1 (mã 1.000001): không có quy trình nội bộ mã khong-co",
        "dòng 1 (mã 1.000001): không có cơ quan mã 000.99.99.H99",
    ]
    assert Procedure.objects.get().agencies.count() == 0


def test_a_component_note_keeps_its_values(field: Field) -> None:
    procedure = _create(field, None)
    catalogue.set_components(
        procedure,
        [
            catalogue.ComponentData("Tờ khai", originals=1, copy_type="original", form_name="TK1"),
            catalogue.ComponentData("Lưu ý", is_required=False),
        ],
    )
    assert list(ProcedureComponent.objects.values_list("order", "name", "is_required")) == [
        (1, "Tờ khai", True),
        (2, "Lưu ý", False),
    ]
