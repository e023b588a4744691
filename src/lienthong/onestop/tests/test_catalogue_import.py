"""Importing the catalogue: the 113 real procedures, the source's gaps, idempotency, round trips,
and errors reported by row with nothing written."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count

from lienthong.core.context import acting
from lienthong.core.models import AuditEntry
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import catalogue
from lienthong.onestop.models import Field, Procedure, ProcedureComponent
from lienthong.onestop.tests.test_catalogue_support import (
    committed_catalogue,
    export_without_time,
    import_real,
    portal_record,
    real_record,
    real_records,
)
from lienthong.search import services as search

pytestmark = pytest.mark.django_db

#: Procedures per field in the real file (the README's table, with the portal's field names).
FIELD_COUNTS = {
    "Hộ tịch": 12,
    "Đất đai": 11,
    "Thành lập và hoạt động của doanh nghiệp": 10,
    "Hoạt động xây dựng": 9,
    "Đầu tư tại Việt nam": 7,
    "Đăng ký, quản lý cư trú": 7,
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)": 5,
    "Chứng thực": 5,
    "Đường bộ": 5,
    "Thành lập và hoạt động của tổ hợp tác, hợp tác xã, liên hiệp hợp tác xã": 3,
    "Nhà ở và công sở": 3,
    "Kinh doanh bất động sản": 3,
    "Đăng ký biện pháp bảo đảm": 3,
    "Môi trường": 3,
    "Tài nguyên nước": 3,
    "Giảm nghèo": 3,
    "Quy hoạch đô thị và nông thôn": 2,
    "Nuôi con nuôi": 2,
    "Hòa giải ở cơ sở": 2,
    "Trợ giúp pháp lý": 2,
    "Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng": 2,
    "Phòng cháy, chữa cháy": 2,
    "Thực hiện chính sách BHXH": 2,
    "Thú y": 2,
    "Kiến trúc": 1,
    "Lý lịch tư pháp": 1,
    "Sát hạch, cấp giấy phép lái xe": 1,
    "Trồng trọt": 1,
    "Lâm nghiệp": 1,
}


def _import(records: Any) -> catalogue.ImportReport:
    with acting(via="test"):
        return catalogue.import_procedures(records, source="test")


@pytest.fixture(scope="class")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[catalogue.ImportReport]:
    with committed_catalogue(django_db_blocker) as report:
        yield report


@pytest.mark.usefixtures("loaded")
class TestRealFile:
    """The 113 procedures of ../shared/data/procedures/procedures.json, loaded once."""

    def test_every_procedure_is_created_with_the_readme_counts_per_field(
        self, loaded: catalogue.ImportReport
    ) -> None:
        assert len(loaded.created) == 113
        assert (loaded.updated, loaded.unchanged) == ([], [])
        assert len(loaded.fields_created) == 29
        counts = dict(
            Field.objects.annotate(n=Count("procedures")).values_list("name", "n").order_by()
        )
        assert counts == FIELD_COUNTS
        assert Field.objects.get(name="Hộ tịch").code == "ho-tich"

    def test_a_time_limit_without_unit_keeps_its_number_and_names_the_unit_missing(self) -> None:
        birth = Procedure.objects.get(code="1.001193")
        assert (birth.time_limit_value, birth.time_limit_unit) == (Decimal("1"), "")
        assert "time_limit_unit" in birth.missing
        assert "time_limit_value" not in birth.missing
        no_unit = Procedure.objects.filter(time_limit_value__isnull=False, time_limit_unit="")
        assert no_unit.count() == 19
        assert all("time_limit_unit" in p.missing for p in no_unit)

    def test_a_null_time_limit_leaves_value_and_unit_empty_and_missing(self) -> None:
        capital = Procedure.objects.get(code="2.002009")
        assert (capital.time_limit_value, capital.time_limit_unit) == (None, "")
        assert {"time_limit_value", "time_limit_unit"} <= set(capital.missing)
        assert Procedure.objects.filter(time_limit_value__isnull=True).count() == 10

    def test_the_portals_units_become_stable_codes(self) -> None:
        units = Counter(Procedure.objects.values_list("time_limit_unit", flat=True))
        assert units == {"working_days": 59, "days": 24, "hours": 1, "": 29}

    def test_levels_become_stable_codes(self) -> None:
        assert Procedure.objects.get(code="2.001610").levels == ["ministry", "province"]
        assert Procedure.objects.get(code="2.000815").levels == ["commune", "other"]
        assert Procedure.objects.at_level("commune").count() == 59
        assert Procedure.objects.at_level("province").count() == 64

    def test_a_null_agency_is_empty_and_named_missing(self) -> None:
        birth = Procedure.objects.get(code="1.001193")
        assert birth.agency_text == ""
        assert "agency_text" in birth.missing
        assert Procedure.objects.filter(agency_text="").count() == 26
        # No-break spaces of the source are plain spaces.
        marriage = Procedure.objects.get(code="1.000894")
        assert marriage.agency_text == "Ủy ban Nhân dân xã, phường, thị trấn."

    def test_a_row_with_no_original_and_no_copy_is_a_note_not_a_required_document(self) -> None:
        notes = ProcedureComponent.objects.filter(originals=0, copies=0)
        assert notes.count() == 275
        assert set(notes.values_list("is_required", "copy_type")) == {(False, "")}
        kinds = Counter(
            ProcedureComponent.objects.exclude(originals=0, copies=0).values_list(
                "copy_type", flat=True
            )
        )
        assert kinds == {"original": 579, "original_or_copy": 324, "copy": 230}
        assert ProcedureComponent.objects.count() == 1408

    def test_prose_components_of_the_social_insurance_records_are_none_and_missing(self) -> None:
        for code in ("2.000693", "1.001613"):
            procedure = Procedure.objects.get(code=code)
            assert procedure.components.count() == 0
            assert "components" in procedure.missing

    def test_form_names_stuck_to_a_component_name_move_to_the_form_name(self) -> None:
        investment = Procedure.objects.get(code="1.009645").components.get(
            form_name="Mẫu I.1.3.docx; Mẫu I.1.2.docx"
        )
        assert investment.name.endswith("theo quy định của pháp luật về lâm nghiệp")
        well = Procedure.objects.get(code="1.004223").components.get(
            form_name="Mau40.docx; Mau38.docx; Mau39.docx"
        )
        assert well.name.endswith("Phụ lục I Nghị định số 23/2026/NĐ-CP.")
        # A file name that cannot be told from the text is left where it is.
        road = Procedure.objects.get(code="1.000314").components.get(order=1)
        assert road.name == "Bản chính Văn bản đề nghị theo quy địnhvăn bản đề nghị.docx"
        assert road.form_name == ""

    def test_online_level_only_where_the_name_says_it(self) -> None:
        assert Procedure.objects.get(code="1.013076").online_level == "partial"
        assert Procedure.objects.get(code="1.013067").online_level == "partial"
        unknown = Procedure.objects.filter(online_level="")
        assert unknown.count() == 111
        assert all("online_level" in p.missing for p in unknown)

    def test_no_record_says_lien_thong_so_none_is_inter_agency(self) -> None:
        assert Procedure.objects.filter(is_inter_agency=True).count() == 0
        assert all("is_inter_agency" in p.missing for p in Procedure.objects.all())

    def test_an_implausible_fee_is_not_given_but_its_text_is_kept(self) -> None:
        reissue = Procedure.objects.get(code="2.002018")
        assert reissue.fee_amount is None
        assert reissue.fee_text == "125 VNĐ"
        assert "fee_amount" in reissue.missing
        assert Procedure.objects.get(code="2.001610").fee_amount == 100000
        assert Procedure.objects.get(code="1.001193").fee_amount == 0

    def test_names_keep_the_source_text_with_white_space_collapsed(self) -> None:
        extension = Procedure.objects.get(code="1.009659")
        assert extension.name == (
            "Thủ tục gia hạn thời hạn hoạt động của dự án đầu tư thuộc thẩm quyền của "
            "Chủ tịch Uỷ ban nhân dân cấp tỉnh"
        )
        assert extension.source["original_url"].startswith("https://dichvucong.gov.vn/")
        assert extension.publishing_decision
        # the portal's side panel, saved by the crawler after every result text, is cut off
        business = Procedure.objects.get(code="2.001610")
        assert business.result_text.startswith("Giấy chứng nhận đăng ký doanh nghiệp")
        assert business.result_text.endswith("Mã: KQ.G12.001051")
        assert not Procedure.objects.filter(result_text__contains="Chọn cơ quan").exists()

    def test_every_procedure_is_in_the_public_search_index(self) -> None:
        assert search.count("dang ky khai sinh", models=[Procedure]) >= 5
        hits = search.search("1.001193", models=[Procedure])
        assert hits[0].title == "Thủ tục đăng ký khai sinh (1.001193)"
        assert hits[0].url == "/motcua/thu-tuc/1.001193/"
        assert hits[0].scope == ""

    def test_importing_the_file_again_changes_nothing(self) -> None:
        audit_before = AuditEntry.objects.count()
        events_before = OutboxEvent.objects.count()

        report = import_real()

        assert (report.created, report.updated, len(report.unchanged)) == ([], [], 113)
        assert report.fields_created == []
        # Nothing written, so nothing audited and no event sent.
        assert AuditEntry.objects.count() == audit_before
        assert OutboxEvent.objects.count() == events_before

    def test_a_changed_record_is_updated_and_the_rest_left_as_they_were(self) -> None:
        records = real_records()
        birth = next(r for r in records if r["code"] == "1.001193")
        birth["time_limit"] = {"value": 3, "unit": "Ngày làm việc"}

        report = _import(records)

        assert report.updated == ["1.001193"]
        assert len(report.unchanged) == 112
        procedure = Procedure.objects.get(code="1.001193")
        assert (procedure.time_limit_value, procedure.time_limit_unit) == (3, "working_days")
        assert "time_limit_unit" not in procedure.missing
        event = OutboxEvent.objects.filter(type="procedure.updated").latest("pk")
        assert event.subject == "1.001193"
        assert event.data["changed"] == ["missing", "time_limit_unit", "time_limit_value"]

    def test_json_export_then_import_is_a_lossless_round_trip(self) -> None:
        exported = json.loads(json.dumps(catalogue.export_procedures()))
        assert exported["format"] == "lienthong.procedures"
        assert len(exported["procedures"]) == 113

        # into the same database: nothing to do
        assert len(_import(exported).unchanged) == 113
        # into an empty catalogue: the same procedures again
        Procedure.objects.all().delete()
        Field.objects.all().delete()
        report = _import(exported)
        assert len(report.created) == 113

        assert export_without_time(catalogue.export_procedures()) == export_without_time(exported)

    def test_xlsx_export_then_import_is_a_lossless_round_trip(self) -> None:
        before = export_without_time(catalogue.export_procedures())
        workbook = catalogue.export_xlsx()

        Procedure.objects.all().delete()
        Field.objects.all().delete()
        with acting(via="test"):
            report = catalogue.import_file("danh-muc.xlsx", workbook)

        assert len(report.created) == 113
        assert export_without_time(catalogue.export_procedures()) == before


def test_a_bad_row_is_reported_by_row_and_code_and_nothing_is_written() -> None:
    # given two good records and a third with an impossible time limit
    records = [
        portal_record(code="1.000001"),
        portal_record(code="1.000002"),
        portal_record(code="1.000003", time_limit={"value": -3, "unit": "Ngày làm việc"}),
    ]
    audit_before, events_before = AuditEntry.objects.count(), OutboxEvent.objects.count()

    with pytest.raises(catalogue.CatalogueImportError) as caught:
        _import(records)

    assert [str(e) for e in caught.value.errors] == ["dòng 3 (mã 1.000003): thời hạn không hợp lệ"]
    assert Procedure.objects.count() == 0
    assert Field.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before
    assert OutboxEvent.objects.count() == events_before


def test_every_bad_row_is_reported_at_once() -> None:
    records = [
        portal_record(code="1.000001", level=["Cấp thôn"]),
        portal_record(code="1.000001"),
        portal_record(code="ABC"),
        portal_record(code="1.000004", time_limit={"value": 2, "unit": "Tuần"}),
        portal_record(code="1.000005", components=[{"name": "", "originals": 1, "copies": 0}]),
        "không phải bản ghi",
    ]

    with pytest.raises(catalogue.CatalogueImportError) as caught:
        _import(records)

    assert [str(e) for e in caught.value.errors] == [
        "dòng 1 (mã 1.000001): cấp thực hiện “Cấp thôn” không hợp lệ",
        "dòng 3 (mã ABC): mã thủ tục không hợp lệ",
        "dòng 4 (mã 1.000004): đơn vị thời hạn “Tuần” không hợp lệ",
        "dòng 5 (mã 1.000005): thành phần hồ sơ thứ 1: thiếu tên giấy tờ",
        "dòng 6: bản ghi phải là một đối tượng JSON",
        "dòng 2 (mã 1.000001): mã thủ tục trùng với dòng 1",
    ]
    assert Procedure.objects.count() == 0


def test_a_file_of_another_shape_is_refused() -> None:
    with pytest.raises(catalogue.CatalogueImportError) as caught:
        _import({"procedures": []})
    assert str(caught.value.errors[0]).startswith("tệp: không đúng định dạng")


def test_a_portal_record_is_normalised_as_documented() -> None:
    record = portal_record(
        name="Thủ tục liên thông\nđăng ký   thử, trực tuyến toàn trình",
        level=["Cấp tỉnh", "Cấp huyện"],
        time_limit={"value": 8, "unit": "Giờ"},
        fee={"amount_vnd": 90, "text": "90 VNĐ"},
        components=[
            {"name": "Đơn đề nghịMẫu 01.docx", "originals": 1, "copies": 1, "form_template": None},
            {"name": "Lưu ý khi nộp", "originals": 0, "copies": 0, "form_template": None},
        ],
    )

    _import([record])

    procedure = Procedure.objects.get(code="1.000001")
    assert procedure.name == "Thủ tục liên thông đăng ký thử, trực tuyến toàn trình"
    assert procedure.levels == ["province", "district"]
    assert (procedure.time_limit_value, procedure.time_limit_unit) == (8, "hours")
    assert procedure.fee_amount is None and procedure.fee_text == "90 VNĐ"
    assert (procedure.online_level, procedure.is_inter_agency) == ("full", True)
    assert procedure.missing == ["fee_amount"]
    assert [
        (c.name, c.form_name, c.copy_type, c.is_required) for c in procedure.components.all()
    ] == [
        ("Đơn đề nghị", "Mẫu 01.docx", "original_or_copy", True),
        ("Lưu ý khi nộp", "", "", False),
    ]
    assert procedure.field.code == "linh-vuc-thu"


def test_a_source_url_that_is_not_http_is_refused() -> None:
    record = portal_record(source={"original_url": "javascript:alert(1)"})
    with pytest.raises(catalogue.CatalogueImportError) as caught:
        _import([record])
    assert "http" in str(caught.value.errors[0])


def test_real_birth_registration_record_keeps_its_legal_basis_in_order() -> None:
    _import([real_record("1.001193")])
    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.legal_basis[:3] == ["85/2019/TT-BTC", "104/2022/NĐ-CP", "123/2015/NĐ-CP"]
    assert procedure.components.count() == 33
    assert procedure.components.filter(is_required=True).count() == 8
