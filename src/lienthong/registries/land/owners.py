"""Land users (người sử dụng đất) of a parcel: persons by personal ID, organisations by tax code.

A parcel stores its owners as a small JSON list — `{"kind", "id", "name"}` — rather than
foreign keys: the land registry must work without the population and enterprise registries
installed, and a parcel often names someone those registries do not hold yet (an heir, a
company of another province). Links to those registries are resolved when a page is shown
(`links`), by identifier, and only to records the reader may see.

In files and forms owners are written on one line, separated by ";": an identifier (optional)
then the name — "079185000123 Nguyễn Văn An; 0301234567 Công ty TNHH An Phú".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lienthong.core.identifiers import validate_personal_id, validate_tax_code
from lienthong.core.text import fold

PERSON = "person"
ORGANISATION = "organisation"
_LEADING_ID = re.compile(r"^\s*(\d{9,12}(?:-\d{3})?)\b\s*[-–:,]?\s*(.*)$")
#: Name beginnings that mark an organisation when no identifier says so (folded).
_ORGANISATION_WORDS = (
    "cong ty",
    "tong cong ty",
    "chi nhanh",
    "doanh nghiep",
    "hop tac xa",
    "ngan hang",
    "uy ban",
    "ubnd",
    "truong dai hoc",
    "truong trung hoc",
    "truong tieu hoc",
    "truong mam non",
    "benh vien",
    "ban quan ly",
    "co quan",
    "chua ",
    "nha tho",
    "tap doan",
)
MAX_OWNERS = 20


def kind_label(kind: str) -> str:
    """Vietnamese label of an owner kind."""
    return _("Cá nhân") if kind == PERSON else _("Tổ chức")


def _validated(kind: str, ident: str, name: str) -> dict[str, str]:
    name = " ".join(name.split())
    if not name:
        raise ValidationError(
            _("Thiếu tên người sử dụng đất (sau mã “%(id)s”).") % {"id": ident or "—"}
        )
    if len(name) > 200:
        raise ValidationError(_("Tên người sử dụng đất dài quá 200 ký tự."))
    if ident:
        try:
            if kind == PERSON:
                validate_personal_id(ident)
            else:
                validate_tax_code(ident)
        except ValidationError as exc:
            raise ValidationError(
                _("%(name)s: %(error)s") % {"name": name, "error": " ".join(exc.messages)}
            ) from exc
    return {"kind": kind, "id": ident, "name": name}


def parse_owners(value: str | list[Any] | None) -> list[dict[str, str]]:
    """Owners from a line ("ID Tên; ID Tên") or a list of dicts / lines; ValidationError if bad.

    A 12-digit identifier is a personal ID (a person), a 10-digit or 10-3 one a tax code (an
    organisation); without one, the name decides (see `_ORGANISATION_WORDS`).
    """
    if value is None or value == "":
        return []
    items: list[Any] = value.split(";") if isinstance(value, str) else list(value)
    owners: list[dict[str, str]] = []
    for item in items:
        if isinstance(item, dict):
            kind = str(item.get("kind") or "")
            ident = str(item.get("id") or "").strip()
            name = str(item.get("name") or "")
            if kind not in (PERSON, ORGANISATION):
                kind = _kind_of(ident, name)
            owners.append(_validated(kind, ident, name))
            continue
        text = str(item).strip()
        if not text:
            continue
        match = _LEADING_ID.match(text)
        ident, name = (match.group(1), match.group(2)) if match else ("", text)
        if ident and len(ident.split("-")[0]) not in (10, 12):
            raise ValidationError(
                _("“%(id)s” không phải số định danh cá nhân (12 số) hay mã số thuế (10 số).")
                % {"id": ident}
            )
        owners.append(_validated(_kind_of(ident, name), ident, name))
    if len(owners) > MAX_OWNERS:
        raise ValidationError(
            _("Một thửa đất ghi tối đa %(max)s người sử dụng.") % {"max": MAX_OWNERS}
        )
    return owners


def _kind_of(ident: str, name: str) -> str:
    if ident:
        return PERSON if len(ident) == 12 else ORGANISATION
    folded = fold(name)
    return ORGANISATION if folded.startswith(_ORGANISATION_WORDS) else PERSON


def format_owners(owners: list[dict[str, str]] | None) -> str:
    """Owners on one line, as files and forms write them."""
    return "; ".join(
        f"{o.get('id')} {o.get('name')}" if o.get("id") else str(o.get("name", ""))
        for o in owners or []
    )


@dataclass(frozen=True)
class OwnerLink:
    """An owner as a page shows it: name, identifier, and a link to the registry record."""

    kind: str
    ident: str
    name: str
    url: str = ""

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


def _visible_urls(
    app_label: str, model_name: str, field: str, values: set[str], user: Any
) -> dict[str, str]:
    """identifier → URL of the records of another registry `user` may see (empty if absent)."""
    if not values or not apps.is_installed(f"lienthong.registries.{app_label}"):
        return {}
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return {}
    rows = model.objects.visible_to(user).filter(**{f"{field}__in": values})
    return {getattr(row, field): row.get_absolute_url() for row in rows}


def links(owners: list[dict[str, str]] | None, user: Any) -> list[OwnerLink]:
    """The owners with links to the population and enterprise registries where visible.

    One query per registry, whatever the number of owners.
    """
    owners = owners or []
    person_ids = {o["id"] for o in owners if o.get("kind") == PERSON and o.get("id")}
    tax_codes = {o["id"] for o in owners if o.get("kind") == ORGANISATION and o.get("id")}
    person_urls = _visible_urls("population", "Person", "personal_id", person_ids, user)
    enterprise_urls = _visible_urls("enterprises", "Enterprise", "tax_code", tax_codes, user)
    result = []
    for o in owners:
        urls = person_urls if o.get("kind") == PERSON else enterprise_urls
        result.append(
            OwnerLink(
                kind=o.get("kind", PERSON),
                ident=o.get("id", ""),
                name=o.get("name", ""),
                url=urls.get(o.get("id", ""), ""),
            )
        )
    return result
