"""The complaints app's part of a citizen's data export (`privacy.exports`): the cases they
filed, with what they wrote and the public notes. Never the identity of others: not the
respondent named in the case, not the verifier, not internal notes."""

from __future__ import annotations

from lienthong.accounts.models import User
from lienthong.complaints.models import Complaint
from lienthong.privacy.exports import Part


def export_part(user: User) -> Part | None:
    """The cases `user` filed (by account)."""
    cases = (
        Complaint.objects.filter(filer_user=user)
        .select_related("agency")
        .prefetch_related("history")
        .order_by("received_at", "pk")
    )
    out = [
        {
            "code": case.code,
            "kind": case.get_kind_display(),
            "agency": case.agency.name,
            "channel": case.channel,
            "filer_name": case.filer_name,
            "filer_personal_id": case.filer_personal_id,
            "filer_address": case.filer_address,
            "filer_phone": case.filer_phone,
            "filer_email": case.filer_email,
            "subject": case.subject,
            "content": case.content,
            "status": case.get_status_display(),
            "received_at": case.received_at,
            "due_date": case.due_date,
            "outcome": case.get_outcome_display() if case.outcome else "",
            "history": [
                {"at": row.at, "status": row.get_status_display(), "note": row.public_note}
                for row in case.history.all()
            ],
        }
        for case in cases
    ]
    return Part({"cases": out}) if out else None
