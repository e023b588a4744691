"""Benchmark of the exchange adapters: edXML envelopes built and parsed (with a 5 MB
attachment and with a small one), packages received through the inbox's service, and dossier
status updates pushed to a fake national portal over local HTTP (each call logged).

Run by `make bench` on a fresh migrated database, or by hand on a scratch one:

    DJANGO_SETTINGS_MODULE=lienthong.settings LIENTHONG_DATA_DIR=/tmp/bench \
        .venv/bin/python bench/bench_adapters.py [--updates 300]

Prints JSON lines `edxml.build_parse_5mb`, `edxml.build_parse_small`, `edxml.receive` and
`portal.push`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def emit(record: dict[str, Any]) -> None:
    print(json.dumps(record), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--packages", type=int, default=200)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lienthong.settings")
    sys.path.insert(0, str(ROOT))  # tests.fakes: the fake portal is a real HTTP server
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone
    from tests.fakes.portal import FakePortal

    from lienthong.core.models import OrgUnit
    from lienthong.exchange.adapters import edxml, edxml_services, portal
    from lienthong.exchange.adapters.models import PortalUpdate
    from lienthong.exchange.clients.models import ClientSystem
    from lienthong.onestop.testing import make_dossier

    def envelope(size: int, n: int = 0) -> edxml.Envelope:
        return edxml.Envelope(
            sender=edxml.Organ("000.00.00.H41", "UBND tỉnh Nghệ An"),
            recipients=[edxml.Organ("000.00.00.H56", "UBND tỉnh Bình Dương")],
            subject=f"V/v phối hợp giải quyết hồ sơ số {n}",
            code_number=str(100 + n),
            code_notation="UBND-VP",
            promulgation_date=datetime.date(2026, 11, 26),
            attachments=[edxml.Attachment("van-ban.pdf", "application/pdf", os.urandom(size))],
        )

    sizes = (("edxml.build_parse_5mb", 5 << 20, 10), ("edxml.build_parse_small", 20_000, 500))
    for name, size, rounds in sizes:
        started = time.perf_counter()
        for _ in range(rounds):
            edxml.parse(edxml.build(envelope(size)))
        seconds = time.perf_counter() - started
        emit(
            {
                "bench": name,
                "n": rounds,
                "attachment_bytes": size,
                "seconds": round(seconds, 3),
                "per_second": round(rounds / seconds, 1),
                "mb_per_second": round(rounds * size / seconds / 1e6, 1),
            }
        )

    # Packages received through the inbox's service (no HTTP): parse, store, audit, log, event.
    agency = OrgUnit.objects.create(
        name="UBND tỉnh Bình Dương", code="000.00.00.H56", is_agency=True, code_is_demo=True
    )
    system = ClientSystem.objects.create(
        code="bench-peer", name="Bench peer", agency=agency, purpose="bench"
    )
    bodies = [edxml.build(envelope(20_000, n)) for n in range(args.packages)]
    started = time.perf_counter()
    for body in bodies:
        edxml_services.receive(body, client=system)
    seconds = time.perf_counter() - started
    emit(
        {
            "bench": "edxml.receive",
            "n": args.packages,
            "seconds": round(seconds, 3),
            "per_second": round(args.packages / seconds, 1),
        }
    )

    # Status updates pushed to the fake portal over local HTTP, one call each, logged.
    with FakePortal(token="bench") as fake:
        assert isinstance(fake, FakePortal)
        settings.LIENTHONG = {
            **settings.LIENTHONG,
            "PORTAL_URL": fake.endpoint,
            "PORTAL_TOKEN": "bench",
        }
        dossier = make_dossier()
        now = timezone.now()
        with transaction.atomic():
            for n in range(args.updates):
                PortalUpdate.objects.create(
                    event_id=uuid.uuid4(),
                    dossier_code=dossier.code,
                    status=2 + n % 8,
                    changed_at=now,
                )
        started = time.perf_counter()
        result = portal.push_pending(dossier.code)
        seconds = time.perf_counter() - started
        assert result.sent == args.updates, result
        assert len(fake.records) == args.updates
    emit(
        {
            "bench": "portal.push",
            "n": args.updates,
            "seconds": round(seconds, 3),
            "per_second": round(args.updates / seconds, 1),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
