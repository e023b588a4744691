"""The officials' page /lien-thong/ket-noi/: who may see it, and what it shows."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.testing import make_org_unit, make_user
from lienthong.core.testing_permissions import login
from lienthong.exchange.adapters.models import (
    EdxmlPackage,
    PortalUpdate,
    SharedCodeList,
)
from lienthong.exchange.clients.testing import make_client

pytestmark = pytest.mark.django_db

URL = "/lien-thong/ket-noi/"


def _logged_in(user: Any) -> Client:
    client = Client()
    login(client, user)
    return client


def _data() -> None:
    now = timezone.now()
    PortalUpdate.objects.create(
        event_id=uuid.uuid4(),
        dossier_code="000.00.01.H99-260302-0001",
        status=4,
        changed_at=now,
        state=PortalUpdate.State.FAILED,
        attempts=10,
        last_error="portal unreachable: Connection refused",
    )
    PortalUpdate.objects.create(
        event_id=uuid.uuid4(),
        dossier_code="000.00.01.H99-260302-0002",
        status=2,
        changed_at=now,
        state=PortalUpdate.State.SENT,
        sent_at=now,
    )
    system, _key = make_client(code="tinh-nghe-an")
    for n in range(3):
        package = EdxmlPackage(
            direction=EdxmlPackage.Direction.INBOUND,
            status=EdxmlPackage.Status.RECEIVED,
            status_code="01",
            client=system,
            from_organ_id="000.00.00.H41",
            from_organ_name="UBND tỉnh Nghệ An",
            to_organs=[{"organ_id": "000.00.00.H56", "name": "UBND tỉnh Bình Dương"}],
            document_id=f"000.00.00.H41,2026/11/26,{n}/UBND-VP",
            code_number=str(120 + n),
            code_notation="UBND-VP",
            subject=f"V/v phối hợp số {n}",
            envelope_digest=f"{n:064d}",
        )
        package.envelope.save(f"{n}.edxml", ContentFile(b"<edXML/>"), save=False)
        package.save()
    SharedCodeList.objects.create(name="co-quan", fetched_at=now, count=23, digest="0" * 64)


def test_anonymous_visitors_go_to_the_login_page() -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_officials_without_the_role_and_citizens_are_refused() -> None:
    agency = make_org_unit()
    specialist = make_user(roles=[(Role.SPECIALIST, agency)])
    citizen = make_user(roles=[(Role.CITIZEN, None)])
    assert _logged_in(specialist).get(URL).status_code == 403
    assert _logged_in(citizen).get(URL).status_code == 403


def test_a_clerk_sees_portal_sync_packages_and_lists_in_few_queries(
    django_assert_max_num_queries: Any,
) -> None:
    _data()
    clerk = make_user(roles=[(Role.CLERK, make_org_unit())])
    client = _logged_in(clerk)

    with django_assert_max_num_queries(14):
        response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="failed">1<' in page and 'data-state="sent">1<' in page
    assert "portal unreachable: Connection refused" in page
    assert page.count("UBND tỉnh Nghệ An") == 3
    assert "122/UBND-VP" in page and "tinh-nghe-an" in page
    assert "co-quan" in page and ">23<" in page
    assert 'id="portal-off"' in page  # not configured in the test settings


def test_the_exchange_home_page_links_here_for_those_who_may_see_it() -> None:
    agency = make_org_unit()
    clerk = make_user(roles=[(Role.CLERK, agency)])
    specialist = make_user(roles=[(Role.SPECIALIST, agency)])

    assert f'href="{URL}"' in _logged_in(clerk).get("/lien-thong/").content.decode()
    assert f'href="{URL}"' not in _logged_in(specialist).get("/lien-thong/").content.decode()
