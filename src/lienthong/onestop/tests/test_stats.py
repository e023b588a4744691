"""Form II.06a (onestop.stats): every cell of the hand-built first quarter of 2025.

The scenario (`testing_stats.make_scenario`) puts a dossier in each cell; the expected
numbers are counted by hand here, dossier by dossier, so that a change of definition shows.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lienthong.accounts.models import Role
from lienthong.core.calendar import local_date
from lienthong.core.testing import make_org_unit, make_user
from lienthong.onestop.models import Channel, DossierStatus
from lienthong.onestop.stats import Report, Row, agencies_visible_to, ii06a, period_bounds
from lienthong.onestop.testing_stats import (
    Scenario,
    local,
    make_field,
    make_scenario,
    make_stats_dossier,
)

Q1 = (date(2025, 1, 1), date(2025, 3, 31))
FORM_ORDER = (
    "received_total",
    "carried_over",
    "received_online",
    "received_direct",
    "settled_total",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "pending_total",
    "pending_in_time",
    "pending_overdue",
)


@pytest.fixture
def world(db: None) -> Scenario:
    return make_scenario()


def numbers(row: Row) -> dict[str, int]:
    return dict(zip(FORM_ORDER, row.values(), strict=True))


def by_label(report: Report) -> dict[str, Row]:
    return {row.label: row for row in report.rows}


# "Hộ tịch" (department D and province P):
#   (2) carried over: b1, b2, b4, b5, b6 = 5
#   (3) online: a1, a5, a7 = 3; (4) counter/post: a2, a3, a4, a6, a9, a10, p1 = 7
#   (5) settled: (6) early a1, b4 = 2; (7) on time a2, p1 = 2; (8) late a3, b1 = 2
#   (9) pending: (10) in time a4, a9 = 2; (11) overdue a5, a6, a10, b2, b5 = 5
#   withdrawn/stopped closing in the period: a7, b6 = 2 → (1) 15 = (5) 6 + (9) 7 + 2
CIVIL = {
    "received_total": 15,
    "carried_over": 5,
    "received_online": 3,
    "received_direct": 7,
    "settled_total": 6,
    "settled_early": 2,
    "settled_on_time": 2,
    "settled_late": 2,
    "pending_total": 7,
    "pending_in_time": 2,
    "pending_overdue": 5,
}
# "Đất đai" (district H: h1 online early; commune C: k1 counter, pending in time).
LAND = {
    "received_total": 2,
    "carried_over": 0,
    "received_online": 1,
    "received_direct": 1,
    "settled_total": 1,
    "settled_early": 1,
    "settled_on_time": 0,
    "settled_late": 0,
    "pending_total": 1,
    "pending_in_time": 1,
    "pending_overdue": 0,
}


class TestByField:
    def test_every_cell_of_each_field_and_the_total(self, world: Scenario) -> None:
        # given the scenario; when the province's report for Q1 2025 is drawn per field
        report = ii06a(*Q1)

        # then each field has exactly the hand-counted numbers, Vietnamese order (Đ with D)
        assert [row.label for row in report.rows] == ["Đất đai", "Hộ tịch"]
        rows = by_label(report)
        assert numbers(rows["Hộ tịch"]) == CIVIL
        assert numbers(rows["Đất đai"]) == LAND
        assert numbers(report.total) == {k: CIVIL[k] + LAND[k] for k in FORM_ORDER}
        assert report.total.label == "Tổng cộng"
        assert rows["Hộ tịch"].closed_unsettled == 2
        assert report.total.closed_unsettled == 2
        assert report.total.settled_unclassified == 0
        assert report.as_of == date(2025, 3, 31)

    def test_the_forms_identities_hold(self, world: Scenario) -> None:
        report = ii06a(*Q1)
        for row in [*report.rows, report.total]:
            assert row.received_total == row.carried_over + row.received_online + (
                row.received_direct
            )
            assert row.settled_total == row.settled_early + row.settled_on_time + (row.settled_late)
            assert row.pending_total == row.pending_in_time + row.pending_overdue
            assert row.received_total == row.settled_total + row.pending_total + (
                row.closed_unsettled
            )

    def test_progress_score_of_decision_766(self, world: Scenario) -> None:
        report = ii06a(*Q1)
        rows = by_label(report)
        # 20 × (early + on time) / settled
        assert rows["Hộ tịch"].progress_score == Decimal("13.33")  # 20 × 4 / 6
        assert rows["Đất đai"].progress_score == Decimal("20.00")  # 20 × 1 / 1
        assert report.total.progress_score == Decimal("14.29")  # 20 × 5 / 7

    def test_no_progress_score_without_settled_dossiers(self, db: None) -> None:
        agency, field = make_org_unit(), make_field()
        make_stats_dossier(agency=agency, field=field, received_at=local(2025, 2, 1))
        report = ii06a(*Q1)
        assert report.total.settled_total == 0
        assert report.total.pending_total == 1
        assert report.total.progress_score is None

    def test_late_units(self, world: Scenario) -> None:
        # X: a3 settled late, b5 overdue at the end; D: b1 settled late, a6 overdue (apology);
        # no apology letter: a5, a10, b2 overdue.
        report = ii06a(*Q1)
        assert [(u.label, u.settled_late, u.pending_overdue) for u in report.late_units] == [
            ("Phòng Hành chính tư pháp thử", 1, 1),
            ("Sở Tư pháp thử", 1, 1),
            ("Chưa xác định đơn vị", 0, 3),
        ]
        assert report.late_units[-1].unit_id is None


class TestBoundaries:
    def test_period_runs_from_local_midnight_to_local_midnight(self) -> None:
        start, end = period_bounds(*Q1)
        assert start.isoformat() == "2025-01-01T00:00:00+07:00"
        assert end.isoformat() == "2025-04-01T00:00:00+07:00"

    def test_received_at_2330_on_the_last_day_is_inside_0030_next_day_outside(
        self, db: None
    ) -> None:
        agency, field = make_org_unit(), make_field()
        make_stats_dossier(agency=agency, field=field, received_at=local(2025, 3, 31, 23, 30))
        make_stats_dossier(agency=agency, field=field, received_at=local(2025, 4, 1, 0, 30))
        march = ii06a(date(2025, 3, 1), date(2025, 3, 31))
        april = ii06a(date(2025, 4, 1), date(2025, 4, 30))
        assert march.total.received_new == 1
        assert april.total.received_new == 1
        assert april.total.carried_over == 1  # the one of 31 March, still open on 1 April

    def test_received_at_2330_before_the_period_is_carried_over_not_new(
        self, world: Scenario
    ) -> None:
        january = ii06a(date(2025, 1, 1), date(2025, 1, 31))
        december = ii06a(date(2024, 12, 1), date(2024, 12, 31))
        # b4 was received at 23:30 on 31 December: new in December, carried into January.
        assert world.dossiers["b4_carried_from_last_minute"].received_at == local(
            2024, 12, 31, 23, 30
        )
        assert december.total.received_new == 5  # b1, b2, b4, b5, b6
        assert january.total.carried_over == 5

    def test_settled_at_2330_on_the_last_day_counts_in_the_period(self, world: Scenario) -> None:
        march = ii06a(date(2025, 3, 1), date(2025, 3, 31))
        april = ii06a(date(2025, 4, 1), date(2025, 4, 30))
        assert by_label(march)["Hộ tịch"].settled_on_time == 1  # p1
        assert by_label(april)["Hộ tịch"].settled_total == 1  # a9 (2 April), not p1

    def test_settled_on_its_due_date_is_on_time(self, db: None) -> None:
        agency, field = make_org_unit(), make_field()
        dossier = make_stats_dossier(
            agency=agency,
            field=field,
            received_at=local(2025, 2, 3),
            processed_at=local(2025, 2, 10, 16, 59),
            due_date=date(2025, 2, 10),
        )
        assert dossier.timeliness == "on_time"
        report = ii06a(*Q1)
        assert (report.total.settled_on_time, report.total.settled_early) == (1, 0)
        assert report.total.settled_late == 0

    def test_refused_and_unreceived_dossiers_count_nowhere(self, db: None) -> None:
        agency, field = make_org_unit(), make_field()
        make_stats_dossier(
            agency=agency, field=field, received_at=local(2025, 2, 2), status=DossierStatus.REFUSED
        )
        make_stats_dossier(
            agency=agency, field=field, received_at=None, channel=Channel.ONLINE, status=1
        )
        report = ii06a(*Q1)
        assert report.rows == []
        assert numbers(report.total) == dict.fromkeys(FORM_ORDER, 0)

    def test_a_period_not_over_yet_judges_pending_dossiers_as_of_today(self, db: None) -> None:
        today = local_date(timezone.now())
        agency, field = make_org_unit(), make_field()
        received = timezone.now() - timedelta(days=20)
        make_stats_dossier(
            agency=agency, field=field, received_at=received, due_date=today - timedelta(days=1)
        )
        make_stats_dossier(agency=agency, field=field, received_at=received, due_date=today)
        report = ii06a(today - timedelta(days=30), today + timedelta(days=30))
        assert report.as_of == today
        assert (report.total.pending_overdue, report.total.pending_in_time) == (1, 1)


class TestByAgencyAndScope:
    def test_rows_per_agency_in_tree_order(self, world: Scenario) -> None:
        report = ii06a(*Q1, group_by="agency")
        assert [row.label for row in report.rows] == [
            "UBND tỉnh thử",
            "Sở Tư pháp thử",
            "UBND huyện thử",
            "UBND xã thử",
        ]
        rows = by_label(report)
        province = numbers(rows["UBND tỉnh thử"])
        assert province == {
            **dict.fromkeys(FORM_ORDER, 0),
            "received_total": 1,
            "received_direct": 1,
            "settled_total": 1,
            "settled_on_time": 1,
        }
        department = numbers(rows["Sở Tư pháp thử"])
        assert department == {
            **CIVIL,
            "received_total": 14,
            "received_direct": 6,
            "settled_total": 5,
            "settled_on_time": 1,
        }
        assert rows["Sở Tư pháp thử"].progress_score == Decimal("12.00")  # 20 × 3 / 5
        assert numbers(rows["UBND huyện thử"])["settled_early"] == 1
        assert numbers(rows["UBND xã thử"])["pending_in_time"] == 1
        assert numbers(report.total) == numbers(ii06a(*Q1).total)

    def test_agency_with_the_agencies_below_it(self, world: Scenario) -> None:
        report = ii06a(*Q1, agency=world.district)
        assert [row.label for row in report.rows] == ["Đất đai"]
        assert numbers(report.rows[0]) == LAND
        assert report.scope_label == "UBND huyện thử và các cơ quan trực thuộc"

    def test_agency_alone(self, world: Scenario) -> None:
        report = ii06a(*Q1, agency=world.district, include_subunits=False)
        assert numbers(report.total) == {
            **dict.fromkeys(FORM_ORDER, 0),
            "received_total": 1,
            "received_online": 1,
            "settled_total": 1,
            "settled_early": 1,
        }
        assert report.scope_label == "UBND huyện thử"

    def test_department_per_agency_shows_only_it(self, world: Scenario) -> None:
        report = ii06a(*Q1, agency=world.department, group_by="agency")
        assert [row.label for row in report.rows] == ["Sở Tư pháp thử"]
        assert report.total.received_total == 14

    def test_a_fixed_number_of_queries_however_many_fields(self, world: Scenario) -> None:
        with CaptureQueriesContext(connection) as few:
            ii06a(*Q1)
        for i in range(12):
            field = make_field(f"Lĩnh vực thêm {i}")
            make_stats_dossier(agency=world.department, field=field, received_at=local(2025, 2, 1))
        with CaptureQueriesContext(connection) as many:
            report = ii06a(*Q1)
        assert len(report.rows) == 14
        assert len(many) == len(few) == 7


class TestVisibility:
    def test_every_official_sees_their_agency_and_those_below(self, world: Scenario) -> None:
        officer = make_user(roles=[(Role.ONESTOP_OFFICER, world.district)])
        specialist = make_user(roles=[(Role.SPECIALIST, world.division)])
        leader = make_user(roles=[(Role.LEADER, world.district)])
        governor = make_user(roles=[(Role.LEADER, world.province)])
        citizen = make_user(roles=[(Role.CITIZEN, None)])
        admin = make_user(is_superuser=True, kind="official")

        def names(user: object) -> set[str]:
            return set(agencies_visible_to(user).values_list("name", flat=True))

        # the same subtree rule as the dossiers they see (decision 0007)
        assert names(officer) == {"UBND huyện thử", "UBND xã thử"}
        assert names(specialist) == {"Sở Tư pháp thử"}  # the division's agency
        assert names(leader) == {"UBND huyện thử", "UBND xã thử"}
        assert {"UBND tỉnh thử", "Sở Tư pháp thử", "UBND huyện thử", "UBND xã thử"} <= names(
            governor
        )
        assert names(citizen) == set()
        assert {"UBND tỉnh thử", "UBND xã thử"} <= names(admin)

    def test_report_for_a_user_counts_only_what_they_may_see(self, world: Scenario) -> None:
        officer = make_user(roles=[(Role.ONESTOP_OFFICER, world.district)])
        below = ii06a(*Q1, user=officer)
        # the district alone, without its subunits: the commune stays out
        asked = ii06a(*Q1, agency=world.district, include_subunits=False, user=officer)
        # an agency outside their subtree: nothing
        other = ii06a(*Q1, agency=world.department, user=officer)

        assert below.total.received_total == 2 and below.total.pending_in_time == 1
        assert asked.total.received_total == 1 and asked.total.settled_early == 1
        assert other.rows == [] and other.total.received_total == 0


def test_bad_arguments_are_refused(db: None) -> None:
    with pytest.raises(ValueError):
        ii06a(date(2025, 3, 1), date(2025, 2, 1))
    with pytest.raises(ValueError):
        ii06a(*Q1, group_by="procedure")  # type: ignore[arg-type]


class TestGeneratedData:
    """The benchmark's generator and loader (COPY on PostgreSQL) on this database, small."""

    def test_loaded_rows_agree_with_direct_counts(self, db: None) -> None:
        from lienthong.onestop.models import Dossier
        from lienthong.onestop.testing_stats import build_world, generate_rows, load_rows

        world = build_world(n_agencies=4, n_fields=3, procedures_per_field=2)
        written = load_rows(
            generate_rows(world, 3000, start=date(2025, 1, 1), end=date(2025, 6, 30)), batch=700
        )
        assert written == Dossier.objects.count() == 3000

        report = ii06a(date(2025, 4, 1), date(2025, 6, 30))
        start, end = period_bounds(date(2025, 4, 1), date(2025, 6, 30))
        counted = Dossier.objects.exclude(status=DossierStatus.REFUSED)
        assert (
            report.total.received_new
            == counted.filter(received_at__gte=start, received_at__lt=end).count()
        )
        assert (
            report.total.settled_total
            == counted.filter(
                status__in=[DossierStatus.PROCESSED, DossierStatus.RETURNED],
                processed_at__gte=start,
                processed_at__lt=end,
            ).count()
        )
        assert (
            report.total.carried_over
            == counted.filter(received_at__lt=start, processed_at__gte=start).count()
            + counted.filter(received_at__lt=start, processed_at__isnull=True).count()
        )
        assert report.total.received_total == (
            report.total.settled_total + report.total.pending_total + report.total.closed_unsettled
        )
        assert report.total.settled_unclassified == 0
        assert {row.label for row in report.rows} == {f.name for f in world.fields}
