"""Purposes and time limits come back when their tables were emptied (e.g. by a flush)."""

from __future__ import annotations

import datetime

import pytest

from lienthong.core.testing import make_user
from lienthong.privacy import services
from lienthong.privacy.models import ConsentPurpose, RequestTimeLimit

pytestmark = pytest.mark.django_db


def test_consent_and_limits_work_after_the_tables_were_emptied() -> None:
    ConsentPurpose.objects.all().delete()
    RequestTimeLimit.objects.all().delete()
    citizen = make_user()

    consents = services.give_consents(subject=citizen, purposes=["dossier_handling"], by=citizen)

    assert [c.purpose.code for c in consents] == ["dossier_handling"]
    assert ConsentPurpose.objects.count() > 1
    kind = RequestTimeLimit.objects.values_list("kind", flat=True).first()
    assert kind is not None
    assert services.time_limit(kind, datetime.date(2026, 6, 1)).ack_working_days == 2
