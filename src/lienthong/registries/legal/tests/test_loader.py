"""Loading a corpus folder: idempotent, a changed file updates its record, bad files are
named and (unless asked) stop the whole load, relations link whatever the file order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lienthong.core.context import acting
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.legal import fulltext, services
from lienthong.registries.legal.models import (
    DocumentRelation,
    DocumentStatus,
    LegalDocument,
    RelationKind,
)
from lienthong.registries.legal.tests.conftest import COMPLAINTS, copy_corpus

pytestmark = pytest.mark.django_db


def _state() -> tuple[int, int, int, int]:
    return (
        LegalDocument.objects.count(),
        DocumentRelation.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )


def _load(folder: Path, **kwargs: object) -> services.LoadReport:
    with acting(via="test"):
        return services.load_folder(folder, **kwargs)  # type: ignore[arg-type]


def test_loading_twice_changes_nothing_the_second_time(tmp_path: Path, owner: OrgUnit) -> None:
    folder = copy_corpus(tmp_path / "c", COMPLAINTS)
    (folder / "README.md").write_text("# not a document\n", encoding="utf-8")
    first = _load(folder, owner=owner)
    assert sorted(first.created) == sorted(
        ["02/2011/QH13", "42/2013/QH13", "25/2018/QH14", "31/2019/NĐ-CP", "64/2014/NĐ-CP"]
    )
    assert first.files == 5 and first.errors == []
    assert first.relations > 0
    assert all(d.owner == owner for d in LegalDocument.objects.all())
    assert all(fulltext.is_indexed(d.pk) for d in LegalDocument.objects.all())
    before = _state()
    second = _load(folder, owner=owner)
    assert second.created == [] and second.updated == []
    assert len(second.unchanged) == 5
    assert not second.changed
    assert _state() == before  # no row, no audit entry, no event


def test_a_changed_file_updates_its_record_only(tmp_path: Path, owner: OrgUnit) -> None:
    folder = copy_corpus(tmp_path / "c", COMPLAINTS)
    _load(folder, owner=owner)
    law = LegalDocument.objects.get(number="02/2011/QH13")
    path = folder / "02-2011-qh13.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'title: "Luật Khiếu nại"', 'title: "Luật Khiếu nại (sửa tên)"'
        ),
        encoding="utf-8",
    )
    events = OutboxEvent.objects.count()
    report = _load(folder, owner=owner)
    assert report.updated == ["02/2011/QH13"]
    assert len(report.unchanged) == 4
    law.refresh_from_db()
    assert law.title == "Luật Khiếu nại (sửa tên)"
    entry = AuditEntry.objects.of_object(law).filter(action="legal.document.update").get()
    assert entry.before is not None and entry.after is not None
    assert entry.before["title"] == "Luật Khiếu nại"
    assert entry.after["title"] == "Luật Khiếu nại (sửa tên)"
    assert "text" not in entry.after and entry.after["text_length"] == len(law.text)
    assert OutboxEvent.objects.filter(type="legal.document.updated").count() == 1
    assert OutboxEvent.objects.count() == events + 1
    # the index follows the new title
    from lienthong.registries.legal.selectors import search_documents

    assert search_documents("sua ten").hits[0].document == law


def test_a_bad_file_is_named_and_nothing_is_loaded(tmp_path: Path, owner: OrgUnit) -> None:
    folder = copy_corpus(tmp_path / "c", COMPLAINTS)
    good = (folder / "25-2018-qh14.md").read_text(encoding="utf-8")
    (folder / "99-2099-qh99.md").write_text(
        good.replace('issued_date: "2018-06-12"', 'issued_date: "12/06/2018"').replace(
            "25/2018/QH14", "99/2099/QH99"
        ),
        encoding="utf-8",
    )
    before = _state()
    with pytest.raises(services.LoadError) as caught:
        _load(folder, owner=owner)
    assert caught.value.report.errors == [
        "99-2099-qh99.md:5: issued_date “12/06/2018” không phải ngày dạng YYYY-MM-DD."
    ]
    assert _state() == before


def test_the_valid_files_load_when_asked_and_the_bad_ones_are_reported(
    tmp_path: Path, owner: OrgUnit
) -> None:
    folder = copy_corpus(tmp_path / "c", ["02-2011-qh13"])
    (folder / "broken.md").write_text("no front matter\n", encoding="utf-8")
    report = _load(folder, owner=owner, skip_invalid=True)
    assert report.created == ["02/2011/QH13"]
    assert report.errors == ["broken.md:1: tệp không bắt đầu bằng dòng “---” của phần thông tin."]
    assert "1 tệp lỗi" in report.summary()


def test_two_files_with_one_number_are_an_error(tmp_path: Path, owner: OrgUnit) -> None:
    folder = copy_corpus(tmp_path / "c", ["02-2011-qh13"])
    (folder / "copy.md").write_text(
        (folder / "02-2011-qh13.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(services.LoadError, match="số 02/2011/QH13 trùng với tệp"):
        _load(folder)
    assert not LegalDocument.objects.exists()


def test_a_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        _load(tmp_path / "nowhere")


def test_a_deleted_document_is_not_brought_back_by_a_reload(tmp_path: Path, owner: OrgUnit) -> None:
    folder = copy_corpus(tmp_path / "c", ["02-2011-qh13", "42-2013-qh13"])
    _load(folder, owner=owner)
    law = LegalDocument.objects.get(number="02/2011/QH13")
    with acting(via="test"):
        services.delete_document(law)
    (folder / "02-2011-qh13.md").write_text(
        (folder / "02-2011-qh13.md").read_text(encoding="utf-8") + "\nThêm một dòng.\n",
        encoding="utf-8",
    )
    report = _load(folder, owner=owner)
    assert report.skipped_deleted == ["02/2011/QH13"]
    law.refresh_from_db()
    assert law.is_deleted and not fulltext.is_indexed(law.pk)


def test_relations_link_whatever_order_the_files_come_in(
    load: Callable[..., services.LoadReport],
) -> None:
    # 42/2013 ends Chapter V of 02/2011; load the one acting first, the other later.
    load(["42-2013-qh13"])
    relation = DocumentRelation.objects.get(target_number="02/2011/QH13")
    assert relation.kind == RelationKind.PARTLY_REPLACES and relation.target is None
    load(["02-2011-qh13"])
    relation.refresh_from_db()
    complaints = LegalDocument.objects.get(number="02/2011/QH13")
    assert relation.target == complaints
    assert complaints.status == DocumentStatus.PARTLY_AMENDED


def test_a_guide_naming_a_law_by_title_links_to_it(
    load: Callable[..., services.LoadReport],
) -> None:
    load(["25-2018-qh14", "31-2019-nd-cp"])
    decree = LegalDocument.objects.get(number="31/2019/NĐ-CP")
    guides = decree.relations.get(kind=RelationKind.GUIDES)
    assert guides.target_number == "25/2018/QH14"
    assert guides.target == LegalDocument.objects.get(number="25/2018/QH14")
