"""Fixtures of the portal's tests: editors, articles, and the two counter stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import redis
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.utils import timezone

from lienthong.core.testing import make_user
from lienthong.portal import services
from lienthong.portal.models import Article, Category

REDIS_URL = "redis://127.0.0.1:6379/0"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"


@pytest.fixture(autouse=True)
def _empty_page_cache() -> Iterator[None]:
    """The database store keeps pages in the process's cache; no test sees another's."""
    caches["default"].clear()
    yield
    caches["default"].clear()


def use_redis(settings: Any) -> str:
    """Point the portal at the local Redis under a prefix of its own; returns the prefix."""
    prefix = f"lt-test-portal:{uuid.uuid4().hex}:"
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "REDIS_URL": REDIS_URL,
        "PORTAL_REDIS_PREFIX": prefix,
    }
    return prefix


def drop_keys(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(params=["database", "redis"])
def store_kind(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """Each counter test runs on both stores."""
    if request.param == "database":
        settings.LIENTHONG = {**settings.LIENTHONG, "REDIS_URL": ""}
        yield "database"
        return
    prefix = use_redis(settings)
    yield "redis"
    drop_keys(prefix)


@pytest.fixture
def redis_prefix(settings: Any) -> Iterator[str]:
    prefix = use_redis(settings)
    yield prefix
    drop_keys(prefix)


def make_editor(username: str = "bientap", *, publish: bool = True) -> Any:
    """An official holding the writer's permissions, and the reviewer's when `publish`."""
    user = make_user(username, kind="official")
    codenames = ["add_article", "change_article", *(["publish_article"] if publish else [])]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="portal", codename__in=codenames)
    )
    return type(user).objects.get(pk=user.pk)  # permissions are cached per instance


@pytest.fixture
def editor() -> Any:
    return make_editor()


@pytest.fixture
def category(editor: Any) -> Category:
    return services.create_category(name="Tin tức nổi bật", by=editor)


def published(
    editor: Any, category: Category, title: str, *, at: datetime | None = None, **extra: Any
) -> Article:
    """An article through the whole workflow, published now (or at `at`)."""
    article = services.create_article(category=category, title=title, by=editor, **extra)
    services.submit_for_review(article, by=editor)
    return services.publish_article(article, by=editor, at=at or timezone.now())
