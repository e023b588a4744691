"""The one-stop demo seed: the 113 procedures, their receiving agencies in the demo org tree,
their internal processes (with roles the demo users hold), the search index; idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from lienthong.accounts.models import RoleAssignment, User
from lienthong.core.models import AdminUnit, AuditEntry, OrgUnit
from lienthong.core.seed import seed_demo as seed_kernel
from lienthong.core.tests.units_support import committed_units
from lienthong.core.units import LoadReport
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import demo
from lienthong.onestop.models import Procedure
from lienthong.search import services as search
from lienthong.workflow.models import ProcessStep, ProcessTemplate

#: Procedures whose receiving body is not in the demo tree (police, social insurance).
UNLINKED = {
    "1.001613",
    "1.002755",
    "1.003677",
    "1.004194",
    "1.004222",
    "1.010038",
    "1.010041",
    "1.013067",
    "1.013076",
    "2.000693",
    "2.001159",
    "3.000333",
    "3.000348",
    "3.000489",
    "3.000491",
}


def _catalogue_steps() -> list[str]:
    """The catalogue's steps of the one-stop demo (other areas append their own after)."""
    return [line for step in demo.CATALOGUE_STEPS for line in step()]


@pytest.fixture(scope="class")
def units(django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadReport]:
    with committed_units(django_db_blocker) as report:
        yield report


@pytest.mark.django_db
@pytest.mark.usefixtures("units")
class TestDemoSeed:
    """The kernel's demo (org tree, users) and then the one-stop shop's."""

    @pytest.fixture
    def lines(self) -> list[str]:
        seed_kernel()
        return _catalogue_steps()

    def test_the_procedures_are_loaded_linked_given_a_process_and_indexed(
        self, lines: list[str]
    ) -> None:
        assert lines[0] == (
            "Danh mục thủ tục: 113 thủ tục: thêm 113, cập nhật 0, không đổi 0. Thêm 29 lĩnh vực."
        )
        assert lines[1] == (
            "Cơ quan tiếp nhận: gắn cho 98 thủ tục (98 thủ tục đã gắn); 15 thủ tục chưa gắn:"
        )
        unlinked = {line.split()[1] for line in lines[2:17]}
        assert unlinked == UNLINKED
        assert (
            "  - 1.004222 Đăng ký thường trú: cơ quan công an không có trong cây tổ chức demo"
            in (lines)
        )
        assert lines[17] == "Quy trình nội bộ: 5 quy trình mới hoặc cập nhật; gán cho 113 thủ tục."
        assert lines[18] == "Tìm kiếm: 113 thủ tục có trong chỉ mục công khai (/search/)."

        linked = Procedure.objects.filter(agencies__isnull=False).distinct()
        assert set(Procedure.objects.exclude(pk__in=linked).values_list("code", flat=True)) == (
            UNLINKED
        )
        assert not Procedure.objects.filter(process_template__isnull=True).exists()
        assert search.count("dang ky khai sinh", models=[Procedure]) >= 5

    def test_commune_level_procedures_go_to_every_commune_committee(self, lines: list[str]) -> None:
        communes = OrgUnit.objects.filter(admin_unit__level=AdminUnit.Level.COMMUNE)
        assert communes.count() == 91
        birth = Procedure.objects.get(code="1.001193")
        assert set(birth.agencies.all()) == set(communes)
        assert birth.process_template is not None
        assert birth.process_template.code == "onestop-xa-3-buoc"

    def test_province_level_procedures_go_to_the_department_the_source_names(
        self, lines: list[str]
    ) -> None:
        def agencies(code: str) -> list[str]:
            return sorted(u.code or "" for u in Procedure.objects.get(code=code).agencies.all())

        assert agencies("2.001610") == ["000.00.04.H99"]  # business: Sở Tài chính
        assert agencies("1.012783") == ["000.00.08.H99"]  # land: Sở Nông nghiệp và Môi trường
        assert agencies("1.013222") == ["000.00.06.H99"]  # Sở Xây dựng
        assert agencies("2.000587") == ["000.00.05.H99"]  # Sở Tư pháp
        assert agencies("1.009664") == ["000.00.13.H99"]  # Ban Quản lý các KCN
        # "designated by the province": the field's department
        assert agencies("1.008891") == ["000.00.06.H99"]

    def test_every_step_role_is_held_by_a_demo_user(self, lines: list[str]) -> None:
        demo_roles = set(
            RoleAssignment.objects.filter(
                user__username__in=["motcua", "chuyenvien", "lanhdao"]
            ).values_list("role", flat=True)
        )
        step_roles = set(ProcessStep.objects.values_list("role", flat=True))
        assert step_roles == demo_roles == {"onestop_officer", "specialist", "leader"}
        for template in ProcessTemplate.objects.filter(module="onestop"):
            assert sum(step.time_share for step in template.steps.all()) == 100, template.code

    def test_the_justice_departments_assessment_is_the_specialists_division(
        self, lines: list[str]
    ) -> None:
        procedure = Procedure.objects.get(code="2.000587")
        assert procedure.process_template is not None
        first = procedure.process_template.steps.get(order=1)
        specialist = User.objects.get(username="chuyenvien")
        assert first.org_unit == specialist.org_unit
        assert specialist.has_role(first.role, first.org_unit)

    def test_a_second_run_reports_nothing_changed(self, lines: list[str]) -> None:
        entries, events = AuditEntry.objects.count(), OutboxEvent.objects.count()

        again = _catalogue_steps()

        assert again[0] == "Danh mục thủ tục: đã có đủ 113 thủ tục, không có gì thay đổi."
        assert again[1].startswith("Cơ quan tiếp nhận: không có gì thay đổi (98 thủ tục đã gắn)")
        assert "Quy trình nội bộ: không có gì thay đổi." in again
        assert (AuditEntry.objects.count(), OutboxEvent.objects.count()) == (entries, events)

    def test_the_seed_command_runs_the_one_stop_steps(self) -> None:
        out = StringIO()
        call_command("seed", "--demo", stdout=out)
        assert "Danh mục thủ tục: 113 thủ tục: thêm 113" in out.getvalue()
