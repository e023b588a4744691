"""Registration takes the arrival number last, so the shared rows are locked briefly.

Every registration of an agency waits on its number series row (locked from `next_number`
to commit) and on the audit chain head: the document, its files and its search index are
written before, and a failure there consumes no number.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lienthong.core.models import AuditEntry
from lienthong.documents import services
from lienthong.documents.models import DocumentIndex, IncomingDocument, NumberSeries
from lienthong.documents.numbering import current_number
from lienthong.documents.tests.conftest import World, data
from lienthong.exchange.models import OutboxEvent
from lienthong.search.models import SearchEntry
from lienthong.workflow.models import Task

pytestmark = pytest.mark.django_db


def _first(statements: list[str], needle: str) -> int:
    return next(i for i, sql in enumerate(statements) if needle in sql)


def test_the_number_is_taken_after_the_document_files_and_index(world: World) -> None:
    # given a clerk registering a paper document with a file
    with CaptureQueriesContext(connection) as captured:
        # when it is registered
        document = services.register_incoming(
            agency=world.agency,
            data=data(),
            files=[services.NewFile(name="cv.pdf", content_type="application/pdf", data=b"%PDF")],
            by=world.clerk,
        )
    statements = [query["sql"] for query in captured.captured_queries]
    number = _first(statements, "documents_numberseries")
    # then the document row, its file and both search rows are written before the number
    assert _first(statements, 'INSERT INTO "documents_incomingdocument"') < number
    assert _first(statements, 'INSERT INTO "documents_incomingfile"') < number
    assert _first(statements, 'INSERT INTO "documents_documentindex"') < number
    assert _first(statements, 'INSERT INTO "search_searchentry"') < number
    # and after it come only the leaders' task, the number on the document, the audit
    # entries and the event
    after = [sql.split()[0:3] for sql in statements[number + 1 :]]
    writes = {" ".join(words) for words in after if words[0] in ("INSERT", "UPDATE", "DELETE")}
    # The audit chain's head row is updated, or inserted when an earlier test (a transactional
    # one) emptied the table: either way it is written after the number.
    heads = {'INSERT INTO "core_auditchainhead"', 'UPDATE "core_auditchainhead" SET'}
    assert writes & heads
    assert writes - heads == {
        'INSERT INTO "workflow_task"',
        'INSERT INTO "core_auditentry"',
        'UPDATE "documents_incomingdocument" SET',
        'INSERT INTO "exchange_outboxevent"',
    }
    document.refresh_from_db()
    assert document.arrival_number == 1
    assert document.status == IncomingDocument.Status.PRESENTED
    assert document.presentation_task is not None
    assert document.presentation_task.title.startswith("Văn bản đến số 1:")
    assert DocumentIndex.objects.get(object_id=document.pk).year == document.arrival_year


def test_a_failure_before_the_number_consumes_none_and_writes_nothing(world: World) -> None:
    # given one registered document (number 1)
    first = services.register_incoming(agency=world.agency, data=data(), by=world.clerk)
    assert first.arrival_year is not None
    counts = (
        IncomingDocument.objects.count(),
        Task.objects.count(),
        DocumentIndex.objects.count(),
        SearchEntry.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )
    # when the next one fails on its file (too large), after the document row was written
    too_big = b"x" * (services.MAX_FILE_BYTES + 1)
    with pytest.raises(ValidationError) as caught:
        services.register_incoming(
            agency=world.agency,
            data=data(code_number="99"),
            files=[services.NewFile(name="big.pdf", content_type="application/pdf", data=too_big)],
            by=world.clerk,
        )
    # then nothing is left behind and the number was not taken: the next one is 2
    assert list(caught.value.message_dict) == ["files"]
    assert counts == (
        IncomingDocument.objects.count(),
        Task.objects.count(),
        DocumentIndex.objects.count(),
        SearchEntry.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )
    assert current_number(world.agency, NumberSeries.Series.INCOMING, first.arrival_year) == 1
    again = services.register_incoming(
        agency=world.agency, data=data(code_number="100"), by=world.clerk
    )
    assert again.arrival_number == 2
