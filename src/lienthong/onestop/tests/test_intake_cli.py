"""`lienthong dossier lookup|receive|accept|refuse|receipt`: output, and exit status 1 with a
Vietnamese message on bad input (nothing written)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lienthong.onestop.models import Dossier, DossierStatus
from lienthong.onestop.testing import (
    make_agency,
    make_citizen,
    make_dossier,
    make_officer,
    make_procedure,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desk() -> dict[str, Any]:
    agency = make_agency("UBND phường Phú Hòa", code="000.00.06.H56")
    procedure = make_procedure(agencies=[agency], code="1.001193")
    return {"agency": agency, "procedure": procedure, "officer": make_officer(agency, "motcua")}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("dossier", *args, stdout=out)
    return out.getvalue()


def test_receive_prints_the_code_and_due_date(desk: dict) -> None:
    output = run(
        "receive",
        "--procedure=1.001193",
        "--agency=000.00.06.h56",
        "--applicant-name=Trần Văn An",
        "--personal-id=074085000123",
        "--phone=0912345678",
        "--component=1:1:0",
        "--component=2:0:2",
        "--by=motcua",
    )
    dossier = Dossier.objects.get()
    assert output.strip() == (
        f"Đã tiếp nhận hồ sơ {dossier.code}; hẹn trả ngày {dossier.due_date:%d/%m/%Y}."
    )
    assert dossier.status == DossierStatus.PROCESSING
    assert sorted(dossier.components.values_list("originals", "copies")) == [(0, 2), (1, 0)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--component=1"], "Thiếu thành phần hồ sơ bắt buộc: Thành phần số 2"),
        (["--component=1", "--component=2", "--personal-id=123"], "phải gồm đúng 12 chữ số"),
        (["--component=9"], "không có thành phần số 9"),
        (["--component=1", "--component=2", "--by=nobody"], "Không có tài khoản “nobody”"),
        (
            ["--component=1", "--component=2", "--by=citizen"],
            "Chỉ cán bộ một cửa của UBND phường Phú Hòa",
        ),
    ],
    ids=["missing-component", "bad-id", "no-such-component", "no-such-user", "not-officer"],
)
def test_receive_refusals_exit_1_and_write_nothing(
    desk: dict, args: list[str], message: str
) -> None:
    make_citizen("citizen")
    base = {
        "--procedure": "1.001193",
        "--agency": "000.00.06.H56",
        "--applicant-name": "Trần Văn An",
        "--personal-id": "074085000123",
        "--by": "motcua",
    }
    for arg in args:
        key, _, value = arg.partition("=")
        if key in base:
            base[key] = value
    given = [f"{k}={v}" for k, v in base.items()] + [a for a in args if a.startswith("--comp")]
    with pytest.raises(CommandError) as raised:
        run("receive", *given)
    assert message in str(raised.value)
    assert raised.value.returncode == 1
    assert Dossier.objects.count() == 0


def test_lookup_prints_the_public_view(desk: dict) -> None:
    dossier = make_dossier(procedure=desk["procedure"])
    data = json.loads(run("lookup", dossier.code))
    assert data["code"] == dossier.code
    assert data["status"] == DossierStatus.PROCESSING
    assert "applicant_personal_id" not in data
    assert dossier.applicant_personal_id not in json.dumps(data)
    with pytest.raises(CommandError, match="Không tìm thấy hồ sơ"):
        run("lookup", "000.00.06.H56-000101-0001")


def test_accept_and_refuse(desk: dict) -> None:
    first = make_dossier(procedure=desk["procedure"], channel="online", accepted=False)
    second = make_dossier(procedure=desk["procedure"], channel="online", accepted=False)
    assert run("accept", first.code, "--by=motcua").startswith(
        f"Đã tiếp nhận hồ sơ {first.code}; hẹn trả ngày "
    )
    with pytest.raises(CommandError, match="không còn chờ tiếp nhận"):
        run("accept", first.code, "--by=motcua")
    assert run("refuse", second.code, "--reason=Thiếu chữ ký", "--by=motcua").strip() == (
        f"Đã từ chối tiếp nhận hồ sơ {second.code}."
    )
    assert Dossier.objects.get(pk=second.pk).refusal_reason == "Thiếu chữ ký"


def test_receipt_writes_a_pdf(desk: dict, tmp_path: Path) -> None:
    dossier = make_dossier(procedure=desk["procedure"])
    target = tmp_path / "giay.pdf"
    output = run("receipt", dossier.code, "-o", str(target))
    assert output.startswith(f"Đã ghi {target} (")
    text = pypdf.PdfReader(target).pages[0].extract_text()
    assert dossier.code in text
    with pytest.raises(CommandError, match="không ở trạng thái từ chối"):
        run("receipt", dossier.code, "--refusal", "-o", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def test_the_real_command_exits_1_on_an_unknown_code(clean_env: dict[str, str]) -> None:
    # A malformed code is refused before any database access, so an empty data dir will do.
    result = subprocess.run(
        [sys.executable, "-m", "lienthong.cli", "dossier", "lookup", "không-phải-mã"],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Không tìm thấy hồ sơ có mã “không-phải-mã”." in result.stderr
