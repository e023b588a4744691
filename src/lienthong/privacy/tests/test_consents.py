"""Consent at online submission (required: no dossier without it), withdrawal recorded and
never deleted, and its effect on the one-stop notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lienthong.core.models import AuditEntry
from lienthong.core.testing_permissions import login
from lienthong.onestop import notify
from lienthong.onestop.models import Dossier, Notification
from lienthong.onestop.testing import (
    TINY_PDF,
    make_agency,
    make_citizen,
    make_dossier,
    make_procedure,
)
from lienthong.privacy import services
from lienthong.privacy.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    agency = make_agency()
    procedure = make_procedure(agencies=[agency])
    return {"agency": agency, "procedure": procedure, "citizen": make_citizen()}


def _post(world: dict[str, Any], **extra: str) -> dict[str, Any]:
    components = list(world["procedure"].components.order_by("order"))
    data: dict[str, Any] = {"agency": world["agency"].pk, "applicant_address": "12 Lê Lợi"}
    for component in components[:2]:
        data[f"c{component.pk}_file"] = SimpleUploadedFile("to-khai.pdf", TINY_PDF)
    data.update(extra)
    return data


def test_online_submission_without_consent_makes_no_dossier(client: Client, world: dict) -> None:
    login(client, world["citizen"])
    url = f"/motcua/nop-ho-so/{world['procedure'].code}/"
    assert 'name="consent"' in client.get(url).content.decode()
    response = client.post(url, _post(world))
    assert response.status_code == 422
    assert (
        "Bạn cần đồng ý cho xử lý dữ liệu cá nhân thì mới nộp được hồ sơ trực tuyến."
        in response.content.decode()
    )
    assert Dossier.objects.count() == 0
    assert Consent.objects.count() == 0


def test_online_submission_records_the_consents_given(client: Client, world: dict) -> None:
    citizen = world["citizen"]
    login(client, citizen)
    url = f"/motcua/nop-ho-so/{world['procedure'].code}/"
    response = client.post(url, _post(world, consent="on", consent_notify="on"))
    assert response.status_code == 302, response.content.decode()
    dossier = Dossier.objects.get()
    rows = Consent.objects.filter(subject=citizen).order_by("purpose__order")
    assert [(c.purpose.code, c.context, c.channel, c.withdrawn_at) for c in rows] == [
        ("dossier_handling", dossier.code, "online", None),
        ("notify_email", dossier.code, "online", None),
        ("notify_sms", dossier.code, "online", None),
    ]
    assert {c.notice_version for c in rows} == {"2026.1"}
    assert AuditEntry.objects.filter(action="privacy.consent.give").count() == 3


def test_withdrawal_is_recorded_not_deleted_and_only_by_the_subject(
    client: Client, world: dict
) -> None:
    citizen, other = world["citizen"], make_citizen()
    (consent,) = services.give_consents(subject=citizen, purposes=["notify_email"], by=citizen)
    # another citizen cannot withdraw it: 404, nothing changes
    login(client, other)
    assert client.post(f"/du-lieu-ca-nhan/dong-y/{consent.pk}/rut-lai/").status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    # the subject withdraws it on their page
    login(client, citizen)
    page = client.get("/du-lieu-ca-nhan/").content.decode()
    assert "Nhận thông báo qua thư điện tử" in page
    response = client.post(f"/du-lieu-ca-nhan/dong-y/{consent.pk}/rut-lai/", follow=True)
    assert "Đã rút lại sự đồng ý" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_channel == "online"
    assert Consent.objects.filter(pk=consent.pk).exists()
    assert AuditEntry.objects.filter(action="privacy.consent.withdraw").count() == 1
    # a second withdrawal changes nothing
    when = consent.withdrawn_at
    response = client.post(f"/du-lieu-ca-nhan/dong-y/{consent.pk}/rut-lai/", follow=True)
    assert "Sự đồng ý này đã được rút lại." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at == when


def test_withdrawn_email_consent_stops_the_dossier_emails(world: dict) -> None:
    citizen = world["citizen"]
    dossier = make_dossier(procedure=world["procedure"], applicant=citizen, channel="online")
    both = [Notification.Channel.EMAIL, Notification.Channel.SMS]
    assert [channel for channel, _ in notify.recipients(dossier)] == both
    (consent,) = services.give_consents(subject=citizen, purposes=["notify_email"], by=citizen)
    assert [channel for channel, _ in notify.recipients(dossier)] == both
    services.withdraw_consent(consent=consent, by=citizen)
    assert [channel for channel, _ in notify.recipients(dossier)] == [Notification.Channel.SMS]


def test_consent_api_lists_and_withdraws(client: Client, world: dict) -> None:
    citizen = world["citizen"]
    (consent,) = services.give_consents(subject=citizen, purposes=["public_feedback"], by=citizen)
    login(client, citizen)
    listed = client.get("/api/privacy/consents").json()
    assert [(c["id"], c["purpose"], c["withdrawn_at"]) for c in listed] == [
        (consent.pk, "public_feedback", None)
    ]
    response = client.post(f"/api/privacy/consents/{consent.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["withdrawn_at"] is not None
    assert client.post(f"/api/privacy/consents/{consent.pk}/withdraw").status_code == 409
    client.logout()
    assert client.get("/api/privacy/consents").status_code == 401
