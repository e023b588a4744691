"""PATCH /api/portal/articles/{id}: the GET's path (a slug there) edits an article by its id,
for writers (drafts) and reviewers (any); others change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.portal import services
from lienthong.portal.models import Article
from lienthong.portal.tests.conftest import make_editor, published

pytestmark = pytest.mark.django_db


def patch(client: Client, article: Article, data: dict[str, Any]) -> Any:
    return client.patch(
        f"/api/portal/articles/{article.pk}", json.dumps(data), content_type="application/json"
    )


def test_writers_edit_drafts_and_reviewers_edit_live_articles(editor: Any, category: Any) -> None:
    draft = services.create_article(category=category, title="Bản nháp", by=editor)
    live = published(editor, category, "Tin đã đăng")
    writer = Client()
    login(writer, make_editor("phongvien", publish=False))
    reviewer = Client()
    login(reviewer, editor)

    edited_draft = patch(writer, draft, {"title": "Bản nháp đã sửa", "body": "<p>Mới</p>"})
    edited_live = patch(reviewer, live, {"summary": "Tóm tắt mới"})
    read = Client().get(f"/api/portal/articles/{live.slug}")

    assert edited_draft.status_code == 200, edited_draft.content
    assert (edited_draft.json()["title"], edited_draft.json()["body"]) == (
        "Bản nháp đã sửa",
        "<p>Mới</p>",
    )
    assert Article.objects.get(pk=draft.pk).title == "Bản nháp đã sửa"
    assert edited_live.status_code == 200, edited_live.content
    assert Article.objects.get(pk=live.pk).summary == "Tóm tắt mới"
    assert (read.status_code, read.json()["summary"]) == (200, "Tóm tắt mới")


def test_refused_edits_change_nothing(editor: Any, category: Any) -> None:
    live = published(editor, category, "Tin đã đăng")
    writer = Client()
    login(writer, make_editor("phongvien", publish=False))
    citizen = Client()
    login(citizen, make_user("congdan"))
    reviewer = Client()
    login(reviewer, editor)

    anonymous = patch(Client(), live, {"title": "A"})
    not_a_reviewer = patch(writer, live, {"title": "B"})
    stranger = patch(citizen, live, {"title": "C"})
    bad_category = patch(reviewer, live, {"title": "D", "category": "khong-co"})
    not_an_id = reviewer.patch(
        f"/api/portal/articles/{live.slug}", "{}", content_type="application/json"
    )

    assert anonymous.status_code == 401
    assert not_a_reviewer.status_code == 403
    assert stranger.status_code == 404
    assert bad_category.status_code == 422
    assert bad_category.json()["errors"][0]["loc"] == ["body", "category"]
    assert not_an_id.status_code == 422  # a slug is no id
    assert Article.objects.get(pk=live.pk).title == "Tin đã đăng"
