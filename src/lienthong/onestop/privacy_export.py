"""The one-stop shop's part of a citizen's data export (`privacy.exports`): their dossiers
(by account, or by personal ID for those received at the counter), components and files,
results once returned, and the documents of their data store. Officials' internal notes and
identities are left out: they are not the citizen's data."""

from __future__ import annotations

from django.core.files import File
from django.db.models import Q

from lienthong.accounts.models import User
from lienthong.onestop.models import CitizenDocument, Dossier
from lienthong.privacy.exports import Part


def _file_name(prefix: str, stored_name: str) -> str:
    return f"{prefix}-{stored_name.rsplit('/', 1)[-1]}"


def export_part(user: User) -> Part | None:
    """Everything the one-stop shop holds about `user`."""
    condition = Q(applicant=user)
    if user.personal_id:
        condition |= Q(applicant_personal_id=user.personal_id)
    dossiers = (
        Dossier.objects.filter(condition)
        .select_related("procedure", "agency", "result")
        .prefetch_related("components", "history")
        .order_by("submitted_at", "pk")
    )
    documents = CitizenDocument.objects.owned_by(user).order_by("issued_at", "pk")
    files: list[tuple[str, File]] = []
    out = []
    for dossier in dossiers:
        components = []
        for component in dossier.components.all():
            name = ""
            if component.file:
                name = _file_name(dossier.code, component.file.name or "")
                files.append((name, component.file))
            components.append(
                {"name": component.name, "received": component.received, "file": name}
            )
        result = getattr(dossier, "result", None)
        result_out = None
        if result is not None and result.returned_at is not None:
            result_name = _file_name(f"{dossier.code}-ket-qua", result.file.name or "")
            result_out = {
                "title": result.title,
                "number": result.number,
                "issued_at": result.issued_at,
                "returned_at": result.returned_at,
                "file": result_name,
            }
            files.append((result_name, result.file))
        out.append(
            {
                "code": dossier.code,
                "procedure": dossier.procedure.name,
                "agency": dossier.agency.name,
                "channel": dossier.channel,
                "status": dossier.get_status_display(),
                "applicant_name": dossier.applicant_name,
                "applicant_personal_id": dossier.applicant_personal_id,
                "applicant_tax_code": dossier.applicant_tax_code,
                "applicant_address": dossier.applicant_address,
                "applicant_phone": dossier.applicant_phone,
                "applicant_email": dossier.applicant_email,
                "form_data": dossier.form_data,
                "submitted_at": dossier.submitted_at,
                "received_at": dossier.received_at,
                "due_date": dossier.due_date,
                "returned_at": dossier.returned_at,
                "components": components,
                "history": [
                    {"status": row.get_status_display(), "at": row.at, "note": row.public_note}
                    for row in dossier.history.all()
                ],
                "result": result_out,
            }
        )
    store = []
    for document in documents:
        name = _file_name(f"kho-{document.pk}", document.file.name or "")
        store.append(
            {
                "title": document.title,
                "number": document.number,
                "issued_at": document.issued_at,
                "valid_until": document.valid_until,
                "file": name,
            }
        )
        files.append((name, document.file))
    if not out and not store:
        return None
    return Part({"dossiers": out, "data_store": store}, files)
