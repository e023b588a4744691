"""Reads of personal data: the data-access log, and the once-only lookups other apps call.

**The log** — every read of a person's or organisation's record by someone other than the
platform is written to `DataAccess`: who, for which agency, why, when, which record, through
which channel. A citizen sees the reads of their own data at /csdl/du-lieu-cua-toi/
("Ai đã xem dữ liệu của tôi").

**Once-only lookups** — an app that needs a person's or organisation's data (the one-stop
intake pre-filling an applicant) does not import a registry: it calls

    result = prefill("person", personal_id, by=user, purpose="Tiếp nhận hồ sơ …",
                     channel=DataAccess.Channel.INTAKE)

and gets a `LookupResult` (name, address, …) or None. Each registry that can answer a kind
of lookup implements `RegistryLookup` and registers it in its `AppConfig.ready()`:

    register_lookup(PersonLookup())          # population: kind "person", by personal ID
    register_lookup(EnterpriseLookup())      # enterprises: kind "organisation", by tax code

`prefill` checks that the caller may read the registry (an agency grant, the registry's own
officials, or the data subject themself), finds the record and logs the read, in that order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from lienthong.core.context import current
from lienthong.core.models import OrgUnit
from lienthong.core.permissions import is_real_user
from lienthong.registries.base.models import (
    REGISTRY_OWNER_ROLE,
    DataAccess,
    has_read_grant,
)

PURPOSE_MAX = 300


def agency_of(user: Any) -> OrgUnit | None:
    """The agency an official acts for: the nearest agency at or above their org unit."""
    unit = getattr(user, "org_unit", None)
    return unit.agency if unit is not None else None


def can_read(user: Any, registry: str) -> bool:
    """Whether `user` may read `registry` at all: superuser, a grant, or its officials."""
    if not is_real_user(user):
        return False
    if user.is_superuser or has_read_grant(user, registry):
        return True
    return bool(user.role_assignments.filter(role=REGISTRY_OWNER_ROLE).exists())


def log_read(
    *,
    registry: str,
    object_id: Any,
    subject_key: str,
    subject_repr: str,
    by: Any,
    purpose: str,
    channel: str,
    reference: str = "",
    client: Any = None,
) -> DataAccess:
    """Record one read of a person's or organisation's data (its own small transaction).

    `client` is the client system (exchange) that read it through the API, for its agency.
    """
    purpose = " ".join((purpose or "").split())[:PURPOSE_MAX]
    if not purpose:
        raise ValueError("a read of personal data needs a purpose")
    agency = agency_of(by) if is_real_user(by) else None
    actor = by if is_real_user(by) else None
    if client is not None:
        agency = client.agency
    with transaction.atomic():
        return DataAccess.objects.create(
            registry=registry,
            object_id=str(object_id),
            subject_key=subject_key,
            subject_repr=subject_repr[:255],
            actor=actor,
            actor_repr=(str(actor) if actor else str(client or "") or current().via)[:200],
            agency=agency,
            agency_repr=str(agency or "")[:200],
            purpose=purpose,
            reference=reference[:64],
            channel=channel,
            request_id=(current().request_id or "")[:64],
            client_system=client,
        )


def attach_reference(access_ids: Iterable[int], reference: str, *, by: Any) -> int:
    """Name the dossier that reads made before it had a code were for (its code, once given).

    Only the caller's own reads without a reference yet are touched; returns how many.
    """
    ids = [int(i) for i in access_ids if str(i).isdigit()]
    if not ids or not is_real_user(by):
        return 0
    return DataAccess.objects.filter(pk__in=ids, actor=by, reference="").update(
        reference=reference[:64]
    )


# --- Once-only lookups ----------------------------------------------------------------------


@dataclass(frozen=True)
class LookupResult:
    """What a registry tells an intake about a person or organisation."""

    registry: str
    record_id: int
    #: Personal ID or tax code.
    key: str
    name: str
    address: str = ""
    #: 2025 commune code of the address ("" when unknown).
    commune: str = ""
    #: Anything else the registry offers (birth date, sex, legal representative, …).
    data: dict[str, Any] = field(default_factory=dict)
    #: The DataAccess row of this read (set by `prefill`).
    access_id: int | None = None


class RegistryLookup(Protocol):
    """A registry's answer to "who is this?" for one kind of key."""

    #: "person" (by personal ID) or "organisation" (by tax code).
    kind: str
    #: The registry (grant key) read.
    registry: str

    def find(self, key: str) -> LookupResult | None:
        """The live record with this key, or None."""


_lookups: dict[str, RegistryLookup] = {}


def register_lookup(lookup: RegistryLookup) -> None:
    """Make a registry answer `prefill` for its kind of key."""
    _lookups[lookup.kind] = lookup


def lookup_for(kind: str) -> RegistryLookup | None:
    """The registered lookup of a kind, or None (that registry is not installed)."""
    return _lookups.get(kind)


def prefill(
    kind: str,
    key: str,
    *,
    by: Any,
    purpose: str,
    channel: str,
    reference: str = "",
) -> LookupResult | None:
    """Find a person (kind "person") or organisation ("organisation") to pre-fill a form.

    The data subject reading their own record may always; others need to be able to read the
    registry (PermissionDenied otherwise). A found record's read is logged with `purpose`.
    """
    lookup = _lookups.get(kind)
    key = (key or "").strip()
    if lookup is None or not key:
        return None
    own = is_real_user(by) and key in (
        getattr(by, "personal_id", None) or "",
        getattr(by, "tax_code", None) or "",
    )
    if not own and not can_read(by, lookup.registry):
        raise PermissionDenied(
            _("Cơ quan của bạn chưa được cấp quyền khai thác cơ sở dữ liệu này.")
        )
    result = lookup.find(key)
    if result is None:
        return None
    access = log_read(
        registry=lookup.registry,
        object_id=result.record_id,
        subject_key=result.key,
        subject_repr=result.name,
        by=by,
        purpose=purpose,
        channel=channel,
        reference=reference,
    )
    return LookupResult(**{**result.__dict__, "access_id": access.pk})
