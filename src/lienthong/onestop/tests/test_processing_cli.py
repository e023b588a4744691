"""`lienthong dossier …` processing actions: the same services, Vietnamese refusals, exit 1."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lienthong.onestop.models import CitizenDocument, DossierStatus
from lienthong.onestop.testing import TINY_PDF
from lienthong.onestop.testing_processing import footprint, make_team

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("dossier", *args, stdout=out)
    return out.getvalue()


def test_the_whole_journey_from_the_command_line(tmp_path: Path) -> None:
    team = make_team()
    dossier = team.dossier()
    code = dossier.code
    result_file = tmp_path / "ket-qua.pdf"
    result_file.write_bytes(TINY_PDF)

    assert _run("forward", code, "--by", team.specialist.username, "--note", "Đạt") == (
        f"Hồ sơ {code}: Đang xử lý.\n"
    )
    out = _run(
        "supplement",
        code,
        "--items",
        "Sơ đồ",
        "--items",
        "Tờ khai",
        "--reason",
        "Thiếu",
        "--by",
        team.leader.username,
    )
    assert out == f"Hồ sơ {code}: Yêu cầu bổ sung.\n"
    out = _run("supply", code, "--by", team.officer.username)
    dossier.refresh_from_db()
    assert dossier.due_date is not None
    assert out == (
        f"Hồ sơ {code}: Đang xử lý.\n"
        f"Ngày hẹn trả kết quả mới: {dossier.due_date.strftime('%d/%m/%Y')}.\n"
    )
    _run("forward", code, "--by", team.leader.username)
    _run(
        "result",
        code,
        "--file",
        str(result_file),
        "--title",
        "Giấy phép",
        "--by",
        team.leader.username,
    )
    assert _run("return", code, "--by", team.officer.username) == (
        f"Hồ sơ {code}: Đã trả kết quả.\n"
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert CitizenDocument.objects.filter(source_dossier=dossier).count() == 1

    history = _run("history", code)
    assert history.splitlines()[0] == f"{code} — {team.procedure.name} — Đã trả kết quả"
    assert "Yêu cầu bổ sung: Sơ đồ; Tờ khai. Lý do: Thiếu" in history
    assert "(nội bộ: Chuyển từ bước “Thụ lý, thẩm định hồ sơ” sang bước" in history


def test_an_apology_written_to_a_pdf(tmp_path: Path) -> None:
    from lienthong.onestop.testing_processing import moment

    team = make_team()
    dossier = team.dossier(at=moment("2026-02-02 09:00"))
    target = tmp_path / "phieu.pdf"

    out = _run(
        "apology",
        dossier.code,
        "--reason",
        "Chờ xác minh",
        "--date",
        "13/02/2099",
        "--by",
        team.specialist.username,
        "-o",
        str(target),
    )

    assert "Ngày hẹn trả kết quả mới: 13/02/2099." in out
    text = " ".join(pypdf.PdfReader(target).pages[0].extract_text().split())
    assert "vào ngày 13/02/2099" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forward", "{code}", "--by", "{leader}"], "Bạn không được giao xử lý bước này."),
        (["forward", "{code}", "--by", "khong-co-ai"], "Không có tài khoản “khong-co-ai”."),
        (["forward", "000.00.00.H00-000000-0000", "--by", "{leader}"], "Không tìm thấy hồ sơ"),
        (["supply", "{code}", "--by", "{officer}"], "không thực hiện được thao tác này"),
        (["stop", "{code}", "--reason", " ", "--by", "{leader}"], "Hãy nêu lý do dừng xử lý."),
        (
            ["handover", "{code}", "--agency", "000.00.00.X00", "--note", "x", "--by", "{leader}"],
            "Không có cơ quan mã",
        ),
    ],
)
def test_refusals_exit_with_a_message_and_write_nothing(args: list[str], message: str) -> None:
    team = make_team()
    dossier = team.dossier()
    before = footprint(dossier)
    names = {"code": dossier.code, "leader": team.leader.username, "officer": team.officer.username}

    with pytest.raises(CommandError) as caught:
        _run(*[arg.format(**names) for arg in args])

    assert message in str(caught.value)
    assert footprint(dossier) == before


def test_a_missing_result_file_is_refused(tmp_path: Path) -> None:
    team = make_team()
    dossier = team.dossier()

    with pytest.raises(CommandError, match="Không đọc được tệp"):
        _run(
            "result",
            dossier.code,
            "--file",
            str(tmp_path / "khong-co.pdf"),
            "--title",
            "KQ",
            "--by",
            team.leader.username,
        )
