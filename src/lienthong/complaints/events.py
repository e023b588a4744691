"""Outbox event types the complaints app emits (CloudEvents `type`), in the order of a case.

Every event's data is `services.event_data(complaint)`: identifiers, kind, stage, agency,
field, channel, status, dates and outcome — never the filer's identity, so that webhooks, NATS
subscribers and adapters never learn who denounced whom.
"""

from __future__ import annotations

#: A case was registered (online, at the reception desk, by post, or forwarded).
RECEIVED = "complaint.received"
#: The competent person accepted it (thụ lý); the resolution time limit runs.
ACCEPTED = "complaint.accepted"
#: Not accepted (không thụ lý), with the reason.
REFUSED = "complaint.refused"
#: Sent on to the competent agency (Law 25/2018/QH14, Art. 24(2)).
FORWARDED = "complaint.forwarded"
#: A verifier was assigned (giao xác minh).
ASSIGNED = "complaint.assigned"
#: The time limit was extended by a written notice (Law 25/2018/QH14, Art. 30).
EXTENDED = "complaint.extended"
#: The verification report was handed to the resolver.
REPORTED = "complaint.reported"
#: The conclusion or resolution decision was issued.
CONCLUDED = "complaint.concluded"
#: The case is past its time limit / close to it (sent at most once a day, `alerts`).
OVERDUE = "complaint.overdue"
AT_RISK = "complaint.at_risk"

#: Events that tell the filer something (email, `notify`).
FILER_EVENTS = (RECEIVED, ACCEPTED, REFUSED, FORWARDED, EXTENDED, CONCLUDED)
#: Events that warn the officials (email, `notify`).
ALERT_EVENTS = (OVERDUE, AT_RISK)
