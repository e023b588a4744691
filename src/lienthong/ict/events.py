"""Outbox event types the ICT inventory emits (CloudEvents `type`)."""

from __future__ import annotations

#: An agency submitted its inventory report for a period.
REPORT_SUBMITTED = "ict.report.submitted"
#: The provincial IT department accepted a report.
REPORT_ACCEPTED = "ict.report.accepted"
#: The IT department returned a report to its agency, with a reason.
REPORT_RETURNED = "ict.report.returned"
#: An information-security incident was reported.
INCIDENT_REPORTED = "ict.incident.reported"
#: A checklist item's status changed for an agency.
COMPLIANCE_CHANGED = "ict.compliance.changed"
