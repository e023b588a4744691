"""Retention of the message log: remove entries older than the retention period, per chain,
behind a checkpoint so that what stays still verifies.

For each chain, in one transaction holding the chain's head lock (writers wait):
1. the chain is verified first — a broken chain is evidence and is not purged;
2. the first entry to keep is the oldest entry at or after the cut-off (every entry before it
   is older); the checkpoint moves to it, holding the hash of the entry before it;
3. the entries below the checkpoint are deleted (the database triggers allow nothing else);
4. an audit entry `exchange.log.purge` records the chain, the range and the count.
After commit, body files no entry references any more are removed.

The retention period is `LIENTHONG["EXCHANGE_LOG_RETENTION_DAYS"]` (90 by default); less than
90 days (three months) is refused, whatever is asked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lienthong.core.audit import record as audit_record
from lienthong.exchange.messagelog import bodies
from lienthong.exchange.messagelog.models import LogChainHead, LogCheckpoint, MessageLogEntry
from lienthong.exchange.messagelog.services import chains, verify_chain

MIN_RETENTION_DAYS = 90
DELETE_BATCH = 2000


class RetentionError(ValueError):
    """A purge that must not run (a period under the minimum)."""


@dataclass
class ChainPurge:
    """What a purge did (or would do) to one chain."""

    chain: str
    removed: int = 0
    first_kept: int | None = None
    problem: str = ""
    bodies_removed: int = 0
    digests: set[str] = field(default_factory=set)


def retention_days() -> int:
    """The configured retention period (days)."""
    from lienthong.exchange.clients.conf import setting

    return int(setting("EXCHANGE_LOG_RETENTION_DAYS"))


def purge(
    *,
    older_than_days: int | None = None,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
) -> list[ChainPurge]:
    """Remove entries older than `older_than_days` (default: the retention setting)."""
    days = retention_days() if older_than_days is None else older_than_days
    if days < MIN_RETENTION_DAYS:
        raise RetentionError(f"retention must be at least {MIN_RETENTION_DAYS} days (asked {days})")
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    results = [_purge_chain(chain, cutoff, dry_run=dry_run) for chain in chains()]
    if not dry_run:
        for result in results:
            result.bodies_removed = _remove_unreferenced(result.digests)
    return results


def _purge_chain(chain: str, cutoff: datetime.datetime, *, dry_run: bool) -> ChainPurge:
    result = ChainPurge(chain=chain)
    with transaction.atomic():
        head = LogChainHead.objects.select_for_update().get(chain=chain)
        check = verify_chain(chain)
        if not check.ok:
            result.problem = check.problem
            return result
        checkpoint = LogCheckpoint.objects.filter(chain=chain).first()
        start = checkpoint.seq if checkpoint else 1
        kept = (
            MessageLogEntry.objects.filter(chain=chain, created_at__gte=cutoff)
            .order_by("seq")
            .values_list("seq", flat=True)
            .first()
        )
        first_kept = kept if kept is not None else head.count + 1
        result.first_kept = first_kept
        if first_kept <= start:
            return result
        purged = MessageLogEntry.objects.filter(chain=chain, seq__lt=first_kept)
        result.removed = purged.count()
        if dry_run:
            return result
        for request_digest, response_digest in purged.values_list(
            "request_digest", "response_digest"
        ).iterator():
            result.digests.update(d for d in (request_digest, response_digest) if d)
        prev_hash = MessageLogEntry.objects.get(chain=chain, seq=first_kept - 1).hash
        if checkpoint is None:
            checkpoint = LogCheckpoint(chain=chain, purged_count=0)
        checkpoint.seq = first_kept
        checkpoint.prev_hash = prev_hash
        checkpoint.purged_at = timezone.now()
        checkpoint.purged_count += result.removed
        checkpoint.save()
        while True:
            ids = list(purged.order_by("seq").values_list("pk", flat=True)[:DELETE_BATCH])
            if not ids:
                break
            MessageLogEntry.objects.filter(pk__in=ids).delete()
        audit_record(
            "exchange.log.purge",
            checkpoint,
            before={"chain": chain, "first_seq": start},
            after={"chain": chain, "first_seq": first_kept, "removed": result.removed},
        )
    return result


def _remove_unreferenced(digests: set[str]) -> int:
    """Delete body files of `digests` that no remaining entry refers to."""
    removed = 0
    for digest in digests:
        still = MessageLogEntry.objects.filter(
            Q(request_digest=digest) | Q(response_digest=digest)
        ).exists()
        if still:
            continue
        try:
            bodies.path_of(digest).unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
