"""The audit chain: append-only triggers, verification, tampering, and the `audit` command."""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from lienthong.core.audit import (
    GENESIS,
    compute_hash,
    head_state,
    record,
    verify_chain,
)
from lienthong.core.context import acting
from lienthong.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db


def write(n: int, prefix: str = "test.step") -> list[AuditEntry]:
    """Record n entries, each in its own transaction as a service would."""
    entries = []
    for i in range(1, n + 1):
        with transaction.atomic():
            entries.append(
                record(
                    f"{prefix}{i}",
                    object_type="core.holiday",
                    object_id=str(i),
                    object_repr=f"Ngày {i}",
                    after={"n": i},
                )
            )
    return entries


def drop_guards() -> None:
    """What an attacker with the database owner's rights does first (undone by the test's
    transaction rollback on both databases)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('core_auditentry', 'core_auditchainhead')"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgrelid::regclass::text IN "
                "('core_auditentry', 'core_auditchainhead')"
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}" ON {table}')


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rejected(action: Callable[[], object]) -> str:
    """Run a write that the database must refuse; return its error message."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        action()
    return str(caught.value)


# --- Writing and verifying ------------------------------------------------------------------


def test_entries_are_linked_in_order_and_the_head_follows() -> None:
    # Given an empty log
    assert AuditEntry.objects.count() == 0
    # When three writes are recorded
    first, second, third = write(3)
    # Then they carry seq 1..3, each linked to the one before, and the head holds the last
    assert [e.seq for e in AuditEntry.objects.chain_order()] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert all(e.hash == compute_hash(e) for e in AuditEntry.objects.all())
    assert head_state() == (3, third.hash)
    report = verify_chain()
    assert (report.ok, report.checked, report.code) == (True, 3, "")


def test_an_empty_log_verifies() -> None:
    assert verify_chain().ok is True
    assert verify_chain().checked == 0


def test_values_read_back_from_the_database_hash_the_same() -> None:
    # Given values each database rewrites in its own way: an IPv4-mapped IPv6 address,
    # an integral float in exponent form, decimals, dates and times
    when = datetime.datetime(2025, 1, 29, 8, 30, tzinfo=datetime.UTC)
    with acting(ip="::ffff:192.0.2.10", request_id="req-0001-abcd"), transaction.atomic():
        entry = record(
            "test.values",
            object_type="core.holiday",
            object_id="1",
            after={
                "big": 1e20,
                "half": 0.5,
                "fee": decimal.Decimal("50000.00"),
                "day": datetime.date(2025, 1, 29),
                "at": when,
                "tags": ["Tết", "Nguyên đán"],
            },
        )
    with acting(ip="2001:0db8:0000:0000:0000:0000:0000:0001"), transaction.atomic():
        record("test.ipv6")
    with acting(ip="not an address"), transaction.atomic():
        record("test.bad_ip")
    # When the rows are read back
    stored = AuditEntry.objects.get(pk=entry.pk)
    after = stored.after
    assert isinstance(after, dict)
    # Then the stored forms are the canonical ones and the whole chain still verifies
    assert stored.ip == "192.0.2.10"
    assert stored.request_id == "req-0001-abcd"
    assert after["fee"] == "50000.00"
    assert after["day"] == "2025-01-29"
    assert after["at"] == "2025-01-29T08:30:00+00:00"
    assert after["tags"] == ["Tết", "Nguyên đán"]
    assert AuditEntry.objects.get(action="test.ipv6").ip == "2001:db8::1"
    assert AuditEntry.objects.get(action="test.bad_ip").ip is None
    assert verify_chain().ok is True


def test_an_overlong_action_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(ValueError, match="1–100 characters"), transaction.atomic():
        record("x" * 101)
    with pytest.raises(ValueError), transaction.atomic():
        record("")
    assert AuditEntry.objects.count() == 0


def test_verification_reads_the_log_in_batches(django_assert_num_queries: object) -> None:
    # Given five entries
    write(5)
    # When verified two rows at a time
    # Then it reads the head, three pages (2 + 2 + 1), the last row and the head again:
    # never the whole table at once
    with django_assert_num_queries(6):  # type: ignore[operator]
        report = verify_chain(batch=2)
    assert (report.ok, report.checked) == (True, 5)


# --- The database refuses changes -----------------------------------------------------------


def test_the_database_rejects_update_and_delete_of_entries() -> None:
    # Given a recorded entry
    (entry,) = write(1)
    # When anyone updates or deletes it through the ORM or SQL
    # Then the database refuses, whatever the path
    assert "append-only" in rejected(
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="test.forged")
    )
    assert "append-only" in rejected(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())
    assert "append-only" in rejected(lambda: AuditEntry.objects.get(pk=entry.pk).delete())
    assert "append-only" in rejected(
        lambda: sql("UPDATE core_auditentry SET after = NULL WHERE id = %s", [entry.pk])
    )
    assert "append-only" in rejected(lambda: sql("DELETE FROM core_auditentry"))
    # And the row is as it was
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.action, stored.after) == ("test.step1", {"n": 1})
    assert verify_chain().ok is True


def test_the_database_rejects_emptying_the_tables_wholesale() -> None:
    # Given an entry
    write(1)
    # When the tables are emptied in one statement (TRUNCATE on PostgreSQL; SQLite has none,
    # its unqualified DELETE is the equivalent)
    if connection.vendor == "postgresql":
        assert "append-only" in rejected(lambda: sql("TRUNCATE core_auditentry"))
        assert "rejected" in rejected(lambda: sql("TRUNCATE core_auditchainhead CASCADE"))
    else:
        assert "append-only" in rejected(lambda: sql("DELETE FROM core_auditentry"))
        assert "rejected" in rejected(lambda: sql("DELETE FROM core_auditchainhead"))
    # Then nothing is gone
    assert AuditEntry.objects.count() == 1
    assert head_state()[0] == 1


def test_the_database_rejects_inserts_that_do_not_extend_the_chain() -> None:
    # Given two entries
    first, second = write(2)

    def insert(seq: int, prev_hash: str) -> None:
        AuditEntry.objects.create(
            seq=seq,
            created_at=second.created_at,
            action="test.forged",
            prev_hash=prev_hash,
            hash=f"{seq:064d}",
        )

    # When a row is inserted that skips a number, repeats one or links to an older row
    # Then the database refuses it
    assert "does not extend the chain" in rejected(lambda: insert(4, second.hash))
    assert "does not extend the chain" in rejected(lambda: insert(3, first.hash))
    assert rejected(lambda: insert(2, first.hash))
    assert AuditEntry.objects.count() == 2


def test_the_head_only_moves_forward_and_cannot_be_deleted() -> None:
    # Given three entries
    entries = write(3)
    # When someone rolls the head back, jumps it, points it at another hash or deletes it
    # Then the database refuses every one
    message = "may only move forward by one linked row"
    assert message in rejected(
        lambda: AuditChainHead.objects.update(count=2, last_hash=entries[1].hash)
    )
    assert message in rejected(lambda: AuditChainHead.objects.update(count=4))
    assert message in rejected(lambda: AuditChainHead.objects.update(last_hash=GENESIS))
    assert "DELETE rejected" in rejected(lambda: AuditChainHead.objects.all().delete())
    assert head_state() == (3, entries[2].hash)


# --- Tampering by someone who can drop the triggers -----------------------------------------


def test_an_altered_row_is_found() -> None:
    # Given three entries and an attacker who drops the triggers
    entries = write(3)
    drop_guards()
    # When the second row's content is changed
    AuditEntry.objects.filter(pk=entries[1].pk).update(after={"n": 999})
    # Then verification names that row
    report = verify_chain()
    assert (report.ok, report.code, report.first_bad_seq, report.first_bad_id) == (
        False,
        "altered",
        2,
        entries[1].pk,
    )
    assert report.checked == 1
    assert report.reason == (
        f"Bản ghi số 2 (id {entries[1].pk}) không khớp mã băm của nó: "
        "nội dung hoặc thứ tự đã bị sửa."
    )


def test_an_altered_actor_or_time_is_found() -> None:
    entries = write(2)
    drop_guards()
    AuditEntry.objects.filter(pk=entries[0].pk).update(actor_repr="someone-else")
    assert (verify_chain().code, verify_chain().first_bad_seq) == ("altered", 1)


def test_a_row_removed_from_the_middle_is_found() -> None:
    entries = write(4)
    drop_guards()
    AuditEntry.objects.filter(pk=entries[1].pk).delete()
    report = verify_chain()
    assert (report.ok, report.code, report.first_bad_seq, report.first_bad_id) == (
        False,
        "missing",
        2,
        entries[2].pk,
    )
    assert report.reason == (f"Thiếu bản ghi số 2 (bản ghi kế tiếp là số 3, id {entries[2].pk}).")


def test_rows_removed_from_the_end_are_found_by_the_head() -> None:
    entries = write(4)
    drop_guards()
    AuditEntry.objects.filter(pk__in=[entries[2].pk, entries[3].pk]).delete()
    report = verify_chain()
    assert (report.ok, report.code, report.first_bad_seq, report.checked) == (
        False,
        "truncated",
        3,
        2,
    )
    assert report.reason == (
        "Chuỗi dừng ở bản ghi số 2 nhưng đầu chuỗi ghi 4 bản ghi: các bản ghi cuối đã bị xoá."
    )


def test_reordered_rows_are_found() -> None:
    # Given four entries; the attacker swaps the places of the second and third
    entries = write(4)
    drop_guards()
    AuditEntry.objects.filter(pk=entries[1].pk).update(seq=-2)
    AuditEntry.objects.filter(pk=entries[2].pk).update(seq=2)
    AuditEntry.objects.filter(pk=entries[1].pk).update(seq=3)
    # Then the row now standing at seq 2 does not match its hash
    report = verify_chain()
    assert (report.code, report.first_bad_seq, report.first_bad_id) == (
        "altered",
        2,
        entries[2].pk,
    )


def test_a_row_slipped_in_before_the_chain_is_found() -> None:
    entries = write(2)
    drop_guards()
    AuditEntry.objects.create(
        seq=0,
        created_at=entries[0].created_at,
        action="test.forged",
        prev_hash=GENESIS,
        hash="f" * 64,
    )
    report = verify_chain()
    assert (report.code, report.first_bad_seq) == ("inserted", 0)


def test_a_row_appended_without_moving_the_head_is_found() -> None:
    entries = write(2)
    drop_guards()
    forged = AuditEntry(
        seq=3,
        created_at=entries[1].created_at,
        action="test.forged",
        prev_hash=entries[1].hash,
    )
    forged.hash = compute_hash(forged)
    forged.save()
    report = verify_chain()
    assert (report.code, report.first_bad_seq, report.first_bad_id) == (
        "inserted",
        3,
        forged.pk,
    )


def test_a_replaced_head_is_found() -> None:
    write(2)
    drop_guards()
    AuditChainHead.objects.update(last_hash="e" * 64)
    report = verify_chain()
    assert (report.code, report.first_bad_seq) == ("head_mismatch", 2)


def test_a_rewritten_chain_is_caught_only_by_an_anchor_kept_elsewhere() -> None:
    # Given four entries whose head was copied somewhere safe after the third
    entries = write(4)
    anchor = (3, entries[2].hash)
    # When the attacker alters the second row and recomputes every hash after it and the head
    drop_guards()
    prev = entries[0].hash
    for entry in AuditEntry.objects.filter(seq__gte=2).order_by("seq"):
        if entry.seq == 2:
            entry.after = {"n": 999}
        entry.prev_hash = prev
        entry.hash = compute_hash(entry)
        entry.save()
        prev = entry.hash
    AuditChainHead.objects.update(last_hash=prev)
    # Then the chain alone looks intact, and the anchor exposes it
    assert verify_chain().ok is True
    report = verify_chain(anchors=[anchor])
    assert (report.ok, report.code, report.first_bad_seq) == (False, "anchor", 3)


def test_an_anchor_beyond_a_truncated_chain_is_caught() -> None:
    entries = write(3)
    anchor = (3, entries[2].hash)
    drop_guards()
    AuditEntry.objects.filter(pk=entries[2].pk).delete()
    AuditChainHead.objects.update(count=2, last_hash=entries[1].hash)
    assert verify_chain().ok is True
    report = verify_chain(anchors=[anchor])
    assert (report.ok, report.code, report.first_bad_seq) == (False, "anchor", 3)


# --- The `lienthong audit` command ----------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_verify_command_reports_an_intact_log() -> None:
    write(3)
    assert run("verify") == "Nhật ký toàn vẹn: 3 bản ghi.\n"


def test_verify_command_fails_naming_the_first_bad_row() -> None:
    entries = write(3)
    drop_guards()
    AuditEntry.objects.filter(pk=entries[1].pk).update(action="test.forged")
    with pytest.raises(CommandError) as caught:
        run("verify")
    assert caught.value.returncode == 1
    assert str(caught.value) == (
        f"Nhật ký KHÔNG toàn vẹn tại bản ghi số 2 (id {entries[1].pk}): "
        f"Bản ghi số 2 (id {entries[1].pk}) không khớp mã băm của nó: "
        "nội dung hoặc thứ tự đã bị sửa."
    )


def test_verify_command_checks_anchors() -> None:
    entries = write(2)
    assert run("verify", "--anchor", f"2:{entries[1].hash}") == "Nhật ký toàn vẹn: 2 bản ghi.\n"
    with pytest.raises(CommandError) as caught:
        run("verify", "--anchor", f"1:{entries[0].hash}", "--anchor", f"2:{'a' * 64}")
    assert caught.value.returncode == 1
    assert "khác mã băm đã lưu giữ bên ngoài" in str(caught.value)


def test_head_tail_and_show_commands() -> None:
    with acting(request_id="req-show-0001", ip="198.51.100.4", via="cli:test"):
        entries = write(3)
    assert run("head") == f"3:{entries[2].hash}\n"
    lines = run("tail", "-n", "2").splitlines()
    assert [line.split()[0] for line in lines] == ["2", "3"]
    assert "test.step3" in lines[1] and "core.holiday#3" in lines[1] and "Ngày 3" in lines[1]
    shown = run("show", "2")
    assert "Hành động: test.step2\n" in shown
    assert "Mã yêu cầu: req-show-0001\n" in shown
    assert "IP: 198.51.100.4\n" in shown
    assert "Người thực hiện: cli:test (id None)\n" in shown
    assert f"Mã băm: {entries[1].hash}\n" in shown
    assert 'Sau: {\n  "n": 2\n}\n' in shown


def test_show_command_refuses_an_unknown_seq() -> None:
    write(1)
    with pytest.raises(CommandError) as caught:
        run("show", "99")
    assert (str(caught.value), caught.value.returncode) == ("Không có bản ghi số 99.", 2)


def test_verify_command_warns_when_the_triggers_are_gone() -> None:
    write(1)
    err = io.StringIO()
    call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""
    drop_guards()
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "verify", stdout=out, stderr=err)
    assert out.getvalue() == "Nhật ký toàn vẹn: 1 bản ghi.\n"
    assert err.getvalue().startswith("Cảnh báo: thiếu trigger chống sửa/xoá nhật ký: core_audit")
