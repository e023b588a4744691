"""Fixtures of the search tests.

Indexed objects are `auth.Group` rows: any saved model instance can be indexed, and a group
is the cheapest one to make.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group

from lienthong.core.models import OrgUnit
from lienthong.search import services
from lienthong.search.tests.helpers import read_law

_seq = itertools.count(1)


@pytest.fixture
def make_doc(db: Any) -> Callable[..., Group]:
    """Index a new object under `title` and `body` (and scope, url); return the object."""

    def make(title: str, body: str = "", *, scope: OrgUnit | str = "", url: str = "") -> Group:
        group = Group.objects.create(name=f"doc-{next(_seq)}")
        services.index(group, title=title, body=body, scope=scope, url=url)
        return group

    return make


@pytest.fixture
def index_law(db: Any) -> Callable[[str], Group]:
    """Index a law of the corpus by its slug (e.g. 02-2011-qh13); return its object."""

    def index(slug: str) -> Group:
        law = read_law(slug)
        group = Group.objects.create(name=law.slug)
        services.index(group, title=law.title, body=law.body, url=f"/van-ban/{law.slug}/")
        return group

    return index
