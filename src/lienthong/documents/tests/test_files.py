"""Files of incoming documents: scanned by the real clamd (test signatures), refused whole when
infected, stored under a random name while the given one is kept for download."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from lienthong.core.clamd_testing import infected_pdf
from lienthong.core.models import AuditEntry
from lienthong.documents import services
from lienthong.documents.models import IncomingDocument, IncomingFile, NumberSeries

from .conftest import World, data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def stored(settings: Any) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_an_infected_file_refuses_the_whole_registration(
    world: World, clamd: str, settings: Any
) -> None:
    audit_before = AuditEntry.objects.count()
    with pytest.raises(services.ValidationError) as refused:
        services.register_incoming(
            agency=world.agency,
            data=data(),
            files=[
                services.NewFile(name="cong-van.pdf", data=b"%PDF-1.4 clean"),
                services.NewFile(name="phu-luc.pdf", data=infected_pdf()),
            ],
            by=world.clerk,
        )
    assert refused.value.message_dict["files"] == [
        "phu-luc.pdf: tệp có mã độc (LienThong.Test.Marker.UNOFFICIAL), không nhận."
    ]
    assert not IncomingDocument.objects.exists() and not IncomingFile.objects.exists()
    assert not NumberSeries.objects.filter(last_number__gt=0).exists()
    assert AuditEntry.objects.count() == audit_before
    assert stored(settings) == []


def test_a_clean_file_is_stored_under_a_random_name(
    world: World, clamd: str, settings: Any
) -> None:
    document = services.register_incoming(
        agency=world.agency,
        data=data(),
        files=[services.NewFile(name="../../Công văn số 123.PDF", data=b"%PDF-1.4 clean")],
        by=world.clerk,
    )
    item = document.files.get()
    assert item.name == "../../Công văn số 123.PDF"
    (path,) = stored(settings)
    assert re.fullmatch(r"[0-9a-f]{16}\.pdf", path.name)
    assert path.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert path.read_bytes() == b"%PDF-1.4 clean"
