"""Two officials moving the same case at the same moment, each on their own connection.

These tests commit (`transaction=True`): the race is between real transactions. On PostgreSQL
the second waits on the case's row lock; on SQLite on the database's write lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from lienthong.accounts.models import User
from lienthong.core.audit import verify_chain
from lienthong.exchange.models import OutboxEvent
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case, CaseTransition, Task
from lienthong.workflow.tests.helpers import Office, make_office, vn

pytestmark = pytest.mark.django_db(transaction=True)

START = vn(2025, 3, 12, 7, 30)
DUE = vn(2025, 3, 19, 7, 30)


def at_examination(office: Office) -> Case:
    """A committed case at step 2, the specialists' pool of the division."""
    case = office.start(at=START, due_at=DUE)
    return engine.forward(case=case, by=office.officer, at=START)


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at once; each returns its result or its exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def forward_as(user: User, case_id: int, **kwargs: Any) -> Callable[[], Case]:
    # Each request loads the case and the task it shows the official before acting.
    def call() -> Case:
        case = Case.objects.get(pk=case_id)
        seen = engine.current_task(case)
        return engine.forward(case=case, by=user, task=seen, at=START, **kwargs)

    return call


def test_two_officials_forwarding_at_once_one_wins() -> None:
    office = make_office()
    case = at_examination(office)

    results = run_together(
        forward_as(office.specialist, case.pk), forward_as(office.colleague, case.pk)
    )

    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert len(losers) == 1 and isinstance(losers[0], WrongState | PermissionDenied), results
    case.refresh_from_db()
    assert case.current_step == office.step(3)
    assert Task.objects.filter(case=case, status=Task.Status.OPEN).count() == 1
    assert CaseTransition.objects.filter(case=case, action="forward").count() == 2
    assert OutboxEvent.objects.filter(subject=str(case.pk)).count() == 3
    assert verify_chain().ok


def test_the_second_waits_for_the_first_and_finds_the_case_moved_on() -> None:
    # Given the first official's move committed only after the second has started to wait
    office = make_office()
    case = at_examination(office)
    seen = engine.current_task(case)
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                engine.forward(case=Case.objects.get(pk=case.pk), by=office.specialist, at=START)
                first_holds_lock.set()
                release_first.wait(30)
            outcome["first"] = "committed"
        except BaseException as exc:
            outcome["first"] = exc
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds_lock.wait(30)
            engine.forward(
                case=Case.objects.get(pk=case.pk), by=office.colleague, task=seen, at=START
            )
            outcome["second"] = "committed"
        except BaseException as exc:
            outcome["second"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds_lock.wait(30)
    time.sleep(0.5)  # the second is now blocked on the lock
    release_first.set()
    for thread in threads:
        thread.join(60)

    # Then the second gets WrongState, not a second move of the next step
    assert outcome["first"] == "committed"
    assert isinstance(outcome["second"], WrongState), outcome
    case.refresh_from_db()
    assert case.current_step == office.step(3)
    assert Task.objects.filter(case=case, status=Task.Status.OPEN).count() == 1
    assert CaseTransition.objects.filter(case=case).count() == 3


def test_without_naming_the_task_the_loser_does_not_move_the_next_step() -> None:
    # The next step belongs to the division head: whoever comes second holds nothing there
    # (PermissionDenied), or — on PostgreSQL, when they had read the case before the winner
    # committed — sees that the case moved on (WrongState).
    office = make_office()
    case = at_examination(office)

    def plain(user: User) -> Callable[[], Case]:
        return lambda: engine.forward(case=Case.objects.get(pk=case.pk), by=user, at=START)

    results = run_together(plain(office.specialist), plain(office.colleague))

    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, PermissionDenied | WrongState) for r in results) == 1, results
    case.refresh_from_db()
    assert case.current_step == office.step(3)
    assert Task.objects.filter(case=case, status=Task.Status.OPEN).count() == 1


def test_pause_and_forward_at_once_leave_a_consistent_case() -> None:
    office = make_office()
    case = at_examination(office)

    def pause() -> Case:
        return engine.pause(
            case=Case.objects.get(pk=case.pk), by=office.specialist, note="Chờ.", at=START
        )

    results = run_together(pause, forward_as(office.colleague, case.pk))

    case.refresh_from_db()
    moves = list(CaseTransition.objects.filter(case=case).values_list("action", flat=True))
    if case.status == Case.Status.PAUSED and case.current_step == office.step(2):
        # the pause came first: the forward found a paused case
        assert isinstance(results[1], WrongState) and moves[-1] == "pause"
    else:
        # the forward came first: the pause is refused (the specialist holds nothing at the
        # head's step, or saw the case before it moved on)
        assert case.current_step == office.step(3) and case.status == Case.Status.ACTIVE
        assert isinstance(results[0], PermissionDenied | WrongState) and moves[-1] == "forward"
    assert Task.objects.filter(case=case, status=Task.Status.OPEN).count() == 1
