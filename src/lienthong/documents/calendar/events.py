"""Event types the work calendar publishes to the outbox (declared in the exchange catalogue).

- `calendar.event_published`: the office approved an event; it is on the weekly schedule;
- `calendar.event_updated`: a published event changed (time, place, people…);
- `calendar.event_cancelled`: a published event was cancelled.

`data` is `services.event_data(event)`; the subject is the event's UID.
"""

EVENT_PUBLISHED = "calendar.event_published"
EVENT_UPDATED = "calendar.event_updated"
EVENT_CANCELLED = "calendar.event_cancelled"
