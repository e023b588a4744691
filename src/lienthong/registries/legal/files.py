"""Documents in and out of CSV and XLSX files, on the shared import and export machinery.

The legal registry is not a `RegistryRecord` (its text, full-text index and relations live
in tables of their own), so it is not registered with the generic pages; it describes its
file columns with a `RegistryType` all the same, `DOCUMENTS`, and hands it to
`registries.base.importing` (streamed reading, row-level report, spool, ImportJob, one
audit entry `registry.legal.import` and one event `registry.legal.imported`) and
`registries.base.exporting` (streamed CSV, write-only XLSX). What it adds:

- `build`: one row checked by `services.check_document`, the rules of the pages and the
  API (number, type, issuer, dates in order, a number already in the registry);
- `check_rows`, once every row is read: a number twice in the file, and relations naming a
  document that is neither in the registry nor on a valid row of the file (a row left out
  takes the rows naming it along);
- `write_rows`: `services.create_imported`, which writes each document as the pages do
  (text, index, audit entry, relations from the columns and from the text, statuses).

An export has the columns the import reads, so it can be edited and imported again; the
full text only when asked (a law runs to 460 KB: more than an XLSX cell's 32,767
characters).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.registries.base.importing import (
    CheckResult,
    Column,
    ImportContext,
    RowError,
    Spool,
    parse_choice,
    parse_date,
    parse_text,
)
from lienthong.registries.base.registry import RegistryType
from lienthong.registries.legal import fulltext, services
from lienthong.registries.legal.forms import DocumentForm
from lienthong.registries.legal.models import (
    DocumentRelation,
    DocumentStatus,
    DocumentType,
    LegalDocument,
    LegalText,
    RelationKind,
)
from lienthong.registries.legal.numbers import number_key
from lienthong.registries.legal.selectors import Filters
from lienthong.search.query import Query, parse

#: Characters an XLSX cell holds.
XLSX_CELL_MAX = 32_767
#: Relation columns: one per kind, labelled as the document page reads them.
RELATION_KINDS = tuple(RelationKind.values)
#: Separators of several numbers in one relation cell.
_SEPARATORS = (";", "\n")


# --- Columns --------------------------------------------------------------------------------


def _parse_numbers(value: str) -> list[str]:
    """Document numbers written one per line or separated by ";" (each must have digits)."""
    text = value
    for separator in _SEPARATORS[1:]:
        text = text.replace(separator, _SEPARATORS[0])
    numbers: list[str] = []
    for part in text.split(_SEPARATORS[0]):
        number = " ".join(part.split())
        if not number:
            continue
        if not any(ch.isdigit() for ch in number_key(number)) or len(number) > 100:
            raise ValidationError(
                _("“%(value)s” không phải số, ký hiệu văn bản (ví dụ 02/2011/QH13).")
                % {"value": number}
            )
        if number not in numbers:
            numbers.append(number)
    return numbers


def _parse_body(value: str) -> str:
    return value.replace("\r\n", "\n")


def _relations_of(kind: str) -> Any:
    def export(document: LegalDocument) -> str:
        found = getattr(document, "export_relations", None)
        if found is None:
            found = _exported_relations().filter(source=document)
        return "; ".join(r.target_number for r in found if r.kind == kind)

    return export


def _text_of(document: LegalDocument) -> str:
    try:
        return document.full_text.body
    except LegalDocument.full_text.RelatedObjectDoesNotExist:
        return ""


COLUMNS: list[Column] = [
    Column("number", gettext_lazy("Số, ký hiệu"), parse_text(100), required=True),
    Column(
        "type",
        gettext_lazy("Loại văn bản"),
        parse_choice(DocumentType.choices),
        required=True,
        export=lambda d: d.get_doc_type_display(),
        fields=("doc_type",),
    ),
    Column("issuer", gettext_lazy("Cơ quan ban hành"), parse_text(255), required=True),
    Column("issued_date", gettext_lazy("Ngày ban hành"), parse_date),
    Column("effective_date", gettext_lazy("Ngày có hiệu lực"), parse_date),
    Column("expiry_date", gettext_lazy("Ngày hết hiệu lực"), parse_date),
    Column("effective_note", gettext_lazy("Ghi chú hiệu lực"), parse_text(255)),
    Column("title", gettext_lazy("Trích yếu"), parse_text(2000), required=True),
    Column(
        "status",
        gettext_lazy("Tình trạng hiệu lực"),
        parse_choice(DocumentStatus.choices),
        # Empty: computed from the dates and relations, as on the pages.
        export=lambda d: d.get_status_display() if d.status_locked else "",
    ),
    Column("source", gettext_lazy("Nguồn"), parse_text(500)),
    Column("source_url", gettext_lazy("Địa chỉ nguồn"), parse_text(500)),
    Column("text_form", gettext_lazy("Dạng văn bản"), parse_text(500)),
    *[
        Column(kind, label, _parse_numbers, export=_relations_of(kind))
        for kind, label in RelationKind.choices
    ],
]
TEXT_COLUMN = Column("text", gettext_lazy("Toàn văn"), _parse_body, export=_text_of)

_TEXT_FIELDS = ("effective_note", "source", "source_url", "text_form", "text", "status")


def build(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """One row's document values, checked with the rules of the pages and the API."""
    row: dict[str, Any] = {
        "number": values["number"],
        "doc_type": values["type"],
        "issuer": values["issuer"],
        "title": values["title"],
        "issued_date": values.get("issued_date"),
        "effective_date": values.get("effective_date"),
        "expiry_date": values.get("expiry_date"),
        **{name: values.get(name, "") for name in _TEXT_FIELDS},
    }
    errors: dict[str, list[str]] = {}
    try:
        services.check_document(row)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if row["source_url"]:
        try:
            URLValidator(schemes=["http", "https"])(row["source_url"])
        except ValidationError:
            errors["source_url"] = [_("Địa chỉ nguồn phải là địa chỉ web (http:// hoặc https://).")]
    if errors:
        raise ValidationError(errors)
    row["relations"] = {kind: values[kind] for kind in RELATION_KINDS if values.get(kind)}
    return row


def check_rows(ctx: ImportContext, spool: Spool, result: CheckResult) -> None:
    """Across rows: a number twice in the file; relations to documents nobody will hold.

    A relation must name a document of the registry (not deleted) or of a valid row of the
    file; a row found wrong here leaves the file, so the rows naming it are checked again.
    """
    rows: list[tuple[int, str, dict[str, list[str]]]] = []
    first_row: dict[str, int] = {}
    for batch in spool.batches():
        for number, row in batch:
            if number in result.error_rows:
                continue
            key = number_key(row["number"])
            if key in first_row:
                result.add(
                    RowError(
                        number,
                        COLUMNS[0].label,
                        _("Số %(number)s trùng với dòng %(row)d của tệp.")
                        % {"number": row["number"], "row": first_row[key]},
                    )
                )
                continue
            first_row[key] = number
            rows.append((number, key, row["relations"]))
    targets = {number_key(n) for _n, _k, rels in rows for ns in rels.values() for n in ns}
    in_registry = set(
        LegalDocument.objects.alive()
        .filter(number_key__in=targets)
        .values_list("number_key", flat=True)
    )
    labels = dict(RelationKind.choices)
    while True:
        held = in_registry | {key for _n, key, _r in rows}
        wrong = []
        for number, key, relations in rows:
            for kind, numbers in relations.items():
                for target in numbers:
                    message = ""
                    if number_key(target) == key:
                        message = _("Văn bản không thể có quan hệ với chính nó.")
                    elif number_key(target) not in held:
                        message = _(
                            "Văn bản số %(number)s không có trong cơ sở dữ liệu, cũng không có ở "
                            "dòng hợp lệ nào của tệp."
                        ) % {"number": target}
                    if message:
                        result.add(RowError(number, labels[kind], message))
                        wrong.append(number)
        if not wrong:
            return
        rows = [r for r in rows if r[0] not in wrong]


def write_rows(ctx: ImportContext, batches: Iterator[list[dict[str, Any]]]) -> int:
    """Write the checked rows through the registry's service."""
    return services.create_imported(batches, owner=ctx.owner, by=ctx.by)


#: The file columns and hooks of the registry, for `registries.base.importing`. Not
#: registered: the registry has pages, API and commands of its own.
DOCUMENTS = RegistryType(
    key="legal",
    slug="van-ban",
    model=cast(Any, LegalDocument),
    label=cast(str, gettext_lazy("văn bản quy phạm pháp luật")),
    label_plural=cast(str, gettext_lazy("Văn bản quy phạm pháp luật")),
    columns=[*COLUMNS, TEXT_COLUMN],
    build=build,
    form_class=DocumentForm,
    check_rows=check_rows,
    write_rows=write_rows,
    import_help=cast(
        str,
        gettext_lazy(
            "Mỗi dòng một văn bản mới (số đã có trong cơ sở dữ liệu là lỗi). Ngày dạng "
            "dd/mm/yyyy; loại và tình trạng theo tên hoặc mã; để trống tình trạng thì hệ thống "
            "tự tính. Cột quan hệ ghi số, ký hiệu các văn bản liên quan, cách nhau bởi dấu “;”: "
            "văn bản đó phải có trong cơ sở dữ liệu hoặc trong tệp. Cột toàn văn không bắt buộc."
        ),
    ),
)


def export_type(*, text: bool) -> RegistryType:
    """The columns of an export: those the import reads, the full text only when asked."""
    return dataclasses.replace(DOCUMENTS, columns=[*COLUMNS, TEXT_COLUMN] if text else COLUMNS)


def too_long_for_xlsx(documents: QuerySet[LegalDocument]) -> str:
    """Why the texts of `documents` cannot go into XLSX cells ("" if they can)."""
    too_long = (
        LegalText.objects.filter(document__in=documents.values("pk"))
        .annotate(length=Length("body"))
        .filter(length__gt=XLSX_CELL_MAX)
        .select_related("document")
        .first()
    )
    if too_long is None:
        return ""
    return _(
        "Toàn văn của văn bản %(number)s dài %(length)s ký tự, quá sức chứa một ô XLSX "
        "(%(limit)s); hãy xuất CSV."
    ) % {
        "number": too_long.document.number,
        "length": len(too_long.body),
        "limit": XLSX_CELL_MAX,
    }


def _exported_relations() -> QuerySet[DocumentRelation]:
    # Relations the import would accept again: not removed, to a document of the registry.
    return (
        DocumentRelation.objects.filter(
            rejected=False, target__isnull=False, target__deleted_at__isnull=True
        )
        .only("source_id", "kind", "target_number")
        .order_by("kind", "target_number")
    )


def export_queryset(
    q: str | Query | None, filters: Filters, *, text: bool = False
) -> QuerySet[LegalDocument]:
    """The documents the list shows for `q` and `filters`, ready for an export."""
    documents = filters.apply(LegalDocument.objects.all())
    query = q if isinstance(q, Query) else parse(q) if q else None
    if query:
        where, params = filters.sql()
        total = fulltext.count(query, where, params)
        ranked = fulltext.search(query, where, params, limit=max(total, 1), offset=0)
        documents = documents.filter(pk__in=[r.document_id for r in ranked])
    documents = documents.prefetch_related(
        Prefetch("relations", queryset=_exported_relations(), to_attr="export_relations")
    )
    if text:
        documents = documents.select_related("full_text")
    return documents.order_by("-issued_date", "number_key")
