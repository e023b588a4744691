"""Budget registry (cơ sở dữ liệu thu chi ngân sách): planned and actual revenue and spending.

One `BudgetLine` is one amount: for an agency (đơn vị dự toán), a fiscal year and a period
(the whole year, a quarter or a month), revenue or expenditure, plan (dự toán) or actual
(thực hiện), under a chapter (chương) and an item / sub-item (mục / tiểu mục) of the state
budget classification (`budget.codes`). Amounts are integer đồng (BigInteger): sums are
exact on both databases, and percentages are computed in `Decimal` (`budget.reports`).

The line is a registry record: `owner` is the agency keeping it (the budget unit itself, or
the finance department entering for others), `agency` the unit whose budget it is.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lienthong.core.permissions import grants_of, is_real_user
from lienthong.registries.base.models import (
    REGISTRY_OWNER_ROLE,
    RegistryGrant,
    RegistryManager,
    RegistryQuerySet,
    RegistryRecord,
    has_read_grant,
    registry_indexes,
)
from lienthong.registries.budget import codes

REGISTRY_KEY = "budget"

#: Roles that read their own agency's budget lines (the unit's leaders and its registry
#: officials); everybody else needs a read grant for the budget registry (the finance
#: department has one).
AGENCY_READ_ROLES = frozenset({REGISTRY_OWNER_ROLE, "leader"})


class Kind(models.TextChoices):
    # With a context: Django's own catalogue translates the msgid "Thu" (Thursday) to "Thứ 5".
    REVENUE = "revenue", pgettext_lazy("budget", "Thu")
    EXPENDITURE = "expenditure", pgettext_lazy("budget", "Chi")


class Stage(models.TextChoices):
    PLAN = "plan", _("Dự toán")
    ACTUAL = "actual", _("Thực hiện")


def _period_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("Y", _("Cả năm"))]
    choices += [(f"Q{q}", _("Quý %(n)s") % {"n": q}) for q in range(1, 5)]
    choices += [(f"M{m:02d}", _("Tháng %(n)s") % {"n": m}) for m in range(1, 13)]
    return choices


PERIOD_CHOICES = _period_choices()
PERIODS = [value for value, _label in PERIOD_CHOICES]


def period_months(period: str) -> tuple[int, int]:
    """The first and last month a period covers: "Y" → (1, 12), "Q2" → (4, 6), "M05" → (5, 5)."""
    if period == "Y":
        return 1, 12
    if len(period) == 2 and period[0] == "Q" and period[1] in "1234":
        quarter = int(period[1])
        return 3 * quarter - 2, 3 * quarter
    if (
        len(period) == 3
        and period[0] == "M"
        and period[1:].isdigit()
        and 1 <= int(period[1:]) <= 12
    ):
        month = int(period[1:])
        return month, month
    raise ValueError(period)


def period_label(period: str) -> str:
    return str(dict(PERIOD_CHOICES).get(period, period))


def finance_agency_ids() -> list[int]:
    """Org units holding an active read grant for the budget registry (the finance
    department): their registry officials may keep lines for any agency."""
    return list(
        RegistryGrant.objects.active()
        .filter(registry=REGISTRY_KEY)
        .values_list("agency_id", flat=True)
    )


class BudgetLineQuerySet(RegistryQuerySet["BudgetLine"]):
    """Reads of budget lines.

    `visible_to(user)`: the base rule (superusers; agencies granted the budget registry, i.e.
    the finance department; the keeping agency's registry officials) plus the leaders and
    registry officials of the agency whose budget it is, for their own subtree.
    """

    def visible_to(self, user: Any, *, roles: Any = None) -> Self:
        if not is_real_user(user):
            return self.none()
        if user.is_superuser or has_read_grant(user, REGISTRY_KEY):
            return self.all()
        kept = self.scope_condition(user, roles=[REGISTRY_OWNER_ROLE])
        own = Exists(
            grants_of(user, AGENCY_READ_ROLES).filter(
                StartsWith(OuterRef("agency__path"), F("org_unit__path"))
            )
        )
        return self.filter(kept | Q(own))

    def within(self, agency: Any) -> Self:
        """Lines of `agency` and the units below it."""
        return self.filter(agency__path__startswith=agency.path)

    def in_months(self, year: int, first: int, last: int) -> Self:
        """Lines of `year` whose period lies inside months `first`..`last`."""
        return self.filter(year=year, month_from__gte=first, month_to__lte=last)


class _LiveLineManager(RegistryManager.from_queryset(BudgetLineQuerySet)):  # type: ignore[misc]
    """The default manager: the base's (soft-deleted rows hidden) with this QuerySet."""


class _LineManager(models.Manager.from_queryset(BudgetLineQuerySet)):  # type: ignore[misc]
    """Every row, soft-deleted ones included."""


class BudgetLine(RegistryRecord):
    """One planned or actual amount of revenue or expenditure (dòng thu, chi ngân sách)."""

    registry_key: ClassVar[str] = REGISTRY_KEY
    search_fields: ClassVar[tuple[str, ...]] = ("description",)
    audit_exclude: ClassVar[tuple[str, ...]] = (
        "search_text",
        "updated_at",
        "month_from",
        "month_to",
    )

    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị dự toán"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(
        _("năm ngân sách"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period = models.CharField(_("kỳ"), max_length=3, choices=PERIOD_CHOICES, default="Y")
    month_from = models.PositiveSmallIntegerField(editable=False, default=1)
    month_to = models.PositiveSmallIntegerField(editable=False, default=12)
    kind = models.CharField(_("thu/chi"), max_length=12, choices=Kind.choices)
    stage = models.CharField(_("dự toán/thực hiện"), max_length=6, choices=Stage.choices)
    chapter_code = models.CharField(_("mã chương"), max_length=3)
    item_code = models.CharField(_("mã mục"), max_length=4, blank=True)
    sub_item_code = models.CharField(_("mã tiểu mục"), max_length=4, blank=True)
    amount = models.BigIntegerField(
        _("số tiền (đồng)"),
        help_text=_("Số nguyên, đơn vị đồng. Số âm cho khoản giảm, điều chỉnh."),
    )
    description = models.CharField(_("diễn giải"), max_length=300, blank=True)

    objects: ClassVar[_LiveLineManager] = _LiveLineManager()
    all_objects: ClassVar[_LineManager] = _LineManager()

    class Meta:
        verbose_name = _("dòng thu, chi ngân sách")
        verbose_name_plural = _("thu, chi ngân sách")
        ordering = [
            "-year",
            "agency__path",
            "month_from",
            "kind",
            "item_code",
            "sub_item_code",
            "pk",
        ]
        indexes = [
            *registry_indexes("budget_line"),
            models.Index(
                fields=["year", "agency", "month_from", "month_to"], name="budget_line_period"
            ),
            models.Index(fields=["year", "chapter_code"], name="budget_line_chapter"),
            models.Index(fields=["year", "item_code"], name="budget_line_item"),
        ]
        constraints = [
            # One amount per cell of the table; a correction is an edit (with history), not
            # a second row that would be summed twice.
            models.UniqueConstraint(
                fields=[
                    "agency",
                    "year",
                    "period",
                    "kind",
                    "stage",
                    "chapter_code",
                    "item_code",
                    "sub_item_code",
                ],
                name="budget_line_unique_cell",
            ),
        ]

    def __str__(self) -> str:
        code = self.sub_item_code or self.item_code
        return (
            f"{self.year} {self.period} {self.get_stage_display()} {self.get_kind_display()} {code}"
        )

    @property
    def item_name(self) -> str:
        return codes.item_name(self.item_code)

    @property
    def sub_item_name(self) -> str:
        return codes.sub_item_name(self.sub_item_code)

    @property
    def code_name(self) -> str:
        """The name of the most precise code the line carries."""
        return self.sub_item_name or self.item_name

    def derive(self) -> None:
        """The month range of the period, and the item from the sub-item (bulk inserts skip
        `save`)."""
        try:
            self.month_from, self.month_to = period_months(self.period)
        except ValueError:
            self.month_from, self.month_to = 1, 12
        if self.sub_item_code and not self.item_code and self.sub_item_code.isdigit():
            self.item_code = codes.item_of(self.sub_item_code)

    def clean(self) -> None:
        """Codes known and consistent with the kind; the agency is the keeper's own unit or
        below it, unless the keeper is the finance department."""
        errors: dict[str, Any] = {}
        try:
            cleaned = codes.validate_codes(
                kind=self.kind,
                chapter=self.chapter_code,
                item=self.item_code,
                sub_item=self.sub_item_code,
            )
            self.chapter_code = cleaned["chapter_code"]
            self.item_code = cleaned["item_code"]
            self.sub_item_code = cleaned["sub_item_code"]
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.period not in PERIODS:
            errors["period"] = gettext("Kỳ “%(period)s” không hợp lệ (Y, Q1–Q4, M01–M12).") % {
                "period": self.period
            }
        if self.agency_id and self.owner_id and not self.agency_within_owner():
            errors["agency"] = gettext(
                "Đơn vị dự toán phải là cơ quan quản lý bản ghi hoặc đơn vị trực thuộc "
                "(trừ cơ quan tài chính được cấp quyền khai thác ngân sách)."
            )
        if errors:
            raise ValidationError(errors)
        self.derive()

    def agency_within_owner(self) -> bool:
        """Whether the keeping agency may keep this agency's lines."""
        if self.owner_id == self.agency_id:
            return True
        if self.agency.path.startswith(self.owner.path):
            return True
        return self.owner_id in finance_agency_ids()

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the derived columns in step."""
        self.derive()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "month_from", "month_to", "item_code"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("budget:budgetline_detail", args=[self.pk])


def current_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


__all__ = [
    "PERIODS",
    "PERIOD_CHOICES",
    "BudgetLine",
    "Kind",
    "Stage",
    "current_year",
    "period_label",
    "period_months",
]
