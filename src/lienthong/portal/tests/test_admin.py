"""The editors' desk in the admin goes through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.portal.models import Article, ArticleStatus

pytestmark = pytest.mark.django_db


def test_an_article_written_in_the_admin_is_audited_and_published_by_action(category: Any) -> None:
    chief = make_user("tongbientap", kind="official", is_superuser=True, is_staff=True)
    client = Client()
    login(client, chief)

    added = client.post(
        "/admin/portal/article/add/",
        {
            "category": category.pk,
            "title": "Tin viết trong trang quản trị",
            "summary": "",
            "body": "<p>Nội dung<script>x()</script></p>",
            "author_name": "",
        },
    )
    article = Article.objects.get()
    client.post("/admin/portal/article/", {"action": "submit", "_selected_action": [article.pk]})
    client.post("/admin/portal/article/", {"action": "publish", "_selected_action": [article.pk]})
    wrong = client.post(
        "/admin/portal/article/",
        {"action": "submit", "_selected_action": [article.pk]},
        follow=True,
    )

    assert added.status_code == 302
    article.refresh_from_db()
    assert (article.slug, article.body, article.status) == (
        "tin-viet-trong-trang-quan-tri",
        "<p>Nội dung</p>",
        ArticleStatus.PUBLISHED,
    )
    assert AuditEntry.objects.filter(object_type="portal.article").count() == 3
    assert "không thực hiện được thao tác này" in wrong.content.decode()
