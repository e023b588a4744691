"""The demo dossiers of `lienthong seed --demo` (onestop.demo.seed_dossiers): made through the
intake, processing and result services, dated back from the day of the seed, so that the demo
logins find work in their inboxes, dossiers of their own and statistics; idempotent."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lienthong.accounts.models import User
from lienthong.core.audit import verify_chain
from lienthong.core.calendar import VN_TZ
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.seed import seed_demo as seed_kernel
from lienthong.core.tests.units_support import committed_units
from lienthong.core.units import LoadReport
from lienthong.exchange.models import OutboxEvent
from lienthong.onestop import demo, intake, results
from lienthong.onestop.models import (
    ApologyLetter,
    Channel,
    Dossier,
    DossierStatus,
    Timeliness,
)
from lienthong.onestop.stats import ii06a
from lienthong.workflow.selectors import inbox_for

#: The seed's day in these tests: a Wednesday; the 20 working days before it have no holiday.
TODAY = datetime.date(2025, 11, 26)
NOON = datetime.datetime(2025, 11, 26, 12, 0, tzinfo=VN_TZ)
S = DossierStatus


@pytest.fixture(scope="module")
def units(django_db_setup: None, django_db_blocker: Any) -> Iterator[LoadReport]:
    with committed_units(django_db_blocker) as report:
        yield report


@pytest.fixture
def lines(units: LoadReport, settings: Any, tmp_path: Path) -> list[str]:
    settings.MEDIA_ROOT = tmp_path
    seed_kernel()
    for step in demo.CATALOGUE_STEPS:
        step()
    return demo.seed_dossiers(today=TODAY)


def by_key() -> dict[str, Dossier]:
    return {d.form_data["demo"]: d for d in Dossier.objects.select_related("agency")}


@pytest.mark.django_db
def test_the_dossiers_are_in_the_states_and_on_the_dates_the_scenarios_say(
    lines: list[str],
) -> None:
    assert lines == [
        "Hồ sơ demo: thêm 3 cán bộ xử lý các bước mà các tài khoản demo không giữ (đăng nhập "
        "bằng mật khẩu demo): demo.motcua.stp, demo.congchuc.phucuong, demo.lanhdao.phucuong.",
        "Hồ sơ demo: tạo 10 hồ sơ.",
    ]
    dossiers = by_key()
    # (code, status, appointment, appointment of the receipt, timeliness)
    assert {
        key: (d.code, d.status, d.due_date, d.original_due_date, d.timeliness)
        for key, d in dossiers.items()
    } == {
        "phuong-moi": ("000.03.21.H99-251125-0001", S.NEW, None, None, ""),
        "stp-dang-xu-ly": (
            "000.00.05.H99-251124-0001",
            S.PROCESSING,
            datetime.date(2025, 12, 3),
            datetime.date(2025, 12, 3),
            "",
        ),
        "stp-cho-phe-duyet": (
            "000.00.05.H99-251120-0001",
            S.PROCESSING,
            datetime.date(2025, 12, 2),
            datetime.date(2025, 12, 2),
            "",
        ),
        "stp-yeu-cau-bo-sung": (
            "000.00.05.H99-251119-0001",
            S.SUPPLEMENT_REQUESTED,
            datetime.date(2025, 12, 1),
            datetime.date(2025, 12, 1),
            "",
        ),
        "stp-qua-han": (
            "000.00.05.H99-251110-0001",
            S.PROCESSING,
            datetime.date(2025, 11, 19),
            datetime.date(2025, 11, 19),
            "",
        ),
        # The apology moved the appointment, not the one of the receipt
        "stp-xin-loi": (
            "000.00.05.H99-251106-0001",
            S.PROCESSING,
            datetime.date(2025, 11, 28),
            datetime.date(2025, 11, 17),
            "",
        ),
        "stp-tra-tre-han": (
            "000.00.05.H99-251029-0001",
            S.RETURNED,
            datetime.date(2025, 11, 7),
            datetime.date(2025, 11, 7),
            Timeliness.LATE,
        ),
        "stp-tra-dung-han": (
            "000.00.05.H99-251104-0001",
            S.RETURNED,
            datetime.date(2025, 11, 13),
            datetime.date(2025, 11, 13),
            Timeliness.ON_TIME,
        ),
        "phuong-da-tra": (
            "000.03.21.H99-251112-0001",
            S.RETURNED,
            datetime.date(2025, 11, 20),
            datetime.date(2025, 11, 20),
            Timeliness.EARLY,
        ),
        "phuong-cho-tra": (
            "000.03.21.H99-251118-0001",
            S.PROCESSED,
            datetime.date(2025, 11, 25),
            datetime.date(2025, 11, 25),
            Timeliness.EARLY,
        ),
    }
    justice = OrgUnit.objects.get(code="000.00.05.H99")
    apology = ApologyLetter.objects.get()
    assert (apology.dossier, apology.late_unit) == (dossiers["stp-xin-loi"], justice)
    assert apology.created_by.username == "lanhdao"
    assert dossiers["stp-xin-loi"].late_unit == justice
    supplement = dossiers["stp-yeu-cau-bo-sung"].supplements.get()
    assert supplement.requested_by.username == "chuyenvien"
    assert supplement.items == ["Giấy tờ chứng minh là người đã nghỉ hưu theo quy định (bản sao)"]
    # Each went through the services: a history row per status, events and audit entries
    assert list(
        dossiers["phuong-da-tra"].history.order_by("at", "pk").values_list("status", flat=True)
    ) == [S.NEW, S.ACCEPTED, S.PROCESSING, S.PROCESSING, S.PROCESSED, S.PROCESSED, S.RETURNED]
    for dossier in dossiers.values():
        assert OutboxEvent.objects.filter(
            subject=dossier.code, type="dossier.submitted"
        ).exists() == (dossier.channel == Channel.ONLINE)
    returned = OutboxEvent.objects.filter(type="dossier.returned").order_by("subject")
    assert list(returned.values_list("subject", flat=True)) == [
        "000.00.05.H99-251029-0001",
        "000.00.05.H99-251104-0001",
        "000.03.21.H99-251112-0001",
    ]
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_demo_logins_find_work_their_dossiers_and_statistics(lines: list[str]) -> None:
    dossiers = by_key()
    users = {u.username: u for u in User.objects.all()}

    def inbox(username: str) -> dict[str, tuple[bool, bool]]:
        box = inbox_for(users[username], now=NOON)
        return {row.task.title.split(" — ")[0]: (row.overdue, row.paused) for row in box.rows}

    code = {key: d.code for key, d in dossiers.items()}
    # The specialist: one in time, one overdue, one waiting on the applicant
    assert inbox("chuyenvien") == {
        code["stp-dang-xu-ly"]: (False, False),
        code["stp-qua-han"]: (True, False),
        code["stp-yeu-cau-bo-sung"]: (False, True),
    }
    # The leader: one to approve, and the late one: apologised for, its new date still ahead,
    # but the leader's step (its share of the time to the new date) already over
    assert inbox("lanhdao") == {
        code["stp-cho-phe-duyet"]: (False, False),
        code["stp-xin-loi"]: (True, False),
    }
    # The one-stop officer: the ward's result to return (its step, a tenth of five working
    # days, ended yesterday), and an online dossier to accept
    assert inbox("motcua") == {code["phuong-cho-tra"]: (True, False)}
    assert list(intake.awaiting_acceptance(users["motcua"])) == [dossiers["phuong-moi"]]

    # The citizen: four dossiers, one result in the data store
    mine = intake.my_dossiers(users["congdan"])
    assert [d.form_data["demo"] for d in mine] == [
        "phuong-moi",
        "stp-cho-phe-duyet",
        "stp-yeu-cau-bo-sung",
        "phuong-da-tra",
    ]
    documents = results.reusable_documents(users["congdan"], on=TODAY)
    assert [d.source_dossier for d in documents] == [dossiers["phuong-da-tra"]]

    # Statistics of the quarter for the justice department's leader
    report = ii06a(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31), user=users["lanhdao"])
    total = report.total
    assert (total.received_online, total.received_direct, total.carried_over) == (2, 5, 0)
    assert (total.settled_early, total.settled_on_time, total.settled_late) == (0, 1, 1)
    assert total.pending_total == 5
    # The officials of the steps no demo login holds log in with the demo password
    actors = User.objects.filter(username__startswith="demo.").order_by("username")
    assert [(a.username, a.org_unit.code if a.org_unit else None) for a in actors] == [
        ("demo.congchuc.phucuong", "000.03.21.H99"),
        ("demo.lanhdao.phucuong", "000.03.21.H99"),
        ("demo.motcua.stp", "000.00.05.H99"),
    ]
    assert all(actor.check_password("LienThong@demo2025") for actor in actors)


@pytest.mark.django_db
def test_a_second_run_creates_nothing(lines: list[str], tmp_path: Path) -> None:
    before = (
        Dossier.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
        sorted(str(p) for p in tmp_path.rglob("*") if p.is_file()),
    )

    again = demo.seed_dossiers(today=TODAY + datetime.timedelta(days=7))

    assert again == ["Hồ sơ demo: đã có đủ 10 hồ sơ, không tạo thêm."]
    assert (
        Dossier.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
        sorted(str(p) for p in tmp_path.rglob("*") if p.is_file()),
    ) == before
