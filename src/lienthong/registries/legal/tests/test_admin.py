"""The admin lists every document and soft-deletes or restores through the services."""

from __future__ import annotations

import pytest
from django.test import Client

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry
from lienthong.core.testing import make_user
from lienthong.core.testing_permissions import login
from lienthong.registries.legal import fulltext
from lienthong.registries.legal.models import LegalDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user() -> User:
    return make_user("quantri", is_superuser=True, is_staff=True, kind=User.Kind.OFFICIAL)


def test_the_admin_lists_and_soft_deletes_and_restores(
    client: Client, complaints: dict[str, LegalDocument], admin_user: User
) -> None:
    login(client, admin_user)
    listing = client.get("/admin/legal/legaldocument/")
    assert listing.status_code == 200 and "02/2011/QH13" in listing.content.decode()
    law = complaints["02-2011-qh13"]
    assert client.get(f"/admin/legal/legaldocument/{law.pk}/change/").status_code == 200
    client.post(
        "/admin/legal/legaldocument/",
        {"action": "soft_delete", "_selected_action": [law.pk]},
    )
    law.refresh_from_db()
    assert law.is_deleted and not fulltext.is_indexed(law.pk)
    assert AuditEntry.objects.of_object(law).filter(action="legal.document.delete").exists()
    deleted = client.get("/admin/legal/legaldocument/?deleted=yes").content.decode()
    assert "02/2011/QH13" in deleted and "42/2013/QH13" not in deleted
    client.post("/admin/legal/legaldocument/", {"action": "restore", "_selected_action": [law.pk]})
    law.refresh_from_db()
    assert not law.is_deleted and fulltext.is_indexed(law.pk)
    # no hard delete, no add: documents are written on the registry's pages
    assert client.get(f"/admin/legal/legaldocument/{law.pk}/delete/").status_code == 403
    assert client.get("/admin/legal/legaldocument/add/").status_code == 403
