"""Two deployments across real HTTP: A is `lienthong edxml send` in a subprocess with its own
database and data directory; B is a live server on the test database. A's packages reach B's
inbox, B stores them and answers; a package B refuses is stored nowhere on B and marked on A."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lienthong.core.testing import make_org_unit
from lienthong.exchange.adapters.models import EdxmlPackage
from lienthong.exchange.clients.testing import make_client
from lienthong.exchange.messagelog.models import MessageLogEntry

LIENTHONG = [sys.executable, "-m", "lienthong.cli"]
PDF = b"%PDF-1.4\n% cong van\n%%EOF\n"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LIENTHONG, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.django_db(transaction=True)
def test_a_document_sent_from_deployment_a_is_stored_by_deployment_b(
    live_server: Any, leg_env: dict[str, str], tmp_path: Path
) -> None:
    # given B hosts agency 000.00.00.H56 and registered A as a client system with a grant
    make_org_unit("UBND tỉnh Bình Dương", code="000.00.00.H56")
    system_a, key = make_client(grants=["api.exchange.edxml"], code="tinh-nghe-an")
    # and A, with its own database, knows B as peer "binh-duong"
    peers = {
        "binh-duong": {
            "url": f"{live_server.url}/api/exchange/edxml/inbox",
            "api_key": key,
            "organ_id": "000.00.00.H56",
            "name": "UBND tỉnh Bình Dương",
        },
        "wrong-organ": {
            "url": f"{live_server.url}/api/exchange/edxml/inbox",
            "api_key": key,
            "organ_id": "000.00.00.H99",
        },
    }
    env_a = {
        **leg_env,
        "LIENTHONG_EDXML_PEERS": json.dumps(peers),
        "LIENTHONG_EDXML_ORGAN_ID": "000.00.00.H41",
        "LIENTHONG_EDXML_ORGAN_NAME": "UBND tỉnh Nghệ An",
    }
    migrated = run(["migrate", "--noinput", "-v", "0"], env_a)
    assert migrated.returncode == 0, migrated.stderr
    document = tmp_path / "cong-van-123.pdf"
    document.write_bytes(PDF)

    # when A sends a PDF wrapped as an edXML envelope to B
    sent = run(
        [
            "edxml", "send", str(document), "--to", "binh-duong",
            "--subject", "V/v phối hợp giải quyết hồ sơ liên thông",
            "--number", "123/UBND-VP", "--date", "2026-11-26", "--signer", "Nguyễn Văn Bình",
        ],
        env_a,
    )  # fmt: skip

    # then B answered "01 arrived" and stored the package, from A's client system
    assert sent.returncode == 0, sent.stderr + sent.stdout
    assert "trạng thái 01 Đã đến" in sent.stdout
    package = EdxmlPackage.objects.get()
    assert (package.direction, package.status, package.client_id) == ("in", "received", system_a.pk)
    assert (package.from_organ_id, package.from_organ_name) == (
        "000.00.00.H41",
        "UBND tỉnh Nghệ An",
    )
    assert package.to_organs == [{"organ_id": "000.00.00.H56", "name": "UBND tỉnh Bình Dương"}]
    assert package.document_id == "000.00.00.H41,2026/11/26,123/UBND-VP"
    assert package.subject == "V/v phối hợp giải quyết hồ sơ liên thông"
    assert [(a["name"], a["size"]) for a in package.attachments] == [("cong-van-123.pdf", len(PDF))]
    assert MessageLogEntry.objects.filter(chain="edxml", outcome="ok").count() == 1

    # when A sends an envelope addressed to an agency B does not host
    refused = run(
        [
            "edxml", "send", str(document), "--to", "wrong-organ",
            "--subject", "Gửi nhầm nơi", "--number", "124/UBND-VP",
        ],
        env_a,
    )  # fmt: skip

    # then B refused it with its reason, stored nothing more, and A marked it so
    assert refused.returncode == 1
    assert "Không có cơ quan nhận nào thuộc hệ thống này." in refused.stderr
    assert EdxmlPackage.objects.count() == 1

    # and A's own database holds both outbound packages with their outcome
    listed = run(["edxml", "list"], env_a)
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.strip().splitlines()]
    assert [(r[2], r[3], r[4], r[5]) for r in rows] == [
        ("out", "sent", "01", "binh-duong"),
        ("out", "error", "02", "wrong-organ"),
    ]
