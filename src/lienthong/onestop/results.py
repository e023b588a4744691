"""Results of dossiers — kết quả giải quyết — and the applicants' data store (issue 3, item 6).

`upload_result` attaches the result document to a PROCESSED dossier (type and size checked
like every upload) and tells the applicant it is ready. `return_result` hands it over, at the
counter (the officer marks it handed over) or online (the officer sends it: the dossier is
RETURNED at that moment and the applicant downloads it from their dossier page and their data
store — the status does not wait on the applicant's click, which may never come). Returning
finishes the dossier's case at its final one-stop step.

Once-only (Decree 45/2020): every returned result is also kept as a `CitizenDocument` for the
applicant — by account, personal ID or tax code — and `reusable_documents(user, procedure)`
offers it when they submit a later dossier, so a paper issued once need not be brought again.
The stored document points at the same file as the result: results are not changed after
they are returned.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Case as When_
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lienthong.accounts.models import Role
from lienthong.core import calendar
from lienthong.core.audit import service
from lienthong.core.models import OrgUnit
from lienthong.core.uploads import check_upload
from lienthong.onestop.models import (
    Channel,
    CitizenDocument,
    Dossier,
    DossierResult,
    DossierStatus,
    Procedure,
)
from lienthong.onestop.processing import (
    audited,
    case_of,
    deny,
    has_role_at,
    holds,
    locked,
    record_transition,
    require_status,
    unit_of,
)
from lienthong.workflow import engine
from lienthong.workflow.engine import WrongState
from lienthong.workflow.models import Case

if TYPE_CHECKING:
    from lienthong.accounts.models import User

#: Roles that may attach a result: the desk, and the officials of the processing agency.
RESULT_ROLES = (Role.ONESTOP_OFFICER, Role.SPECIALIST, Role.LEADER)


def may_upload_result(dossier: Dossier, user: User) -> bool:
    """The desk, or the officials of the agencies and units that processed the dossier (the
    one that decided may be another agency, after a hand-over)."""
    units: list[OrgUnit | None] = [dossier.agency]
    case = dossier.case
    if case is not None:
        units.append(case.agency)
        units.extend(
            OrgUnit.objects.filter(
                pk__in=case.tasks.exclude(org_unit=None).values("org_unit")
            ).distinct()
        )
        if holds(engine.current_task(case), user):
            return True
    return has_role_at(user, RESULT_ROLES, *units)


def may_return_result(dossier: Dossier, user: User) -> bool:
    """A one-stop officer of the receiving desk, or the holder of the return step."""
    if has_role_at(user, [Role.ONESTOP_OFFICER], dossier.agency):
        return True
    case = dossier.case
    return case is not None and holds(engine.current_task(case), user)


@service
def upload_result(
    dossier: Dossier,
    *,
    title: str,
    file: Any,
    by: User,
    number: str = "",
    at: datetime.datetime | None = None,
) -> DossierResult:
    """Attach the result document to a processed dossier (replacing one not yet returned)."""
    at = at or timezone.now()
    errors: dict[str, Any] = {}
    if not title.strip():
        errors["title"] = _("Hãy nhập tên kết quả.")
    checked = None
    if file is None:
        errors["file"] = _("Hãy chọn tệp kết quả.")
    else:
        try:
            checked = check_upload(file, label=_("Tệp kết quả"))
        except ValidationError as exc:
            errors["file"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert checked is not None
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.PROCESSED)
    if not may_upload_result(dossier, by):
        raise deny()
    result = DossierResult.objects.filter(dossier=dossier).first()
    replaced = result is not None
    if result is None:
        result = DossierResult(dossier=dossier)
    with audited("onestop.dossier.upload_result", result):
        result.title = title.strip()
        result.number = number.strip()
        result.issued_at = at
        result.uploaded_by = by
        result.file.save(checked.stored_name, checked.file, save=False)
        result.save()
    record_transition(
        dossier,
        event="dossier.result_ready",
        previous_status=dossier.status,
        by=by,
        at=at,
        org_unit=unit_of(by),
        public_note=gettext_noop("Đã có kết quả giải quyết: %s.") % result.title,
        internal_note=gettext_noop("Thay tệp kết quả.") if replaced else "",
        data={"result_id": result.pk, "replaced": replaced},
    )
    return result


@service
def return_result(
    dossier: Dossier,
    *,
    by: User,
    channel: str = Channel.COUNTER,
    note: str = "",
    at: datetime.datetime | None = None,
) -> DossierResult:
    """Hand the result to the applicant (counter) or send it online; the dossier is RETURNED."""
    at = at or timezone.now()
    if channel not in (Channel.COUNTER, Channel.ONLINE, Channel.POST):
        raise ValidationError({"channel": _("Hình thức trả kết quả không hợp lệ.")})
    dossier = locked(dossier)
    require_status(dossier, DossierStatus.PROCESSED)
    result = DossierResult.objects.filter(dossier=dossier).first()
    if result is None:
        raise WrongState(_("Hồ sơ chưa có kết quả: hãy tải tệp kết quả lên trước."))
    if channel == Channel.ONLINE and dossier.applicant_id is None:
        raise ValidationError(
            {"channel": _("Người nộp không có tài khoản: không trả kết quả trực tuyến được.")}
        )
    if not may_return_result(dossier, by):
        raise deny()
    previous = dossier.status
    task = None
    with audited("onestop.dossier.return_result", dossier):
        if dossier.case_id is not None:
            case = case_of(dossier)
            task = engine.current_task(case)
            if case.status == Case.Status.ACTIVE and task is not None:
                # The final one-stop step; the engine checks that `by` may hold it.
                engine.forward(case=case, by=by, note=note or _("Đã trả kết quả."), at=at)
        dossier.status = DossierStatus.RETURNED
        dossier.returned_at = at
        dossier.save(update_fields=["status", "returned_at"])
        result.returned_at = at
        result.returned_by = by
        result.return_channel = channel
        result.save(update_fields=["returned_at", "returned_by", "return_channel"])
    document = store_result(dossier, result)
    record_transition(
        dossier,
        event="dossier.returned",
        previous_status=previous,
        by=by,
        at=at,
        org_unit=unit_of(by, task),
        public_note=(
            _("Đã trả kết quả trực tuyến; kết quả được lưu trong kho dữ liệu của người nộp.")
            if channel == Channel.ONLINE
            else _("Đã trả kết quả.")
        ),
        internal_note=note,
        data={"result_id": result.pk, "channel": channel, "document_id": document.pk},
    )
    return result


def store_result(dossier: Dossier, result: DossierResult) -> CitizenDocument:
    """Keep the result in the applicant's data store (once-only reuse)."""
    document = CitizenDocument(
        owner=dossier.applicant,
        owner_personal_id=dossier.applicant_personal_id,
        owner_tax_code=dossier.applicant_tax_code,
        title=result.title,
        number=result.number,
        issued_at=result.issued_at,
        source_dossier=dossier,
        procedure=dossier.procedure,
    )
    document.file.name = result.file.name
    with audited("onestop.document.store", document):
        document.save()
    return document


def reusable_documents(
    user: Any, procedure: Procedure | None = None, *, on: datetime.date | None = None
) -> QuerySet[CitizenDocument]:
    """The applicant's documents still in force, to offer instead of a new upload.

    Those issued under procedures of the same field as `procedure` come first, newest first.
    Anonymous users and officials have none.
    """
    if not (user is not None and user.is_authenticated and user.is_active):
        return CitizenDocument.objects.none()
    day = on or calendar.local_date(timezone.now())
    documents = CitizenDocument.objects.owned_by(user).valid_on(day).select_related("procedure")
    if procedure is None:
        return documents.order_by("-issued_at", "-pk")
    return documents.annotate(
        same_field=When_(
            When(procedure__field_id=procedure.field_id, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-same_field", "-issued_at", "-pk")
