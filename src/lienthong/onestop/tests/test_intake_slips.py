"""The receipt and appointment slip and the refusal slip, as real PDFs read back with pypdf."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
import segno

from lienthong.core.calendar import VN_TZ
from lienthong.onestop import intake, slips
from lienthong.onestop.models import Dossier
from lienthong.onestop.testing import (
    counter_applicant,
    make_agency,
    make_citizen,
    make_dossier,
    make_officer,
    make_procedure,
)

pytestmark = pytest.mark.django_db

PUBLIC = "https://dichvucong.binhduong.gov.vn"


@pytest.fixture(autouse=True)
def public_url(settings: Any, tmp_path: Any) -> None:
    settings.LIENTHONG = {**settings.LIENTHONG, "PUBLIC_URL": PUBLIC + "/"}
    settings.MEDIA_ROOT = tmp_path


def _pages(pdf: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _text(pdf: bytes) -> str:
    # Line breaks fall wherever the layout wraps; compare on single spaces.
    return " ".join(" ".join(page.extract_text() for page in _pages(pdf)).split())


def _dark(pixel: Any) -> bool:
    return bool(pixel < 128)


def _domain_example() -> Dossier:
    agency = make_agency("UBND phường Phú Hòa", code="000.00.06.H56")
    procedure = make_procedure(
        agencies=[agency], code="1.001193", name="Cấp bản sao trích lục hộ tịch"
    )
    components = list(procedure.components.order_by("order"))
    return intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=counter_applicant(
            name="Nguyễn Thị Minh",
            personal_id="074185000123",
            address="12 Đường 30/4, phường Phú Hòa",
            phone="0912345678",
            email="minh@example.vn",
        ),
        components_received=[
            intake.ReceivedComponent(components[0], originals=1, copies=0),
            intake.ReceivedComponent(components[1], originals=0, copies=2),
        ],
        by=make_officer(agency, full_name="Lê Văn Tiếp"),
        at=datetime.datetime(2023, 10, 27, 9, 32, tzinfo=VN_TZ),
    )


def test_the_receipt_carries_what_the_decree_lists() -> None:
    # Given the DOMAIN example: received 09:32 Friday 27/10/2023, 5 working days
    dossier = _domain_example()
    # When its receipt is printed
    pdf = slips.receipt_pdf(dossier)
    # Then it is one page of Vietnamese text with every required fact
    assert pdf.startswith(b"%PDF-")
    assert len(_pages(pdf)) == 1
    text = _text(pdf)
    for expected in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "UBND PHƯỜNG PHÚ HÒA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "ngày 27 tháng 10 năm 2023",
        "Mã hồ sơ: 000.00.06.H56-231027-0001",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Minh",
        "Số định danh cá nhân: 074185000123",
        "Địa chỉ: 12 Đường 30/4, phường Phú Hòa",
        "Số điện thoại: 0912345678",
        "Thư điện tử: minh@example.vn",
        "Nội dung yêu cầu giải quyết: Cấp bản sao trích lục hộ tịch (mã thủ tục 1.001193)",
        "1 Tờ khai theo mẫu 1 0",
        "2 Giấy tờ chứng minh nơi cư trú 0 2",
        "Thời gian giải quyết hồ sơ theo quy định là: 5 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 32 phút, ngày 27/10/2023",
        "17 giờ 00 phút, ngày 03/11/2023",
        "(ngày hẹn trả 03/11/2023)",
        "Lê Văn Tiếp",
    ]:
        assert expected in text, expected
    # and the optional component that was not received is not listed
    assert "Giấy ủy quyền" not in text
    # and the lookup URL is printed, built from PUBLIC_URL
    url = f"{PUBLIC}/tra-cuu/?ma=000.00.06.H56-231027-0001"
    assert intake.lookup_url(dossier.code) == url
    assert url in text.replace("? ma=", "?ma=")


def test_the_receipt_qr_code_encodes_the_lookup_url() -> None:
    dossier = _domain_example()
    pdf = slips.receipt_pdf(dossier)
    # The slip holds exactly one image: the QR code
    images = _pages(pdf)[0].images
    assert len(images) == 1
    image = images[0].image
    assert image is not None
    picture = image.convert("L")
    # Reading its modules back gives the QR code of the lookup URL, module for module
    expected = segno.make(intake.lookup_url(dossier.code), error="m")
    size = len(expected.matrix)
    scale, border = slips.QR_SCALE, slips.QR_BORDER
    assert picture.size == ((size + 2 * border) * scale,) * 2
    read = [
        [
            int(_dark(picture.getpixel(((x + border) * scale + 1, (y + border) * scale + 1))))
            for x in range(size)
        ]
        for y in range(size)
    ]
    assert read == [list(row) for row in expected.matrix]


def test_an_organisation_receipt_shows_the_tax_code() -> None:
    agency = make_agency()
    procedure = make_procedure(agencies=[agency], time_limit=15, time_unit="days")
    dossier = intake.receive_at_counter(
        procedure=procedure,
        agency=agency,
        applicant=intake.Applicant(
            name="Công ty TNHH Thử Nghiệm", kind="organisation", tax_code="0100109106"
        ),
        components_received=[
            intake.ReceivedComponent(c) for c in procedure.components.all() if c.is_required
        ],
        by=make_officer(agency),
    )
    text = _text(slips.receipt_pdf(dossier))
    assert "Mã số thuế: 0100109106" in text
    assert "Số định danh cá nhân" not in text
    assert "15 ngày." in text


def test_the_refusal_slip_gives_the_reasons() -> None:
    agency = make_agency("UBND phường Hiệp Thành", code="000.00.07.H56")
    procedure = make_procedure(agencies=[agency])
    citizen = make_citizen(full_name="Trần Văn Bình")
    new = make_dossier(procedure=procedure, applicant=citizen, channel="online", accepted=False)
    refused = intake.refuse(
        dossier=new,
        reasons=["Tờ khai chưa có chữ ký", "Ảnh chụp giấy tờ bị mờ"],
        by=make_officer(agency, full_name="Phạm Thu Hà"),
    )
    text = _text(slips.refusal_pdf(refused))
    for expected in [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        f"Mã hồ sơ: {refused.code}",
        "Tiếp nhận hồ sơ của: Trần Văn Bình",
        "không đủ điều kiện để tiếp nhận",
        "Tờ khai chưa có chữ ký",
        "Ảnh chụp giấy tờ bị mờ",
        "Phạm Thu Hà",
    ]:
        assert expected in text, expected


def test_slips_exist_only_in_the_right_state() -> None:
    agency = make_agency()
    procedure = make_procedure(agencies=[agency])
    new = make_dossier(procedure=procedure, channel="online", accepted=False)
    with pytest.raises(Exception, match="chưa được tiếp nhận"):
        slips.receipt_pdf(new)
    with pytest.raises(Exception, match="không ở trạng thái từ chối"):
        slips.refusal_pdf(new)


def test_time_limits_read_in_vietnamese() -> None:
    procedure = make_procedure(time_limit=5)
    assert slips.time_limit_text(procedure) == "5 ngày làm việc"
    procedure.time_limit_value, procedure.time_limit_unit = Decimal("0.5"), "working_days"
    assert slips.time_limit_text(procedure) == "0,5 ngày làm việc"
    procedure.time_limit_value, procedure.time_limit_unit = Decimal(8), "hours"
    assert slips.time_limit_text(procedure) == "8 giờ làm việc"
    procedure.time_limit_value, procedure.time_limit_text = None, "Không quy định"
    assert slips.time_limit_text(procedure) == "Không quy định"
