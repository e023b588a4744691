"""The portal API: public reads, editors' writes with 401/403/404/409/422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.portal.models import Article, ArticleStatus
from lienthong.portal.tests.conftest import make_editor, published

pytestmark = pytest.mark.django_db


def test_reading_is_public(editor: Any, category: Any) -> None:
    live = published(editor, category, "Tin công khai", summary="Tóm tắt")
    published(editor, category, "Tin ngày mai", at=timezone.now() + timedelta(days=1))
    client = Client()

    listed = client.get("/api/portal/articles").json()
    detail = client.get(f"/api/portal/articles/{live.slug}").json()
    counters = client.get("/api/portal/counters").json()

    assert [a["slug"] for a in listed] == ["tin-cong-khai"]
    assert (detail["title"], detail["view_count"], detail["category"]) == (
        "Tin công khai",
        0,
        "tin-tuc-noi-bat",
    )
    assert counters == {"online": 0, "total": 0}
    assert client.get("/api/portal/articles/tin-ngay-mai").status_code == 404


def test_an_editor_writes_submits_and_schedules(editor: Any, category: Any) -> None:
    client = Client()
    login(client, editor)

    created = client.post(
        "/api/portal/articles",
        {
            "category": "tin-tuc-noi-bat",
            "title": "Tin từ API",
            "body": "<p>Đoạn <script>x</script></p>",
        },
        content_type="application/json",
    )
    pk = created.json()["id"]
    submitted = client.post(f"/api/portal/articles/{pk}/submit", content_type="application/json")
    at = timezone.now() + timedelta(hours=3)
    scheduled = client.post(
        f"/api/portal/articles/{pk}/publish",
        {"at": at.isoformat()},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert created.json()["body"] == "<p>Đoạn </p>"
    assert submitted.json()["status"] == "review"
    assert scheduled.status_code == 200
    assert Article.objects.get(pk=pk).published_at == at
    assert Client().get("/api/portal/articles").json() == []


def test_bad_input_wrong_state_and_strangers_change_nothing(editor: Any, category: Any) -> None:
    draft = published(editor, category, "Đã đăng")
    client = Client()
    anonymous = client.post(
        "/api/portal/articles",
        {"category": "tin-tuc-noi-bat", "title": "X"},
        content_type="application/json",
    )
    login(client, editor)
    no_title = client.post(
        "/api/portal/articles",
        {"category": "tin-tuc-noi-bat", "title": " "},
        content_type="application/json",
    )
    no_category = client.post(
        "/api/portal/articles",
        {"category": "khong-co", "title": "Y"},
        content_type="application/json",
    )
    twice = client.post(f"/api/portal/articles/{draft.pk}/publish", content_type="application/json")
    writer = Client()
    login(writer, make_editor("phongvien", publish=False))
    forbidden = writer.post(
        f"/api/portal/articles/{draft.pk}/return", content_type="application/json"
    )
    citizen = Client()
    login(citizen, make_user("congdan"))
    hidden = citizen.post(
        f"/api/portal/articles/{draft.pk}/return", content_type="application/json"
    )

    assert anonymous.status_code == 401
    assert no_title.status_code == 422
    assert no_title.json()["errors"] == [
        {"loc": ["body", "title"], "msg": "Trường này không được để trống.", "type": "invalid"}
    ]
    assert no_category.status_code == 422
    assert twice.status_code == 409
    assert forbidden.status_code == 403
    assert hidden.status_code == 404
    assert Article.objects.count() == 1
    assert Article.objects.get().status == ArticleStatus.PUBLISHED
