"""The consent purposes and request time limits that migration 0002 writes, written again when
their tables are empty (a database flushed after a transactional test, or emptied by hand)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.db import transaction

from lienthong.privacy.models import ConsentPurpose, RequestTimeLimit

_SEED = importlib.import_module("lienthong.privacy.migrations.0002_seed_purposes_and_limits")


def ensure_seeded() -> None:
    """Write the default purposes and limits when either table is empty."""
    if ConsentPurpose.objects.exists() and RequestTimeLimit.objects.exists():
        return
    with transaction.atomic():
        _SEED.seed(apps, None)
