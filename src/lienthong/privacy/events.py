"""Outbox event types of the privacy app (data: ids, kinds, dates — never the subject's data)."""

from __future__ import annotations

#: A data subject filed a request.
REQUEST_SUBMITTED = "privacy.request.submitted"
#: The data-protection unit acknowledged it (within 2 working days).
REQUEST_ACKNOWLEDGED = "privacy.request.acknowledged"
#: It was answered or refused.
REQUEST_CLOSED = "privacy.request.closed"
#: It is past a deadline (`alerts.scan`, at most once a day).
REQUEST_OVERDUE = "privacy.request.overdue"
#: A consent was given / withdrawn.
CONSENT_GIVEN = "privacy.consent.given"
CONSENT_WITHDRAWN = "privacy.consent.withdrawn"
