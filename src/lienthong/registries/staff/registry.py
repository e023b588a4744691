"""How the shared registry machinery handles staff members: import and export columns, list
columns, filters, the edit form; registered in `StaffConfig.ready()`.

An import file names each member's agency by its code and, below it, the division or school
by name; the agency must be the one the file is imported for. The rank is given by its
official code (01.003, V.07.03.29…), the step as a number; the coefficient and the next raise
are computed. After the rows are in, the salary history and the appointments they imply are
written in bulk (`after_import`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lienthong.core.identifiers import validate_personal_id
from lienthong.core.models import OrgUnit
from lienthong.core.text import fold
from lienthong.registries.base import bulk
from lienthong.registries.base import registry as registries
from lienthong.registries.base.importing import (
    Column,
    ImportContext,
    parse_choice,
    parse_date,
    parse_digits,
    parse_text,
)
from lienthong.registries.base.registry import ListColumn, ListFilter, RegistryType
from lienthong.registries.staff import pay
from lienthong.registries.staff.choices import (
    Category,
    EmploymentStatus,
    SalaryChangeReason,
    SchoolLevel,
    Sex,
)
from lienthong.registries.staff.models import (
    Appointment,
    Position,
    Rank,
    SalaryChange,
    School,
    StaffMember,
)

STAFF = "staff"
BATCH = 2000


def _parse_int(low: int, high: int) -> Any:
    def parse(value: str) -> int:
        text = value.strip()
        if text.endswith(".0"):
            text = text[:-2]
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValidationError(
                gettext("Phải là số nguyên từ %(low)d đến %(high)d.") % {"low": low, "high": high}
            )
        return int(text)

    return parse


def _unit_name(member: StaffMember) -> str:
    return "" if member.org_unit_id == member.owner_id else member.org_unit.name


def staff_columns() -> list[Column]:
    """The columns of a staff file, in order (the header may use keys or labels)."""
    return [
        Column("personal_id", _("Số định danh cá nhân"), parse=parse_digits(12), required=True),
        Column("full_name", _("Họ và tên"), parse=parse_text(150), required=True),
        Column("birth_date", _("Ngày sinh"), parse=parse_date, required=True),
        Column(
            "sex",
            _("Giới tính"),
            parse=parse_choice(Sex.choices),
            required=True,
            export=lambda m: m.get_sex_display(),
        ),
        Column(
            "category",
            _("Loại cán bộ"),
            parse=parse_choice(Category.choices),
            required=True,
            export=lambda m: m.get_category_display(),
        ),
        Column(
            "agency_code",
            _("Mã cơ quan"),
            parse=parse_text(13),
            required=True,
            export=lambda m: m.owner.code or "",
            fields=("owner",),
        ),
        Column(
            "unit_name",
            _("Đơn vị, trường"),
            parse=parse_text(200),
            export=_unit_name,
            fields=("org_unit",),
        ),
        Column(
            "status",
            _("Tình trạng"),
            parse=parse_choice(EmploymentStatus.choices),
            export=lambda m: m.get_status_display(),
        ),
        Column("joined_on", _("Ngày tuyển dụng"), parse=parse_date),
        Column(
            "position",
            _("Chức vụ"),
            parse=parse_text(150),
            export=lambda m: m.position.name if m.position_id else "",
        ),
        Column(
            "position_decision",
            _("Số quyết định bổ nhiệm"),
            parse=parse_text(50),
            export=lambda m: "",
        ),
        Column(
            "position_date",
            _("Ngày bổ nhiệm"),
            parse=parse_date,
            export=lambda m: m.position_since,
        ),
        Column(
            "rank",
            _("Mã ngạch, chức danh"),
            parse=parse_text(20),
            export=lambda m: m.rank.code if m.rank_id else "",
        ),
        Column("salary_step", _("Bậc lương"), parse=_parse_int(1, 20)),
        Column(
            "coefficient",
            _("Hệ số lương"),
            parse=parse_text(10),
            export=lambda m: m.coefficient or "",
        ),
        Column("over_scale_percent", _("Vượt khung (%)"), parse=_parse_int(0, 100)),
        Column("last_raise_date", _("Ngày hưởng bậc"), parse=parse_date),
        Column(
            "next_raise_due",
            _("Đến hạn nâng lương"),
            parse=parse_text(20),
            export=lambda m: m.next_raise_due,
        ),
        Column(
            "school_level",
            _("Cấp học"),
            parse=parse_choice(SchoolLevel.choices),
            export=lambda m: m.get_school_level_display() if m.school_level else "",
        ),
        Column("subjects", _("Môn giảng dạy"), parse=parse_text(200)),
        Column("phone", _("Điện thoại"), parse=parse_text(20)),
        Column("email", _("Thư điện tử"), parse=parse_text(254)),
    ]


# --- Import ---------------------------------------------------------------------------------


def parse_cells(cells: dict[str, str]) -> dict[str, Any]:
    """Import-file cells by column key (as `generate.staff_rows` makes them) parsed into
    values, the way the importer parses a file's row (ValidationError on a bad cell)."""
    values: dict[str, Any] = {}
    for column in staff_columns():
        text = (cells.get(column.key) or "").strip()
        if text:
            values[column.key] = column.parse(text)
    return values


def _lookups(ctx: ImportContext) -> dict[str, Any]:
    """Reference rows fetched once per import run (ranks, posts, the owner's units, schools)."""
    cache = ctx.cache
    if "ranks" not in cache:
        cache["ranks"] = {r.code: r for r in Rank.objects.select_related("scale")}
        positions = {}
        for p in Position.objects.all():
            positions[fold(p.code)] = p
            positions[fold(p.name)] = p
        cache["positions"] = positions
        units: dict[str, OrgUnit] = {}
        for unit in OrgUnit.objects.within(ctx.owner).exclude(pk=ctx.owner.pk):
            # Units of sub-agencies belong to those agencies' files, not this one.
            units.setdefault(fold(unit.name), unit)
        cache["units"] = units
        cache["schools"] = {s.org_unit_id: s for s in School.objects.select_related("org_unit")}
        cache["agency_code"] = ctx.owner.code or ""
        cache["appointments"] = {}
    return cache


#: Columns the import machinery fills in itself (owner, stamps, job, search text).
_BOOKKEEPING = frozenset(
    {
        "id",
        "owner_id",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by_id",
        "search_text",
        "import_job_id",
    }
)


def build_member(values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
    """The column values of a member from one import row, validated like the model's
    `clean()`; ValidationError names the fields at fault.

    The uniqueness of the ID is checked by the import (in batches), not here per row. The
    appointment a row implies travels with it (key `_appointment`) to `remember_appointments`.
    """
    member = member_from_row(values, ctx)
    row = {
        f.attname: getattr(member, f.attname)
        for f in StaffMember._meta.concrete_fields
        if f.attname not in _BOOKKEEPING
    }
    appointment = getattr(member, "pending_appointment", None)
    if appointment is not None:
        row["_appointment"] = appointment
    return row


def member_from_row(values: dict[str, Any], ctx: ImportContext) -> StaffMember:
    """An unsaved member from one parsed import row (see `build_member`)."""
    look = _lookups(ctx)
    errors: dict[str, list[str]] = {}
    code = values.get("agency_code", "")
    if code != look["agency_code"]:
        errors.setdefault("owner", []).append(
            gettext("Mã cơ quan “%(code)s” không phải cơ quan đang nhập (%(owner)s).")
            % {"code": code, "owner": look["agency_code"] or ctx.owner.name}
        )
    unit: OrgUnit = ctx.owner
    if values.get("unit_name"):
        found = look["units"].get(fold(values["unit_name"]))
        if found is None:
            errors.setdefault("org_unit", []).append(
                gettext("Không có đơn vị “%(name)s” trong %(owner)s.")
                % {"name": values["unit_name"], "owner": ctx.owner.name}
            )
        elif found.agency != ctx.owner:
            errors.setdefault("org_unit", []).append(
                gettext("Đơn vị “%(name)s” thuộc cơ quan khác; hãy nhập ở tệp của cơ quan đó.")
                % {"name": values["unit_name"]}
            )
        else:
            unit = found
    member = StaffMember(
        personal_id=values.get("personal_id", ""),
        full_name=values.get("full_name", ""),
        birth_date=cast(Any, values.get("birth_date")),
        sex=values.get("sex", ""),
        category=values.get("category", ""),
        status=values.get("status") or EmploymentStatus.WORKING,
        joined_on=values.get("joined_on"),
        phone=values.get("phone", ""),
        email=values.get("email", ""),
        subjects=values.get("subjects", ""),
        school_level=values.get("school_level", ""),
        org_unit=unit,
        owner=ctx.owner,
        over_scale_percent=values.get("over_scale_percent") or 0,
        last_raise_date=values.get("last_raise_date"),
    )
    rank_code = values.get("rank", "")
    if rank_code:
        rank = look["ranks"].get(rank_code.strip())
        if rank is None:
            errors.setdefault("rank", []).append(
                gettext("Không có ngạch, chức danh mã “%(code)s”.") % {"code": rank_code}
            )
        else:
            member.rank = rank
            member.salary_step = values.get("salary_step")
            if member.last_raise_date is None:
                errors.setdefault("last_raise_date", []).append(
                    gettext("Hãy nhập ngày hưởng bậc lương hiện tại.")
                )
    elif values.get("salary_step"):
        errors.setdefault("rank", []).append(gettext("Có bậc lương nhưng thiếu mã ngạch."))
    if member.school_level:
        school = _school_of(unit, look["schools"])
        if school is None:
            errors.setdefault("school_level", []).append(
                gettext("Đơn vị “%(name)s” không phải trường học.") % {"name": unit.name}
            )
        else:
            member.school = school
    if values.get("position"):
        position = look["positions"].get(fold(values["position"]))
        if position is None:
            errors.setdefault("position", []).append(
                gettext("Không có chức vụ “%(name)s”.") % {"name": values["position"]}
            )
        else:
            member.position = position
            member.position_since = values.get("position_date") or member.joined_on
            member.pending_appointment = (  # type: ignore[attr-defined]
                values.get("position_decision", ""),
                values.get("position_date") or member.joined_on,
            )
            if member.pending_appointment[1] is None:  # type: ignore[attr-defined]
                errors.setdefault("position_date", []).append(
                    gettext("Hãy nhập ngày bổ nhiệm chức vụ.")
                )
    # The column parsers already bound lengths, choices and dates; what they do not check is
    # checked here (Django's `clean_fields` would repeat all of it, at a third of the cost of
    # an import).
    try:
        validate_personal_id(member.personal_id)
    except ValidationError as exc:
        errors.setdefault("personal_id", []).extend(exc.messages)
    if member.email:
        try:
            validate_email(member.email)
        except ValidationError as exc:
            errors.setdefault("email", []).extend(exc.messages)
    if not errors:
        try:
            member.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    plan = member.raise_plan()
    member.next_raise_due = plan.due if plan is not None else None
    return member


def _school_of(unit: OrgUnit, schools: dict[int, School]) -> School | None:
    """The school `unit` is, or belongs to (a subject group inside a school)."""
    for part in reversed(unit.path.strip("/").split("/")):
        school = schools.get(int(part))
        if school is not None:
            return school
    return None


def remember_appointments(batch: list[dict[str, Any]], ctx: ImportContext) -> None:
    """Keep the appointments of the batch's members to write once their rows exist."""
    pending: dict[str, tuple[int, str, datetime.date]] = ctx.cache.setdefault("appointments", {})
    for row in batch:
        appointment = row.pop("_appointment", None)
        if appointment is not None and row.get("position_id"):
            pending[row["personal_id"]] = (row["position_id"], *appointment)


def write_history(ctx: ImportContext) -> None:
    """The salary history (initial placement) and the appointments of the imported members."""
    write_history_of(
        StaffMember.all_objects.filter(import_job=ctx.job), ctx.cache.get("appointments", {})
    )


def write_history_of(
    members: QuerySet[Any], pending: dict[str, tuple[int, str, datetime.date]]
) -> None:
    """Salary history rows (initial placement) for `members`, and the appointments `pending`
    holds for them (personal ID → position id, decision number, date), in bulk."""
    ranks = {r.pk: r for r in Rank.objects.select_related("scale")}
    # Plain rows through `bulk.insert_rows` (COPY / executemany): model instances would cost
    # more than the insert itself.
    placed = list(
        members.filter(rank__isnull=False).values_list(
            "pk", "rank_id", "salary_step", "over_scale_percent", "last_raise_date"
        )
    )
    now = timezone.now()
    for start in range(0, len(placed), BATCH):
        bulk.insert_rows(
            SalaryChange,
            [
                {
                    "member_id": pk,
                    "created_at": now,
                    "rank_id": rank_id,
                    "step": step,
                    "coefficient": pay.coefficient(ranks[rank_id].scale.coefficients, step),
                    "over_scale_percent": over,
                    "effective_date": since,
                    "reason": SalaryChangeReason.INITIAL,
                    "decision_number": "",
                    "decision_date": None,
                }
                for pk, rank_id, step, over, since in placed[start : start + BATCH]
            ],
        )
    if pending:
        ids = {
            pid: (pk, unit_id)
            for pid, pk, unit_id in members.filter(personal_id__in=list(pending)).values_list(
                "personal_id", "pk", "org_unit_id"
            )
        }
        Appointment.objects.bulk_create(
            [
                Appointment(
                    member_id=ids[pid][0],
                    position_id=position_id,
                    org_unit_id=ids[pid][1],
                    decision_number=decision or "",
                    decision_date=day,
                    effective_date=day,
                )
                for pid, (position_id, decision, day) in pending.items()
                if pid in ids
            ],
            batch_size=500,
        )


def existing_ids(keys: Iterable[str]) -> set[str]:
    """The personal IDs among `keys` already held by a live staff record."""
    return set(
        StaffMember.objects.filter(personal_id__in=list(keys)).values_list("personal_id", flat=True)
    )


# --- Filters --------------------------------------------------------------------------------


def _within_unit(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    unit = OrgUnit.objects.filter(pk=value).first() if value.isdigit() else None
    if unit is None:
        raise ValidationError(gettext("Không có đơn vị này."))
    return qs.filter(org_unit__path__startswith=unit.path)


def _due_for_raise(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if not value.isdigit() or int(value) > 3660:
        raise ValidationError(gettext("Số ngày phải là số nguyên từ 0 đến 3660."))
    return qs.due_for_raise(days=int(value))  # type: ignore[attr-defined]


def _by_rank(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(rank__code=value)


def rank_choices() -> list[tuple[str, str]]:
    return [(r.code, str(r)) for r in Rank.objects.filter(is_active=True)]


def unit_choices() -> list[tuple[str, str]]:
    """Agencies and their units, indented by depth (the org-unit subtree filter)."""
    return [
        (str(pk), "\u2003" * depth + name)
        for pk, name, depth in OrgUnit.objects.active().values_list("pk", "name", "depth")
    ]


def _choices(choices: Any) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]


def staff_filters() -> list[ListFilter]:
    """Filters of the list page and the API (`?unit=&category=&rank=&due_days=`)."""
    return [
        ListFilter("unit", _("Đơn vị (cả cấp dưới)"), choices=unit_choices, apply=_within_unit),
        ListFilter("category", _("Loại cán bộ"), choices=lambda: _choices(Category.choices)),
        ListFilter("rank", _("Ngạch, chức danh"), choices=rank_choices, apply=_by_rank),
        ListFilter("status", _("Tình trạng"), choices=lambda: _choices(EmploymentStatus.choices)),
        ListFilter("due_days", _("Đến hạn nâng lương trong (ngày)"), apply=_due_for_raise),
    ]


def _detail_context(member: StaffMember) -> dict[str, Any]:
    from lienthong.registries.staff.views import detail_context

    return detail_context(member)


def register_all() -> None:
    """Register staff members with the shared registry machinery."""
    from lienthong.registries.staff import forms

    registries.register(
        RegistryType(
            key=STAFF,
            slug="can-bo",
            model=StaffMember,
            label=str(_("cán bộ")),
            label_plural=str(_("Cán bộ, công chức, viên chức")),
            columns=staff_columns(),
            build=build_member,
            form_class=forms.MemberForm,
            list_columns=[
                ListColumn(_("Họ và tên"), lambda m: m.full_name, link=True),
                ListColumn(_("Ngày sinh"), lambda m: m.birth_date),
                ListColumn(_("Đơn vị"), lambda m: m.unit_label),
                ListColumn(_("Loại"), lambda m: m.get_category_display()),
                ListColumn(
                    _("Ngạch, bậc"),
                    lambda m: f"{m.rank.code} / {m.salary_step}" if m.rank_id else "",
                ),
                ListColumn(_("Đến hạn nâng lương"), lambda m: m.next_raise_due),
            ],
            filters=staff_filters(),
            select_related=("org_unit", "owner", "rank__scale", "position"),
            export_related=("owner", "org_unit", "rank__scale", "position"),
            unique_column="personal_id",
            existing_keys=existing_ids,
            before_insert=remember_appointments,
            after_import=write_history,
            subject_key=lambda m: m.personal_id,
            detail_context=_detail_context,
            import_help=str(
                _(
                    "Mỗi dòng một cán bộ. Bắt buộc: số định danh (12 chữ số), họ và tên, ngày "
                    "sinh (dd/mm/yyyy), giới tính (Nam/Nữ), loại cán bộ (Cán bộ, Công chức, "
                    "Viên chức, Hợp đồng lao động), mã cơ quan (phải là cơ quan đang nhập). "
                    "Đơn vị, trường: tên phòng, ban hoặc trường thuộc cơ quan. Lương: mã ngạch "
                    "(ví dụ 01.003, V.07.03.29), bậc, ngày hưởng bậc; hệ số và ngày đến hạn "
                    "nâng lương được tính tự động. Giáo viên: thêm cấp học và môn giảng dạy."
                )
            ),
        )
    )


__all__ = ["STAFF", "register_all"]
