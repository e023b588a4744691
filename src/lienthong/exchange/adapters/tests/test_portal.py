"""Synchronising dossiers with the national portal, against a fake portal that is a real HTTP
server validating the DongBoHoSoMC body (tests/fakes/portal.py)."""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from tests.fakes.portal import FakePortal

from lienthong.exchange.adapters import portal
from lienthong.exchange.adapters.models import PortalUpdate
from lienthong.exchange.messagelog.models import MessageLogEntry
from lienthong.exchange.messagelog.services import verify
from lienthong.exchange.models import OutboxEvent
from lienthong.exchange.outbox import relay_pending
from lienthong.exchange.registry import CloudEvent
from lienthong.onestop import processing, results
from lienthong.onestop.models import Channel, Dossier
from lienthong.onestop.testing import TINY_PDF
from lienthong.onestop.testing_processing import Team, make_team, moment

pytestmark = pytest.mark.django_db

TOKEN = "portal-token-123"


@pytest.fixture
def fake() -> Iterator[FakePortal]:
    with FakePortal(token=TOKEN) as server:
        assert isinstance(server, FakePortal)
        yield server


@pytest.fixture
def portal_on(settings: Any, fake: FakePortal) -> FakePortal:
    settings.LIENTHONG = {
        **settings.LIENTHONG,
        "PORTAL_URL": fake.endpoint,
        "PORTAL_TOKEN": TOKEN,
        "PORTAL_TIMEOUT": 5,
        "PORTAL_MAX_ATTEMPTS": 3,
    }
    return fake


def relay_all(now: datetime.datetime | None = None) -> None:
    """Relay until nothing due is left (the worker's loop, in the test's thread)."""
    while relay_pending(now=now).claimed:
        pass


def process_to_the_end(team: Team, dossier: Dossier) -> None:
    processing.forward_dossier(dossier, by=team.specialist, at=moment("2026-03-03 09:00"))
    processing.forward_dossier(dossier, by=team.leader, at=moment("2026-03-04 09:00"))
    dossier.refresh_from_db()
    results.upload_result(
        dossier, title="Kết quả", file=ContentFile(TINY_PDF, name="kq.pdf"), by=team.leader
    )
    results.return_result(
        dossier, by=team.officer, channel=Channel.COUNTER, at=moment("2026-03-05 14:00")
    )


def portal_log() -> list[MessageLogEntry]:
    return list(MessageLogEntry.objects.filter(chain="portal").order_by("seq"))


def test_a_dossier_received_at_the_counter_and_processed_reaches_the_portal_once_per_status(
    portal_on: FakePortal,
) -> None:
    # given a dossier received at the counter on Monday 2/3/2026 and processed to the end
    team = make_team()
    dossier = team.dossier(at=moment("2026-03-02 09:00"))
    relay_all()
    process_to_the_end(team, dossier)

    # when the worker relays the events (twice: a second pass must send nothing again)
    relay_all()
    relay_all()

    # then the portal got statuses 2, 4, 9, 10, each once, in that order
    records = portal_on.records_of(dossier.code)
    assert [r["TrangThaiHoSo"] for r in records] == ["2", "4", "9", "10"]
    first, last = records[0], records[-1]
    assert first["MaTTHC"] == team.procedure.code
    assert first["MaDonVi"] == team.agency.code
    assert first["KenhThucHien"] == "1"
    assert first["NgayTiepNhan"] == "20260302090000"
    assert first["NgayHenTra"].startswith("20260309")
    assert first["MaDoiTuong"] == dossier.applicant_personal_id
    assert first["LoaiDoiTuong"] == "1"
    # dates reached later are not told with an earlier status
    assert first["NgayTra"] == "" and last["NgayTra"] == "20260305140000"
    assert last["NgayKetThucXuLy"] == "20260304090000"
    assert portal_on.refused == []
    updates = PortalUpdate.objects.filter(dossier_code=dossier.code).order_by("id")
    assert [(u.status, u.state, u.attempts) for u in updates] == [
        (2, "sent", 1),
        (4, "sent", 1),
        (9, "sent", 1),
        (10, "sent", 1),
    ]
    # every call is in the message log chain "portal", which verifies
    log = portal_log()
    assert [(e.subject, e.status, e.outcome, e.operation) for e in log] == [
        (dossier.code, 200, "ok", "create"),
        (dossier.code, 200, "ok", "status"),
        (dossier.code, 200, "ok", "status"),
        (dossier.code, 200, "ok", "status"),
    ]
    assert [e.correlation_id for e in log] == [str(u.event_id) for u in updates]
    assert all(check.ok for check in verify(only=["portal"], bodies_too=True))


def test_the_portal_down_is_retried_and_the_update_delivered_when_it_is_back(
    portal_on: FakePortal,
) -> None:
    # given the portal is down when a dossier is received
    port = portal_on.port
    portal_on.stop()
    team = make_team()
    dossier = team.dossier(at=moment("2026-03-02 09:00"))

    # when the worker relays
    relay_all()

    # then nothing is sent, the failure is visible, logged, and a retry is scheduled
    pending = list(PortalUpdate.objects.filter(dossier_code=dossier.code).order_by("id"))
    assert [(u.status, u.state) for u in pending] == [(2, "pending"), (4, "pending")]
    assert pending[0].attempts == 1 and "unreachable" in pending[0].last_error
    assert pending[1].attempts == 0  # in order: the later status waits for the earlier one
    log = portal_log()
    assert [(e.outcome, e.status) for e in log] == [("error", None)]
    retry = OutboxEvent.objects.get(
        type=portal.SYNC_EVENT, status=OutboxEvent.Status.PENDING, subject=dossier.code
    )
    assert retry.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)

    # when the portal is back and the retry comes due
    portal_on.port = port
    portal_on.start()
    relay_all(now=timezone.now() + datetime.timedelta(hours=1))

    # then both statuses arrive, once each, in order
    assert [r["TrangThaiHoSo"] for r in portal_on.records_of(dossier.code)] == ["2", "4"]
    assert [u.state for u in PortalUpdate.objects.order_by("id")] == ["sent", "sent"]
    assert [e.outcome for e in portal_log()] == ["error", "ok", "ok"]


def test_a_refused_call_is_recorded_and_retried_then_given_up_after_the_maximum(
    portal_on: FakePortal,
) -> None:
    # given a portal that refuses every call (a wrong token on our side)
    portal_on.token = "another-token"
    team = make_team()
    dossier = team.dossier(at=moment("2026-03-02 09:00"))

    # when the worker relays the retries as they come due (3 attempts at most)
    later = timezone.now()
    for _ in range(4):
        later += datetime.timedelta(hours=7)
        relay_all(now=later)

    # then the first status was tried three times and given up; the next was tried after it
    updates = list(PortalUpdate.objects.order_by("id"))
    assert [(u.status, u.state, u.attempts) for u in updates] == [
        (2, "failed", 3),
        (4, "failed", 3),
    ]
    assert updates[0].last_error == "HTTP 401: invalid token"
    assert portal_on.records == []
    assert [e.status for e in portal_log()] == [401] * 6

    # when the operator fixes the token and resends from the command line
    portal_on.token = TOKEN
    out = io.StringIO()
    call_command("portal", "sync", stdout=out)

    # then both are delivered, in order, and the command says so
    assert [r["TrangThaiHoSo"] for r in portal_on.records_of(dossier.code)] == ["2", "4"]
    assert "2" in out.getvalue()
    assert [u.state for u in PortalUpdate.objects.order_by("id")] == ["sent", "sent"]


def test_an_event_delivered_twice_queues_one_update(portal_on: FakePortal) -> None:
    # given a status-change event
    event = CloudEvent(
        id=str(uuid.uuid4()),
        type="dossier.status_changed",
        source="/lienthong",
        subject="000.00.01.H99-260302-0001",
        time=timezone.now(),
        data={"code": "000.00.01.H99-260302-0001", "to_status": 4, "at": timezone.now()},
    )
    before = OutboxEvent.objects.filter(type=portal.SYNC_EVENT).count()

    # when it is handled twice
    first = portal.enqueue(event)
    second = portal.enqueue(event)

    # then one update and one sync request exist
    assert first is not None and second is not None and first.pk == second.pk
    assert PortalUpdate.objects.count() == 1
    assert OutboxEvent.objects.filter(type=portal.SYNC_EVENT).count() == before + 1


def test_without_settings_nothing_is_queued_or_sent(settings: Any, fake: FakePortal) -> None:
    # given no PORTAL_URL / PORTAL_TOKEN
    settings.LIENTHONG = {**settings.LIENTHONG, "PORTAL_URL": "", "PORTAL_TOKEN": ""}
    team = make_team()

    # when a dossier is received and the events relayed
    team.dossier(at=moment("2026-03-02 09:00"))
    relay_all()

    # then no update, no sync event, no call, no log entry
    assert not PortalUpdate.objects.exists()
    assert not OutboxEvent.objects.filter(type=portal.SYNC_EVENT).exists()
    assert fake.records == [] and fake.refused == []
    assert portal_log() == []


def test_sync_since_resends_the_current_status_of_dossiers_changed_since(
    settings: Any, fake: FakePortal
) -> None:
    # given two dossiers received while the portal was not configured
    team = make_team()
    old = team.dossier(at=moment("2026-03-02 09:00"))
    new = team.dossier(at=moment("2026-03-10 09:00"))
    relay_all()
    assert not PortalUpdate.objects.exists()

    # when the portal is configured and the operator resends what changed since 5/3/2026
    settings.LIENTHONG = {**settings.LIENTHONG, "PORTAL_URL": fake.endpoint, "PORTAL_TOKEN": TOKEN}
    out = io.StringIO()
    call_command("portal", "sync", "--since", "2026-03-05", stdout=out)

    # then only the newer dossier's current status is sent
    assert [r["MaHoSo"] for r in fake.records] == [new.code]
    assert fake.records[0]["TrangThaiHoSo"] == "4"
    assert fake.records_of(old.code) == []
    assert "1" in out.getvalue()


def test_sync_refuses_a_bad_date_and_an_unconfigured_portal(settings: Any) -> None:
    from django.core.management.base import CommandError

    settings.LIENTHONG = {**settings.LIENTHONG, "PORTAL_URL": "", "PORTAL_TOKEN": ""}
    with pytest.raises(CommandError, match="PORTAL_URL"):
        call_command("portal", "sync")
    settings.LIENTHONG = {**settings.LIENTHONG, "PORTAL_URL": "http://x", "PORTAL_TOKEN": "t"}
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("portal", "sync", "--since", "05/03/2026")
    assert not PortalUpdate.objects.exists()
