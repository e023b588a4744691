"""`lienthong documents …`: register-incoming (args and JSON), list, register export, search,
reindex; errors are CommandError with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from lienthong.documents.models import DocumentIndex, IncomingDocument
from lienthong.documents.tests.conftest import World


def _run(*args: str) -> str:
    out = StringIO()
    call_command("documents", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_register_list_export_search_reindex(world: World, tmp_path: Path) -> None:
    code = world.agency.code or ""
    out = _run(
        "register-incoming",
        "--agency",
        code,
        "--as",
        "vanthu",
        "--issuer",
        "Sở Y tế",
        "--subject",
        "Kế hoạch tiêm chủng mở rộng",
        "--type",
        "KH",
        "--number",
        "15",
        "--notation",
        "KH-SYT",
    )
    assert json.loads(out)["arrival_number"] == 1
    payload = tmp_path / "vb.json"
    payload.write_text(
        json.dumps(
            {
                "issuer": "Sở Tài chính",
                "subject": "Thông báo dự toán",
                "document_type": "TB",
                "code_number": "3",
                "code_notation": "TB-STC",
                "issued_date": "2026-01-05",
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = _run("register-incoming", "--agency", code, "--as", "vanthu", "--json", str(payload))
    assert json.loads(out)["number_notation"] == "3/TB-STC"
    listed = [json.loads(line) for line in _run("list", "--agency", code).splitlines()]
    assert [d["arrival_number"] for d in listed] == [2, 1]
    target = tmp_path / "so.xlsx"
    _run("register", "--agency", code, "--year", str(timezone.localdate().year), "-o", str(target))
    assert target.read_bytes()[:2] == b"PK"
    found = json.loads(_run("search", "tiem chung"))
    assert [i["number_notation"] for i in found["items"]] == ["15/KH-SYT"]
    DocumentIndex.objects.all().delete()
    assert "2 văn bản đến" in _run("reindex")
    assert DocumentIndex.objects.count() == 2


@pytest.mark.django_db
def test_errors_write_nothing(world: World) -> None:
    code = world.agency.code or ""
    base = ["register-incoming", "--agency", code, "--issuer", "X", "--subject", "Y"]
    with pytest.raises(CommandError, match="Chỉ văn thư"):
        _run(*base, "--as", "cva")
    with pytest.raises(CommandError, match="Không có cơ quan"):
        _run("register-incoming", "--agency", "999.99.99.Z99", "--as", "vanthu")
    with pytest.raises(CommandError, match="subject"):
        _run("register-incoming", "--agency", code, "--as", "vanthu", "--issuer", "X")
    _run(*base, "--as", "vanthu", "--number", "1")
    with pytest.raises(CommandError, match="--confirm-duplicate"):
        _run(*base, "--as", "vanthu", "--number", "1")
    assert IncomingDocument.objects.count() == 1


def test_the_console_script_knows_the_command(clean_env: dict[str, str]) -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "lienthong.cli", "documents", "--help"],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    for action in ("register-incoming", "list", "register", "search", "reindex"):
        assert action in answer.stdout
