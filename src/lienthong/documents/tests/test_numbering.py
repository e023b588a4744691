"""Register numbers: consecutive per agency, series and year, no gap on rollback; notation."""

from __future__ import annotations

import pytest
from django.db import transaction

from lienthong.core.testing import make_org_unit
from lienthong.documents.models import DocumentType, NumberSeries
from lienthong.documents.numbering import current_number, format_notation, next_number

pytestmark = pytest.mark.django_db


def test_numbers_are_consecutive_per_agency_series_and_year() -> None:
    a, b = make_org_unit(), make_org_unit()
    with transaction.atomic():
        got = [next_number(a, "outgoing", 2026) for _ in range(3)]
        got.append(next_number(b, "outgoing", 2026))
        got.append(next_number(a, "incoming", 2026))
        got.append(next_number(a, "outgoing", 2027))  # a new year starts again at 1
        got.append(next_number(a, "outgoing", 2026))
    assert got == [1, 2, 3, 1, 1, 1, 4]
    assert current_number(a, "outgoing", 2026) == 4
    assert current_number(a, "legal", 2026) == 0


def test_a_rolled_back_number_is_given_again_so_there_is_no_gap() -> None:
    agency = make_org_unit()
    with transaction.atomic():
        assert next_number(agency, "incoming", 2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(agency, "incoming", 2026) == 2
        raise RuntimeError("the document could not be saved")
    with transaction.atomic():
        assert next_number(agency, "incoming", 2026) == 2


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_or_with_a_bad_series_nothing_is_written() -> None:
    agency = make_org_unit()
    with pytest.raises(RuntimeError, match="inside the caller's transaction"):
        next_number(agency, "incoming", 2026)
    with pytest.raises(ValueError, match="Unknown number series"), transaction.atomic():
        next_number(agency, "nope", 2026)
    assert not NumberSeries.objects.filter(agency=agency).exists()


def test_notation_of_a_named_type_and_of_a_cong_van() -> None:
    decision = DocumentType.objects.get(code="QĐ")
    letter = DocumentType.objects.get(code="CV")
    assert format_notation(123, decision, "UBND") == "123/QĐ-UBND"
    assert format_notation(5, decision, "UBND", "VP") == "05/QĐ-UBND"
    assert format_notation(123, letter, "UBND", "VP") == "123/UBND-VP"
    assert format_notation(7, None, "STP") == "07/STP"
    with pytest.raises(ValueError):
        format_notation(0, decision, "UBND")
    with pytest.raises(ValueError):
        format_notation(1, decision, " ")


def test_the_types_of_appendix_iii_are_seeded() -> None:
    codes = set(DocumentType.objects.values_list("code", flat=True))
    assert {"NQ", "QĐ", "CT", "QyĐ", "CTr", "TTr", "BGN", "GUQ", "PB", "CV"} <= codes
    assert len(codes) == 28
    assert list(DocumentType.objects.filter(has_code=False).values_list("code", flat=True)) == [
        "CV"
    ]


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_get_no_duplicate_and_no_gap() -> None:
    import threading

    from django.db import connection as main_connection
    from django.db import connections

    agency = make_org_unit()
    got: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def writer() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    number = next_number(agency, "outgoing", 2026)
                with lock:
                    got.append(number)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and main_connection.vendor in ("sqlite", "postgresql")
    assert sorted(got) == list(range(1, 81))
    assert current_number(agency, "outgoing", 2026) == 80
