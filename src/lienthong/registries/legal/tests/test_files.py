"""Import of documents from CSV and XLSX files and their export, on the pages and the API.

The shared import machinery of the registries (row-level report, nothing imported from a
file with errors unless "only the valid rows", one transaction, one audit entry and one
event for the file) with the legal registry's rules: numbers, types, dates in order,
duplicates in the file and against the table, relations to documents nobody holds.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from lienthong.accounts.models import User
from lienthong.core.models import AuditEntry, OrgUnit
from lienthong.core.testing_permissions import login
from lienthong.exchange.models import OutboxEvent
from lienthong.registries.base.models import ImportJob
from lienthong.registries.legal import fulltext, selectors
from lienthong.registries.legal.models import (
    DocumentRelation,
    DocumentStatus,
    LegalDocument,
    LegalText,
    RelationOrigin,
)

pytestmark = pytest.mark.django_db

API = "/api/registries/legal/documents"
HEADER = [
    "Số, ký hiệu",
    "Loại văn bản",
    "Cơ quan ban hành",
    "Ngày ban hành",
    "Ngày có hiệu lực",
    "Trích yếu",
    "Sửa đổi, bổ sung",
    "Căn cứ",
    "Toàn văn",
]
#: A provincial decision and the decision that amends it (named before it is defined).
GOOD_ROWS = [
    [
        "12/2024/QĐ-UBND",
        "Quyết định",
        "Ủy ban nhân dân tỉnh Bình Dương",
        "15/03/2024",
        "25/03/2024",
        "Ban hành Quy chế tiếp công dân trên địa bàn tỉnh",
        "",
        "",
        "Điều 1. Phạm vi điều chỉnh\nQuy chế này quy định việc tiếp công dân ở Thủ Dầu Một.",
    ],
    [
        "07/2025/QĐ-UBND",
        "quyet dinh",
        "Ủy ban nhân dân tỉnh Bình Dương",
        "2025-01-10",
        "",
        "Sửa đổi, bổ sung một số điều của Quy chế tiếp công dân",
        "12/2024/QĐ-UBND",
        "",
        "Điều 1. Sửa đổi khoản 2 Điều 3 của Quy chế.",
    ],
]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def state() -> tuple[Any, ...]:
    """Everything an import could change."""
    return (
        list(LegalDocument.objects.order_by("pk").values_list("number", "title", "status")),
        list(DocumentRelation.objects.order_by("pk").values_list("source_id", "target_number")),
        LegalText.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
        selectors.search_documents('"cong dan o thu dau mot"').total,
    )


def check_and_import(
    client: Client, owner: OrgUnit, content: bytes, name: str = "van-ban.csv", **confirm: Any
) -> ImportJob:
    """Upload on the page (checked at once), then confirm; the job as it ends."""
    response = client.post(
        "/csdl/van-ban/nhap/", {"file": upload(name, content), "owner": owner.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(registry="legal", original_name=name)
    assert response["Location"] == f"/csdl/van-ban/nhap/{job.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    client.post(f"/csdl/van-ban/nhap/{job.pk}/", confirm)
    job.refresh_from_db()
    return job


# --- Import on the pages --------------------------------------------------------------------


def test_a_good_file_imports_every_document_with_text_index_relations_and_one_record(
    client: Client, editor: User, owner: OrgUnit, complaints: dict[str, LegalDocument]
) -> None:
    login(client, editor)
    last_seq = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    events_before = set(OutboxEvent.objects.values_list("pk", flat=True))
    rows = [*GOOD_ROWS, ["100/2025/QĐ-UBND", "Quyết định", "UBND tỉnh", "", "", "Quy định"]]
    rows[2] += ["", "02/2011/QH13; 25/2018/QH14", ""]
    job = check_and_import(client, owner, csv_bytes(rows))

    assert job.status == ImportJob.Status.IMPORTED
    assert (job.total_rows, job.valid_rows, job.imported_rows, job.error_count) == (3, 3, 3, 0)
    decision = LegalDocument.objects.get(number="12/2024/QĐ-UBND")
    amending = LegalDocument.objects.get(number="07/2025/QĐ-UBND")
    assert decision.owner == owner and decision.created_by == editor
    assert decision.issued_date == datetime.date(2024, 3, 15)
    assert amending.issued_date == datetime.date(2025, 1, 10) and amending.doc_type == "decision"
    assert decision.text.startswith("Điều 1. Phạm vi điều chỉnh\nQuy chế")
    # Indexed in the same transaction: found without diacritics.
    found = selectors.search_documents('"tiep cong dan o thu dau mot"')
    assert [h.document.number for h in found.hits] == ["12/2024/QĐ-UBND"]
    # The relation of the file, linked to the row above it; the amended decision's status.
    relation = amending.relations.get()
    assert (relation.kind, relation.target_id, relation.origin) == (
        "amends",
        decision.pk,
        RelationOrigin.MANUAL,
    )
    assert decision.status == DocumentStatus.PARTLY_AMENDED
    based = LegalDocument.objects.get(number="100/2025/QĐ-UBND").relations.order_by("pk")
    assert [(r.kind, r.target_id) for r in based] == [
        ("based_on", complaints["02-2011-qh13"].pk),
        ("based_on", complaints["25-2018-qh14"].pk),
    ]
    # One audit entry and one event for the file; each document's history begins here.
    actions = list(AuditEntry.objects.filter(seq__gt=last_seq).values_list("action", flat=True))
    assert actions.count("registry.legal.import") == 1
    assert actions.count("legal.document.create") == 3
    entry = AuditEntry.objects.get(action="registry.legal.import")
    assert entry.after is not None
    assert (entry.after["rows"], entry.after["owner"], entry.after["file"]) == (
        3,
        owner.pk,
        "van-ban.csv",
    )
    events = OutboxEvent.objects.exclude(pk__in=events_before)
    assert [e.type for e in events if e.type.startswith("registry.")] == ["registry.legal.imported"]
    assert events.get(type="registry.legal.imported").data == {
        "registry": "legal",
        "job": job.pk,
        "rows": 3,
        "owner": owner.pk,
    }
    assert not events.filter(type="legal.document.created").exists()
    # The page says so, and confirming again imports nothing more.
    page = client.get(f"/csdl/van-ban/nhap/{job.pk}/").content.decode()
    assert "Đã nhập 3 bản ghi." in page
    again = client.post(f"/csdl/van-ban/nhap/{job.pk}/", {})
    assert LegalDocument.objects.count() == 8
    assert "Tệp này đã được nhập" in client.get(again["Location"]).content.decode()


BAD_ROWS = [
    # 2: good
    GOOD_ROWS[0],
    # 3: a number without digits
    ["QĐ-UBND", "Quyết định", "UBND tỉnh", "", "", "Tiêu đề", "", "", ""],
    # 4: an unknown type
    ["3/2024/QĐ-UBND", "Công văn", "UBND tỉnh", "", "", "Tiêu đề", "", "", ""],
    # 5: no issuer
    ["4/2024/QĐ-UBND", "Quyết định", "", "", "", "Tiêu đề", "", "", ""],
    # 6: in force before it was issued
    ["5/2024/QĐ-UBND", "Quyết định", "UBND tỉnh", "10/05/2024", "01/05/2024", "T", "", "", ""],
    # 7: the number of row 2 again, written otherwise
    ["12/2024/qđ-ubnd", "Quyết định", "UBND tỉnh", "", "", "Trùng", "", "", ""],
    # 8: a number the registry holds already
    ["02/2011/QH13", "Luật", "Quốc hội", "", "", "Luật Khiếu nại", "", "", ""],
    # 9: amends a document nobody holds
    ["9/2024/QĐ-UBND", "Quyết định", "UBND tỉnh", "", "", "Sửa", "99/2099/QĐ-UBND", "", ""],
    # 10: a bad date
    ["10/2024/QĐ-UBND", "Quyết định", "UBND tỉnh", "31/02/2024", "", "T", "", "", ""],
    # 11: good, based on row 2 of the file and on a law of the registry
    ["11/2024/QĐ-UBND", "Quyết định", "UBND tỉnh", "", "", "Căn cứ", "", "12/2024/QĐ-UBND", ""],
    # 12: amends row 4, which has an error (so it cannot be imported either)
    ["13/2024/QĐ-UBND", "Quyết định", "UBND tỉnh", "", "", "Sửa", "3/2024/QĐ-UBND", "", ""],
    # 13: based on row 9, which names a document nobody holds
    ["14/2024/QĐ-UBND", "Quyết định", "UBND tỉnh", "", "", "Căn cứ", "", "9/2024/QĐ-UBND", ""],
]
BAD_ROW_NUMBERS = [3, 4, 5, 6, 7, 8, 9, 10, 12, 13]


def _report(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def test_a_bad_file_gets_a_row_level_report_and_changes_nothing(
    client: Client, editor: User, owner: OrgUnit, complaints: dict[str, LegalDocument]
) -> None:
    login(client, editor)
    before = state()
    job = check_and_import(client, owner, csv_bytes(BAD_ROWS))

    assert job.status == ImportJob.Status.REJECTED
    assert (job.total_rows, job.valid_rows, job.imported_rows) == (12, 2, 0)
    report = _report(job)
    assert [row for row, _c, _m in report] == BAD_ROW_NUMBERS
    by_row = {row: (column, message) for row, column, message in report}
    assert by_row[3] == ("Số, ký hiệu", "Số, ký hiệu phải có chữ số, ví dụ 02/2011/QH13.")
    assert by_row[4][0] == "Loại văn bản" and "“Công văn” không phải một trong" in by_row[4][1]
    assert by_row[5] == ("Cơ quan ban hành", "Chưa có giá trị (bắt buộc).")
    assert by_row[6] == (
        "Ngày có hiệu lực",
        "Ngày có hiệu lực không được trước ngày ban hành.",
    )
    assert by_row[7] == ("Số, ký hiệu", "Số 12/2024/qđ-ubnd trùng với dòng 2 của tệp.")
    assert by_row[8] == ("Số, ký hiệu", "Đã có văn bản số 02/2011/QH13.")
    assert by_row[9] == (
        "Sửa đổi, bổ sung",
        "Văn bản số 99/2099/QĐ-UBND không có trong cơ sở dữ liệu, cũng không có ở dòng hợp "
        "lệ nào của tệp.",
    )
    assert by_row[10] == ("Ngày ban hành", "“31/02/2024” không phải ngày hợp lệ (dd/mm/yyyy).")
    assert by_row[12] == (
        "Sửa đổi, bổ sung",
        "Văn bản số 3/2024/QĐ-UBND không có trong cơ sở dữ liệu, cũng không có ở dòng hợp "
        "lệ nào của tệp.",
    )
    assert by_row[13][0] == "Căn cứ" and "9/2024/QĐ-UBND" in by_row[13][1]
    # Nothing written: no document, relation, text, index entry, audit entry or event.
    assert state() == before
    page = client.get(f"/csdl/van-ban/nhap/{job.pk}/").content.decode()
    assert "Tệp có lỗi nên chưa nhập dòng nào." in page
    assert "Văn bản số 99/2099/QĐ-UBND không có trong cơ sở dữ liệu" in page
    # The report as CSV.
    report_csv = client.get(f"/csdl/van-ban/nhap/{job.pk}/loi.csv")
    assert report_csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(report_csv.content.decode("utf-8-sig"))))
    assert lines[0] == ["Dòng", "Cột", "Lỗi"] and len(lines) == 11
    assert lines[5] == ["7", "Số, ký hiệu", "Số 12/2024/qđ-ubnd trùng với dòng 2 của tệp."]


def test_only_the_valid_rows_when_asked(
    client: Client, editor: User, owner: OrgUnit, complaints: dict[str, LegalDocument]
) -> None:
    login(client, editor)
    job = check_and_import(client, owner, csv_bytes(BAD_ROWS), valid_only="on")

    assert job.status == ImportJob.Status.IMPORTED and job.valid_only
    assert (job.imported_rows, job.error_count) == (2, 10)
    added = LegalDocument.objects.filter(owner=owner).exclude(
        pk__in=[d.pk for d in complaints.values()]
    )
    assert sorted(added.values_list("number", flat=True)) == ["11/2024/QĐ-UBND", "12/2024/QĐ-UBND"]
    based = LegalDocument.objects.get(number="11/2024/QĐ-UBND").relations.get()
    assert based.target == LegalDocument.objects.get(number="12/2024/QĐ-UBND")
    # The report still lists the rows left out.
    assert [e["row"] for e in job.errors] == BAD_ROW_NUMBERS
    assert (AuditEntry.objects.get(action="registry.legal.import").after or {})["valid_only"]


def test_an_xlsx_file_with_date_and_number_cells(
    client: Client, editor: User, owner: OrgUnit
) -> None:
    login(client, editor)
    rows: list[list[Any]] = [
        [
            "15/2024/QĐ-UBND",
            "Quyết định",
            "UBND tỉnh",
            datetime.datetime(2024, 6, 1),
            datetime.date(2024, 6, 15),
            "Quy định về tiếp công dân",
            None,
            None,
            "Điều 1. Tiếp công dân vào thứ Năm hằng tuần.",
        ],
        ["16/2024/QĐ-UBND", "Quyết định", "UBND tỉnh", "mai", None, "Ngày sai", None, None, None],
    ]
    before = state()
    job = check_and_import(client, owner, xlsx_bytes(rows), name="van-ban.xlsx")
    assert job.status == ImportJob.Status.REJECTED and job.file_format == "xlsx"
    assert _report(job) == [(3, "Ngày ban hành", "“mai” không phải ngày hợp lệ (dd/mm/yyyy).")]
    assert state() == before

    rows[1][3] = 20240701  # a date typed as a number is not a date
    job = check_and_import(client, owner, xlsx_bytes(rows), name="van-ban-1.xlsx")
    assert _report(job) == [(3, "Ngày ban hành", "“20240701” không phải ngày hợp lệ (dd/mm/yyyy).")]
    rows[1][3] = datetime.date(2024, 7, 1)
    job = check_and_import(client, owner, xlsx_bytes(rows), name="van-ban-2.xlsx")
    assert job.status == ImportJob.Status.IMPORTED and job.imported_rows == 2
    document = LegalDocument.objects.get(number="15/2024/QĐ-UBND")
    assert (document.issued_date, document.effective_date) == (
        datetime.date(2024, 6, 1),
        datetime.date(2024, 6, 15),
    )
    assert fulltext.is_indexed(document.pk)
    assert selectors.search_documents("thu nam hang tuan").hits[0].document == document


def test_a_header_the_registry_does_not_know_imports_nothing(
    client: Client, editor: User, owner: OrgUnit
) -> None:
    login(client, editor)
    job = check_and_import(
        client, owner, csv_bytes([GOOD_ROWS[0][:3]], header=["so_hieu", "type", "issuer"])
    )
    assert job.status == ImportJob.Status.REJECTED and job.valid_rows == 0
    messages = [e["message"] for e in job.errors]
    assert "Cột “so_hieu” không có trong mẫu nhập." in messages
    assert "Thiếu cột bắt buộc “Số, ký hiệu”." in messages
    assert not LegalDocument.objects.exists()


def test_the_import_pages_are_for_registry_owners(
    client: Client,
    owner: OrgUnit,
    editor: User,
    other_editor: User,
    specialist: User,
    citizen: User,
) -> None:
    anonymous = client.get("/csdl/van-ban/nhap/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    for user in (specialist, citizen):
        login(client, user)
        assert client.get("/csdl/van-ban/nhap/").status_code == 403
        refused = client.post(
            "/csdl/van-ban/nhap/",
            {"file": upload("a.csv", csv_bytes(GOOD_ROWS)), "owner": owner.pk},
        )
        assert refused.status_code == 403
    # A registry owner of another agency cannot import for this one, nor see its imports.
    login(client, other_editor)
    page = client.get("/csdl/van-ban/nhap/")
    assert page.status_code == 200 and "Sở khác" in page.content.decode()
    refused = client.post(
        "/csdl/van-ban/nhap/", {"file": upload("a.csv", csv_bytes(GOOD_ROWS)), "owner": owner.pk}
    )
    assert refused.status_code == 422 and not ImportJob.objects.exists()
    login(client, editor)
    job = check_and_import(client, owner, csv_bytes(GOOD_ROWS[:1]), name="mine.csv")
    login(client, other_editor)
    assert client.get(f"/csdl/van-ban/nhap/{job.pk}/").status_code == 404
    assert client.get(f"/csdl/van-ban/nhap/{job.pk}/loi.csv").status_code == 404
    # The list offers the import to registry owners only.
    assert 'id="legal-import"' in client.get("/csdl/van-ban/").content.decode()
    login(client, specialist)
    assert 'id="legal-import"' not in client.get("/csdl/van-ban/").content.decode()


def test_a_file_that_is_neither_csv_nor_xlsx(client: Client, editor: User, owner: OrgUnit) -> None:
    login(client, editor)
    response = client.post(
        "/csdl/van-ban/nhap/", {"file": upload("van-ban.txt", b"x"), "owner": owner.pk}
    )
    assert response.status_code == 422
    assert "Chỉ nhận tệp CSV hoặc XLSX" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- Export ---------------------------------------------------------------------------------


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _facts(document: LegalDocument) -> tuple[Any, ...]:
    relations = sorted(
        (r.kind, r.target_number)
        for r in document.relations.filter(rejected=False, target__isnull=False)
    )
    return (
        document.number,
        document.doc_type,
        document.issuer,
        document.issued_date,
        document.effective_date,
        document.expiry_date,
        document.effective_note,
        document.title,
        document.status,
        document.status_locked,
        document.source,
        document.source_url,
        document.text_form,
        relations,
        document.text,
    )


def _forget(documents: list[LegalDocument]) -> None:
    """Take documents out of the test database altogether (index rows too), so that their
    export can be imported again as new."""
    for document in documents:
        fulltext.remove_document(document.pk)
    LegalDocument.objects.filter(pk__in=[d.pk for d in documents]).delete()


@pytest.mark.parametrize(("fmt", "text"), [("csv", True), ("xlsx", False)])
def test_an_export_imports_back_to_the_same_documents(
    client: Client,
    editor: User,
    owner: OrgUnit,
    complaints: dict[str, LegalDocument],
    fmt: str,
    text: bool,
) -> None:
    login(client, editor)
    law = complaints["02-2011-qh13"]
    from lienthong.registries.legal import services

    services.update_document(law, status=DocumentStatus.EXPIRED, by=editor)
    documents = list(LegalDocument.objects.order_by("pk"))
    before = {d.number: _facts(d) for d in documents}
    assert any(facts[-2] for facts in before.values())  # some relations to export

    params = {"format": fmt, **({"toan_van": "1"} if text else {})}
    response = client.get("/csdl/van-ban/xuat/", params)
    assert response.status_code == 200
    content = _streamed(response)
    if fmt == "csv":
        rows = _csv_rows(content)
    else:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        rows = [["" if c is None else str(c) for c in r] for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["Số, ký hiệu", "Loại văn bản", "Cơ quan ban hành"]
    assert ("Toàn văn" in rows[0]) is text
    assert len(rows) == 6
    _forget(documents)

    job = check_and_import(client, owner, content, name=f"xuat.{fmt}")
    assert job.status == ImportJob.Status.IMPORTED, job.errors
    after = {d.number: _facts(d) for d in LegalDocument.objects.all()}
    if not text:  # metadata only: the texts stay out, and the relations read from them
        before = {n: (*f[:-2], f[-2], "") for n, f in before.items()}
    assert after == before


def test_an_export_follows_the_list_filters_and_is_public(
    client: Client, complaints: dict[str, LegalDocument]
) -> None:
    decrees = _csv_rows(_streamed(client.get("/csdl/van-ban/xuat/", {"type": "decree"})))
    assert sorted(r[0] for r in decrees[1:]) == ["31/2019/NĐ-CP", "64/2014/NĐ-CP"]
    found = _csv_rows(_streamed(client.get("/csdl/van-ban/xuat/", {"q": "to cao", "year": "2018"})))
    assert [r[0] for r in found[1:]] == ["25/2018/QH14"]
    listing = client.get("/csdl/van-ban/", {"type": "decree"}).content.decode()
    assert "/csdl/van-ban/xuat/?type=decree&amp;format=xlsx" in listing
    bad = client.get("/csdl/van-ban/xuat/", {"year": "abc", "format": "csv"})
    assert bad.status_code == 302 and bad["Location"] == "/csdl/van-ban/"
    assert "Năm ban hành phải là số" in client.get(bad["Location"]).content.decode()


def test_a_law_is_too_long_for_an_xlsx_cell(
    client: Client, complaints: dict[str, LegalDocument]
) -> None:
    response = client.get("/csdl/van-ban/xuat/", {"format": "xlsx", "toan_van": "1", "type": "law"})
    assert response.status_code == 302 and response["Location"] == "/csdl/van-ban/?type=law"
    page = client.get(response["Location"]).content.decode()
    assert "quá sức chứa một ô XLSX (32767); hãy xuất CSV." in page
    api = client.get(f"{API}/export", {"format": "xlsx", "text": "true"})
    assert api.status_code == 422
    assert api.json()["errors"][0]["loc"] == ["query", "text"]


# --- API ------------------------------------------------------------------------------------


def test_api_import_created_and_rejected(
    client: Client, editor: User, owner: OrgUnit, complaints: dict[str, LegalDocument]
) -> None:
    login(client, editor)
    before = state()
    rejected = client.post(
        f"{API}/import", {"file": upload("x.csv", csv_bytes(BAD_ROWS)), "owner": owner.code}
    )
    assert rejected.status_code == 422
    body = rejected.json()
    assert body["status"] == "rejected" and body["imported_rows"] == 0
    assert body["detail"].startswith("Tệp có lỗi nên không nhập dòng nào")
    assert body["errors"][0] == {
        "row": 3,
        "column": "Số, ký hiệu",
        "message": "Số, ký hiệu phải có chữ số, ví dụ 02/2011/QH13.",
    }
    assert state() == before

    created = client.post(
        f"{API}/import",
        {"file": upload("y.xlsx", xlsx_bytes(GOOD_ROWS)), "owner": str(owner.pk)},
    )
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("status", "imported_rows", "error_count")} == {
        "status": "imported",
        "imported_rows": 2,
        "error_count": 0,
    }
    valid = client.post(
        f"{API}/import",
        {
            "file": upload("z.csv", csv_bytes(BAD_ROWS[1:])),
            "owner": owner.code,
            "valid_only": "true",
        },
    )
    # Row 2 of this file (11/2024) is based on 12/2024, now in the registry.
    assert valid.status_code == 201 and valid.json()["imported_rows"] == 1


def test_api_import_refusals(
    client: Client,
    owner: OrgUnit,
    editor: User,
    other_editor: User,
    specialist: User,
) -> None:
    def post(**data: Any) -> Any:
        return client.post(f"{API}/import", {"file": upload("a.csv", csv_bytes(GOOD_ROWS)), **data})

    assert post(owner=owner.code).status_code == 401
    login(client, specialist)
    refused = post(owner=owner.code)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Bạn không có quyền cập nhật cơ sở dữ liệu văn bản."}
    login(client, other_editor)
    refused = post(owner=owner.code)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Bạn không có quyền nhập dữ liệu cho cơ quan này."}
    login(client, editor)
    unknown = post(owner="000.00.00.X00")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["msg"] == "Không có cơ quan, đơn vị này."
    text = client.post(f"{API}/import", {"file": upload("a.txt", b"x"), "owner": owner.code})
    assert text.status_code == 422
    assert text.json()["errors"] == [
        {"row": 0, "column": "", "message": "Chỉ nhận tệp CSV hoặc XLSX (tệp đã chọn: “a.txt”)."}
    ]
    assert not LegalDocument.objects.exists() and not ImportJob.objects.exists()


def test_api_export(client: Client, complaints: dict[str, LegalDocument]) -> None:
    response = client.get(f"{API}/export", {"type": "law", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="van-ban.csv"'
    rows = _csv_rows(_streamed(response))
    assert sorted(r[0] for r in rows[1:]) == ["02/2011/QH13", "25/2018/QH14", "42/2013/QH13"]
    xlsx = client.get(f"{API}/export", {"format": "xlsx", "q": "khieu nai"})
    sheet = load_workbook(io.BytesIO(_streamed(xlsx)), read_only=True).worksheets[0]
    numbers = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    listed = client.get(API, {"q": "khieu nai", "limit": "100"}).json()
    assert sorted(numbers) == sorted(i["number"] for i in listed["items"])
    bad = client.get(f"{API}/export", {"format": "pdf", "year": "x"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"loc": ["query", "year"], "msg": "Năm ban hành phải là số, ví dụ 2015.", "type": "invalid"}
    ]
    pdf = client.get(f"{API}/export", {"format": "pdf"})
    assert pdf.status_code == 422
    assert pdf.json()["errors"][0]["msg"] == "Định dạng phải là csv hoặc xlsx."


# --- Admin: history and revert --------------------------------------------------------------


def test_the_admin_shows_history_and_reverts_a_version(
    client: Client,
    complaints: dict[str, LegalDocument],
    editor: User,
    make_admin: Callable[[], User],
) -> None:
    from lienthong.registries.legal import services

    law = complaints["25-2018-qh14"]
    title = law.title
    services.update_document(law, title="Luật Tố cáo (sửa nhầm)", issuer="Ai đó", by=editor)
    login(client, make_admin())
    history = client.get(f"/admin/legal/legaldocument/{law.pk}/history/")
    assert history.status_code == 200
    page = history.content.decode()
    assert "Luật Tố cáo (sửa nhầm)" in page and "Trả về phiên bản này" in page
    created = AuditEntry.objects.of_object(law).get(action="legal.document.create")
    reverted = client.post(f"/admin/legal/legaldocument/{law.pk}/history/{created.seq}/revert/")
    assert reverted.status_code == 302
    law.refresh_from_db()
    assert (law.title, law.issuer) == (title, "Quốc hội")
    updates = AuditEntry.objects.of_object(law).filter(action="legal.document.update")
    assert [(e.after or {})["title"] for e in updates.order_by("seq")] == [
        "Luật Tố cáo (sửa nhầm)",
        title,
    ]
    assert selectors.search_documents('"to cao sua nham"').total == 0
    # A version of another document is not this one's.
    other = AuditEntry.objects.of_object(complaints["02-2011-qh13"]).first()
    assert other is not None
    missing = client.post(f"/admin/legal/legaldocument/{law.pk}/history/{other.seq}/revert/")
    assert missing.status_code == 404


@pytest.fixture
def make_admin(db: Any) -> Callable[[], User]:
    from lienthong.core.testing import make_user

    return lambda: make_user("quantri", is_superuser=True, is_staff=True, kind=User.Kind.OFFICIAL)
