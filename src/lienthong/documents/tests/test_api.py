"""The documents API: register (201, 409 duplicate, 422, 403), reads (404 when not visible),
assignment and completion, the register files and the search."""

from __future__ import annotations

import datetime
import json
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lienthong.core.testing_permissions import login
from lienthong.documents.models import IncomingDocument, NumberSeries
from lienthong.documents.tests.conftest import World

pytestmark = pytest.mark.django_db

BASE = "/api/documents"


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _payload(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "agency": world.agency.pk,
        "issuer": "Bộ Tư pháp",
        "subject": "Hướng dẫn công tác thi hành án dân sự",
        "document_type": "HD",
        "code_number": "07",
        "code_notation": "HD-BTP",
        "issued_date": str(timezone.localdate()),
        **extra,
    }


def test_register_then_a_duplicate_answers_409_with_the_existing_one(
    client: Client, world: World
) -> None:
    login(client, world.clerk)
    created = _post(client, f"{BASE}/incoming", _payload(world))
    assert created.status_code == 201, created.content
    first = created.json()
    assert (first["arrival_number"], first["number_notation"]) == (1, "07/HD-BTP")
    again = _post(client, f"{BASE}/incoming", _payload(world))
    assert again.status_code == 409
    assert again.json()["existing"]["id"] == first["id"]
    assert IncomingDocument.objects.count() == 1
    confirmed = _post(client, f"{BASE}/incoming", _payload(world, confirm_duplicate=True))
    assert confirmed.status_code == 201 and confirmed.json()["duplicate_of"] == first["id"]


def test_bad_input_is_422_per_field_and_writes_nothing(client: Client, world: World) -> None:
    login(client, world.clerk)
    answer = _post(
        client, f"{BASE}/incoming", _payload(world, issuer="", document_type="XYZ", urgency=9)
    )
    assert answer.status_code == 422
    assert [e["loc"][-1] for e in answer.json()["errors"]] == ["document_type"]
    answer = _post(client, f"{BASE}/incoming", _payload(world, issuer="", urgency=9))
    assert answer.status_code == 422
    assert {e["loc"][-1] for e in answer.json()["errors"]} == {"issuer", "urgency"}
    answer = _post(client, f"{BASE}/incoming", {"agency": "x"})
    assert answer.status_code == 422
    assert not IncomingDocument.objects.exists() and not NumberSeries.objects.exists()


def test_who_may_register_and_see(client: Client, world: World) -> None:
    login(client, world.specialist_a)
    assert _post(client, f"{BASE}/incoming", _payload(world)).status_code == 403
    login(client, world.clerk)
    document = _post(client, f"{BASE}/incoming", _payload(world)).json()
    for user, status in ((world.outsider, 404), (world.specialist_b, 404), (world.leader, 200)):
        login(client, user)
        assert client.get(f"{BASE}/incoming/{document['id']}").status_code == status
    client.logout()
    assert client.get(f"{BASE}/incoming/{document['id']}").status_code == 401


def test_assign_opinion_complete_and_wrong_state(client: Client, world: World) -> None:
    login(client, world.clerk)
    document = _post(client, f"{BASE}/incoming", _payload(world)).json()
    url = f"{BASE}/incoming/{document['id']}"
    deadline = str(timezone.localdate() + datetime.timedelta(days=5))
    assert _post(client, f"{url}/assign", {"lead_unit": world.division_a.pk}).status_code == 403
    login(client, world.leader)
    answer = _post(
        client,
        f"{url}/assign",
        {"lead_unit": world.division_a.pk, "informed": [world.division_b.pk], "deadline": deadline},
    )
    assert answer.status_code == 200, answer.content
    assert {a["part"] for a in answer.json()["assignments"]} == {"lead", "inform"}
    again = _post(client, f"{url}/assign", {"lead_unit": world.division_b.pk})
    assert again.status_code == 409
    login(client, world.specialist_b)
    assert _post(client, f"{url}/opinions", {"text": "Đã biết."}).status_code == 201
    assert _post(client, f"{url}/complete", {"result": "x"}).status_code == 403
    login(client, world.specialist_a)
    assert _post(client, f"{url}/complete", {"result": ""}).status_code == 422
    done = _post(client, f"{url}/complete", {"result": "Đã xử lý."})
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_register_files_and_search(client: Client, world: World) -> None:
    from openpyxl import load_workbook

    login(client, world.clerk)
    _post(client, f"{BASE}/incoming", _payload(world))
    _post(
        client, f"{BASE}/incoming", _payload(world, code_number="08", subject="Kế hoạch kiểm tra")
    )
    year = timezone.localdate().year
    xlsx = client.get(f"{BASE}/incoming/register.xlsx", {"agency": world.agency.pk, "year": year})
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:4] == ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu")
    assert len(rows[2]) == 10
    assert [r[1] for r in rows[3:]] == [1, 2]
    assert [r[3] for r in rows[3:]] == ["07/HD-BTP", "08/HD-BTP"]
    pdf = client.get(f"{BASE}/incoming/register.pdf", {"agency": world.agency.pk, "year": year})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    login(client, world.specialist_a)  # not the agency's office: no register
    assert (
        client.get(
            f"{BASE}/incoming/register.xlsx", {"agency": world.agency.pk, "year": year}
        ).status_code
        == 404
    )
    login(client, world.clerk)
    found = client.get(f"{BASE}/search", {"q": "ke hoach kiem tra"}).json()
    assert [i["number_notation"] for i in found["items"]] == ["08/HD-BTP"]
    assert found["count"] == 1
    bad = client.get(f"{BASE}/search", {"direction": "up", "urgency": "1"})
    assert bad.status_code == 422
    assert [e["loc"][-1] for e in bad.json()["errors"]] == ["direction"]
