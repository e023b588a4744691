"""Two services indexing the same new object at once leave one entry, with the last text."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from lienthong.search import services
from lienthong.search.models import SearchEntry, SearchText
from lienthong.search.tests.helpers import ids


@pytest.mark.django_db(transaction=True)
def test_two_indexers_of_one_new_object_leave_one_entry():
    # given a first service that indexes a new object and has not committed yet
    group = Group.objects.create(name="race")
    first_indexed, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                services.index(group, title="Bản đầu", body="Khiếu nại")
                first_indexed.set()
                release.wait(10)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_indexed.wait(10)
            services.index(group, title="Bản sau", body="Tố cáo")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    # when the second indexes the same object meanwhile (PostgreSQL: it waits on the unique
    # index, then meets the committed row; SQLite: it waits for the write lock)
    first_indexed.wait(10)
    time.sleep(0.5)
    release.set()
    for thread in threads:
        thread.join(30)
    # then there is one entry, holding the second text only
    assert errors == []
    assert SearchEntry.objects.count() == 1
    assert list(SearchText.objects.values_list("body", flat=True)) == ["Tố cáo"]
    assert ids(services.search("to cao")) == [str(group.pk)]
    assert services.search("khieu nai") == []
