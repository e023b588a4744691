"""Writes to a parcel through the API as a browser sends them (CSRF checks on): every refusal
is JSON, a write without a session is a 401 like a read, a session write needs its CSRF token,
and nothing refused changes the parcel."""

from __future__ import annotations

import json

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.registries.land.models import Parcel
from lienthong.registries.land.testing import make_parcel

pytestmark = pytest.mark.django_db

API = "/api/registries/land/parcels/"
NOT_FOUND = {"detail": "Không tìm thấy."}


def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_anonymous_writes_to_a_record_answer_401_and_change_nothing(owner: OrgUnit) -> None:
    parcel = make_parcel(owner, parcel_number=7)
    client = browser()
    read = client.get(f"{API}{parcel.pk}")

    patched = client.patch(
        f"{API}{parcel.pk}", json.dumps({"parcel_number": 8}), "application/json"
    )
    deleted = client.delete(f"{API}{parcel.pk}")
    restored = client.post(f"{API}{parcel.pk}/restore")
    # Addresses no operation serves (the id's converter refuses them): JSON 404, not
    # Django's HTML CSRF page or HTML 404.
    negative = client.delete(f"{API}-1")
    newline = client.patch(f"{API}1%0A", "{}", "application/json")

    # the same answer as a read without a session: no session, nothing to forge
    assert read.status_code == 401
    for response in (patched, deleted, restored):
        assert (response.status_code, response.json()) == (401, read.json())
    for response in (negative, newline):
        assert response["Content-Type"] == "application/json"
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    parcel.refresh_from_db()
    assert (parcel.parcel_number, parcel.is_deleted) == (7, False)


def test_a_session_write_needs_its_csrf_token(owner: OrgUnit, editor: User) -> None:
    parcel = make_parcel(owner, parcel_number=7)
    client = browser()
    login(client, editor)
    body = json.dumps({"parcel_number": 8})

    refused = client.patch(f"{API}{parcel.pk}", body, "application/json")
    parcel.refresh_from_db()
    unchanged = parcel.parcel_number
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    accepted = client.patch(f"{API}{parcel.pk}", body, "application/json", HTTP_X_CSRFTOKEN=token)

    assert refused["Content-Type"].startswith("application/json")
    assert (refused.status_code, refused.json()) == (403, {"detail": "CSRF check Failed"})
    assert unchanged == 7
    assert accepted.status_code == 200, accepted.content
    assert Parcel.objects.get(pk=parcel.pk).parcel_number == 8
