"""The audit log in the admin: visible, searchable, never editable — not even by a superuser."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.test import RequestFactory

from lienthong.core.audit import record, verify_chain
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> Any:
    return make_user("quantri", is_superuser=True, is_staff=True, kind="official")


@pytest.fixture
def entry() -> AuditEntry:
    with transaction.atomic():
        return record(
            "orgunit.rename",
            object_type="core.orgunit",
            object_id="7",
            object_repr="Phòng Tổ chức",
            before={"name": "Phòng TC"},
            after={"name": "Phòng Tổ chức"},
        )


def request_as(user: Any, method: str = "get", path: str = "/admin/", **data: Any) -> Any:
    request = getattr(RequestFactory(), method)(path, data)
    request.user = user
    request._dont_enforce_csrf_checks = True
    return request


def test_nobody_may_add_change_or_delete_entries(superuser: Any, entry: AuditEntry) -> None:
    model_admin = admin.site._registry[AuditEntry]
    request = request_as(superuser)
    assert model_admin.has_view_permission(request, entry) is True
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, entry) is False
    assert model_admin.has_delete_permission(request, entry) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_list_shows_and_searches_entries(superuser: Any, entry: AuditEntry) -> None:
    with transaction.atomic():
        record("holiday.create", object_type="core.holiday", object_id="1", object_repr="Tết")
    model_admin = admin.site._registry[AuditEntry]

    def listed(**query: str) -> list[str]:
        response = cast(
            TemplateResponse, model_admin.changelist_view(request_as(superuser, **query))
        )
        assert response.status_code == 200
        response.render()
        assert response.context_data is not None
        return [e.action for e in response.context_data["cl"].result_list]

    assert listed() == ["holiday.create", "orgunit.rename"]  # newest first
    assert listed(q="Phòng Tổ chức") == ["orgunit.rename"]
    assert listed(q=entry.request_id) == ["orgunit.rename"]
    assert listed(action="holiday.create") == ["holiday.create"]
    assert listed(object_type="core.orgunit") == ["orgunit.rename"]


def test_an_entry_page_is_read_only_and_a_forged_post_changes_nothing(
    superuser: Any, entry: AuditEntry
) -> None:
    model_admin = admin.site._registry[AuditEntry]
    response = cast(TemplateResponse, model_admin.change_view(request_as(superuser), str(entry.pk)))
    response.render()
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phòng TC" in page and entry.hash in page
    assert 'name="_save"' not in page
    with pytest.raises(PermissionDenied):
        model_admin.change_view(
            request_as(superuser, "post", action="orgunit.forged", _save="1"), str(entry.pk)
        )
    with pytest.raises(PermissionDenied):
        model_admin.add_view(request_as(superuser))
    with pytest.raises(PermissionDenied):
        model_admin.delete_view(request_as(superuser, "post", post="yes"), str(entry.pk))
    assert AuditEntry.objects.get(pk=entry.pk).action == "orgunit.rename"
    assert verify_chain().ok is True
