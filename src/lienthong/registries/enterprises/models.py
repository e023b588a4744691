"""The enterprise registry — cơ sở dữ liệu doanh nghiệp — and investment projects (dự án đầu tư).

`Enterprise` and `InvestmentProject` are registry records (`registries.base.RegistryRecord`:
owner agency, soft delete, folded search text, history, grants). What hangs off them is
written only through this app's services, which audit it against the record it belongs to:
lines of business (`BusinessLine`, VSIC codes, one main), the status history
(`StatusChange`), dependent units (`Branch`: branches, representative offices, business
locations), a project's investors (`ProjectInvestor`) and the amendments of its investment
registration certificate (`CertificateAmendment`).

Addresses keep both eras (DOMAIN.md, "Administrative units"): the 2025 commune code
(`*_commune`), the legacy commune code it was written with, if any (`*_commune_legacy`), the
street and the address as originally written (`*_address_original`), which a legacy import
never loses; `registries.base.addresses` resolves and converts them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.identifiers import validate_personal_id
from lienthong.core.models import AuditedModel
from lienthong.registries.base.addresses import describe, describe_legacy, resolve_address
from lienthong.registries.base.models import (
    RegistryManager,
    RegistryQuerySet,
    RegistryRecord,
    registry_indexes,
)
from lienthong.registries.enterprises import taxcodes, vsic

# --- Choices --------------------------------------------------------------------------------


class EnterpriseType(models.TextChoices):
    """Legal forms (loại hình) under the Law on Enterprises 59/2020/QH14 and on Cooperatives."""

    SOLE_PROPRIETORSHIP = "dntn", _("Doanh nghiệp tư nhân")
    LLC_SINGLE = "tnhh1", _("Công ty TNHH một thành viên")
    LLC_MULTI = "tnhh2", _("Công ty TNHH hai thành viên trở lên")
    JOINT_STOCK = "cp", _("Công ty cổ phần")
    PARTNERSHIP = "hd", _("Công ty hợp danh")
    COOPERATIVE = "htx", _("Hợp tác xã")
    COOPERATIVE_UNION = "lhhtx", _("Liên hiệp hợp tác xã")


class EnterpriseStatus(models.TextChoices):
    """Where an enterprise stands (tình trạng hoạt động); changed only by `change_status`."""

    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm ngừng kinh doanh")
    DISSOLVED = "dissolved", _("Đã giải thể")


#: Allowed moves between statuses: dissolution is final.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    EnterpriseStatus.ACTIVE: frozenset({EnterpriseStatus.SUSPENDED, EnterpriseStatus.DISSOLVED}),
    EnterpriseStatus.SUSPENDED: frozenset({EnterpriseStatus.ACTIVE, EnterpriseStatus.DISSOLVED}),
    EnterpriseStatus.DISSOLVED: frozenset(),
}


class BranchKind(models.TextChoices):
    """Dependent units of an enterprise (Law on Enterprises 2020, Art. 44)."""

    BRANCH = "branch", _("Chi nhánh")
    REPRESENTATIVE_OFFICE = "office", _("Văn phòng đại diện")
    BUSINESS_LOCATION = "location", _("Địa điểm kinh doanh")


class ProjectStatus(models.TextChoices):
    """Whether an investment project runs (Law on Investment 61/2020/QH14, Art. 48)."""

    ACTIVE = "active", _("Đang hoạt động")
    TERMINATED = "terminated", _("Đã chấm dứt hoạt động")


class InvestorKind(models.TextChoices):
    """An investor is an organisation (with a tax code) or a person (with a personal ID)."""

    ORGANISATION = "organisation", _("Tổ chức")
    PERSON = "person", _("Cá nhân")


# --- Address --------------------------------------------------------------------------------


class AddressFields:
    """Helpers over `<prefix>_street/_commune/_commune_legacy/_address_original` (the same
    names the population registry uses), resolved by `registries.base.addresses`."""

    def address_text(self, prefix: str) -> str:
        """One line: street, commune, province (2025 units); the original text if no commune."""
        street, commune = getattr(self, f"{prefix}_street"), getattr(self, f"{prefix}_commune")
        if not commune:
            return street or getattr(self, f"{prefix}_address_original")
        return describe(street, commune)

    def legacy_address_text(self, prefix: str) -> str:
        """The legacy commune with its district and province, when the address had one."""
        return describe_legacy(getattr(self, f"{prefix}_commune_legacy"))

    def clean_address(self, prefix: str) -> None:
        """Resolve codes/text to both eras (a legacy commune gives its 2025 successor)."""
        # A model instance keeps its field values in __dict__ under their names.
        clean_address_values(self.__dict__, prefix)


def clean_address_values(values: dict[str, Any], prefix: str) -> None:
    """Resolve the address columns of a row (a dict, or a record's __dict__) in place."""
    try:
        resolved = resolve_address(
            street=values.get(f"{prefix}_street") or "",
            commune=values.get(f"{prefix}_commune") or "",
            legacy_commune=values.get(f"{prefix}_commune_legacy") or "",
            text=values.get(f"{prefix}_address_original") or "",
        )
    except ValidationError as exc:
        raise ValidationError({f"{prefix}_commune": exc.messages}) from exc
    values[f"{prefix}_street"] = resolved.street
    values[f"{prefix}_commune"] = resolved.commune
    values[f"{prefix}_commune_legacy"] = resolved.legacy_commune
    values[f"{prefix}_address_original"] = resolved.original


def enterprise_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """The rules of an enterprise row (a dict, or a record's __dict__), normalising in place:
    an enterprise's tax code, the representative's personal ID, the head-office address."""
    errors: dict[str, list[str]] = {}
    try:
        values["tax_code"] = taxcodes.normalise(values.get("tax_code") or "")
    except ValidationError as exc:
        errors["tax_code"] = exc.messages
    if values.get("representative_personal_id"):
        try:
            validate_personal_id(values["representative_personal_id"])
        except ValidationError as exc:
            errors["representative_personal_id"] = exc.messages
    try:
        clean_address_values(values, "address")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return errors


def keep_stored(obj: models.Model, fields: tuple[str, ...]) -> None:
    """Put back the stored values of `fields` on a saved record (no-op for a new one)."""
    if obj.pk is None:
        return
    stored = type(obj)._base_manager.filter(pk=obj.pk).values(*fields).first()
    if stored is not None:
        for name, value in stored.items():
            setattr(obj, name, value)


# --- Enterprise -----------------------------------------------------------------------------


class EnterpriseQuerySet(RegistryQuerySet["Enterprise"]):
    """Reads of the enterprise registry."""

    def search(self, q: str | None) -> Self:
        """The base's search, reading a 13-digit branch code typed without its dash too."""
        text = (q or "").strip()
        digits = "".join(c for c in text if c.isdigit())
        if len(digits) > 10 and "-" not in text and len(digits) <= 13 and text[:1].isdigit():
            text = f"{digits[:10]}-{digits[10:]}"
        return super().search(text)

    def with_line(self, value: str) -> Self:
        """Enterprises with a line of business under a VSIC section letter or code prefix."""
        low, high = vsic.filter_range(value)
        # One seek in the (enterprise, code) unique index per enterprise looked at.
        lines = BusinessLine.objects.filter(
            enterprise=models.OuterRef("pk"), code__gte=low, code__lt=high
        )
        return self.filter(models.Exists(lines))


class EnterpriseManager(RegistryManager.from_queryset(EnterpriseQuerySet)):  # type: ignore[misc]
    """Live enterprises only (soft-deleted ones through `all_objects`)."""


class Enterprise(AddressFields, RegistryRecord):
    """An enterprise or cooperative — doanh nghiệp, hợp tác xã — keyed by its tax code."""

    registry_key: ClassVar[str] = "enterprises"
    search_fields: ClassVar[tuple[str, ...]] = ("name", "name_short", "name_foreign")
    identifier_field: ClassVar[str] = "tax_code"

    tax_code = models.CharField(_("mã số doanh nghiệp (mã số thuế)"), max_length=14)
    name = models.CharField(_("tên doanh nghiệp"), max_length=255)
    name_foreign = models.CharField(_("tên bằng tiếng nước ngoài"), max_length=255, blank=True)
    name_short = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    enterprise_type = models.CharField(_("loại hình"), max_length=8, choices=EnterpriseType.choices)
    founded_on = models.DateField(_("ngày đăng ký lần đầu"), null=True, blank=True)
    charter_capital = models.BigIntegerField(
        _("vốn điều lệ (đồng)"), default=0, validators=[MinValueValidator(0)]
    )
    representative_name = models.CharField(_("người đại diện theo pháp luật"), max_length=150)
    representative_personal_id = models.CharField(
        _("số định danh của người đại diện"), max_length=12, blank=True
    )
    representative_title = models.CharField(_("chức danh"), max_length=100, blank=True)
    address_street = models.CharField(_("Trụ sở: số nhà, đường"), max_length=255, blank=True)
    address_commune = models.CharField(
        _("Trụ sở: mã xã, phường (từ 1/7/2025)"), max_length=5, blank=True
    )
    address_commune_legacy = models.CharField(
        _("Trụ sở: mã xã, phường cũ (trước 1/7/2025)"), max_length=5, blank=True
    )
    address_address_original = models.CharField(
        _("Trụ sở: địa chỉ như đã ghi"), max_length=500, blank=True
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    # Copies of the lines of business (`BusinessLine` answers the filters): shown in lists
    # and exports without a query per row.
    main_line = models.CharField(
        _("ngành, nghề kinh doanh chính"), max_length=5, blank=True, editable=False
    )
    other_lines = models.CharField(
        _("ngành, nghề kinh doanh khác"), max_length=500, blank=True, editable=False
    )
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.ACTIVE,
        editable=False,
    )
    status_since = models.DateField(_("từ ngày"), null=True, blank=True, editable=False)

    objects: ClassVar[EnterpriseManager] = EnterpriseManager()
    all_objects: ClassVar[Any] = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("doanh nghiệp")
        verbose_name_plural = _("doanh nghiệp")
        ordering = ["tax_code"]
        # A constraint rather than unique=True: on PostgreSQL unique=True also builds a
        # LIKE-pattern index that no query uses (prefix search uses ranges) and imports pay.
        constraints = [models.UniqueConstraint(fields=["tax_code"], name="ent_tax_code")]
        indexes = [
            *registry_indexes("ent"),
            models.Index(fields=["status", "tax_code"], name="ent_status"),
            models.Index(fields=["enterprise_type", "tax_code"], name="ent_type"),
            models.Index(fields=["address_commune", "tax_code"], name="ent_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.tax_code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:enterprise_detail", args=[self.pk])

    def stage_lines(self, main: str, others: Iterable[str] = ()) -> None:
        """Set the lines of business (validated; ValidationError on "lines").

        The row's `main_line` and `other_lines` are what is recorded, audited and reverted;
        `save()` keeps the `BusinessLine` rows (what the filters query) in step with them.
        """
        lines = clean_lines(main, others)
        self.main_line = lines[0][0] if lines else ""
        self.other_lines = ";".join(code for code, is_main in lines if not is_main)[:500]

    def line_codes(self) -> list[tuple[str, bool]]:
        """(code, is_main) of the lines of business the row records, main first."""
        others = [(code, False) for code in split_codes(self.other_lines)]
        return ([(self.main_line, True)] if self.main_line else []) + others

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the row, then bring the `BusinessLine` rows in step with its lines."""
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or {"main_line", "other_lines"} & set(fields):
            self.sync_lines()

    def sync_lines(self) -> None:
        """Rewrite the `BusinessLine` rows when they differ from the row's lines."""
        wanted = self.line_codes()
        have = list(BusinessLine.objects.filter(enterprise=self).values_list("code", "is_main"))
        if sorted(have) != sorted(wanted):
            BusinessLine.objects.filter(enterprise=self).delete()
            BusinessLine.objects.bulk_create(
                BusinessLine(enterprise=self, code=code, is_main=main) for code, main in wanted
            )

    @property
    def address(self) -> str:
        """The head office's address in 2025 units."""
        return self.address_text("address")

    @property
    def legacy_address(self) -> str:
        """The legacy commune the address was written with, if any."""
        return self.legacy_address_text("address")

    def clean(self) -> None:
        """The tax code is an enterprise's (normalised); the address resolves in both eras.

        The status is kept as stored: it changes only through `services.change_status`
        (which writes its history), not by an edit or a revert to an older version.
        """
        keep_stored(self, ("status", "status_since"))
        if errors := enterprise_errors(self.__dict__):
            raise ValidationError(errors)


def clean_lines(main: str, others: Iterable[str] = ()) -> list[tuple[str, bool]]:
    """(code, is_main) of a main line and other lines, validated; ValidationError on "lines"."""
    errors: list[str] = []
    lines: list[tuple[str, bool]] = []
    seen: set[str] = set()
    main = (main or "").strip()
    if not main:
        errors.append(str(_("Chưa có ngành, nghề kinh doanh chính.")))
    for raw, is_main in [(main, True), *((code, False) for code in others)]:
        if not raw.strip():
            continue
        try:
            code = vsic.clean(raw)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if code in seen:
            continue
        seen.add(code)
        lines.append((code, is_main))
    if errors:
        raise ValidationError({"lines": errors})
    return lines


def split_codes(text: str) -> list[str]:
    """Codes written one per line or separated by commas or semicolons."""
    return [c for c in re.split(r"[\s,;]+", text or "") if c]


class BusinessLine(models.Model):
    """A line of business (ngành, nghề kinh doanh) of an enterprise: a VSIC level-4/5 code."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(_("mã ngành (VSIC)"), max_length=5)
    is_main = models.BooleanField(_("ngành chính"), default=False)
    detail = models.CharField(_("chi tiết"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("ngành, nghề kinh doanh")
        verbose_name_plural = _("ngành, nghề kinh doanh")
        ordering = ["-is_main", "code"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="ent_line_unique"),
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(is_main=True), name="ent_line_one_main"
            ),
        ]
        indexes = [models.Index(fields=["code"], name="ent_line_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The code's official VSIC name."""
        return vsic.name(self.code)


class StatusChange(models.Model):
    """One change of an enterprise's status (lịch sử tình trạng), with its date and reason."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="status_history"
    )
    from_status = models.CharField(
        _("tình trạng trước"), max_length=10, choices=EnterpriseStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("tình trạng mới"), max_length=10, choices=EnterpriseStatus.choices
    )
    effective_on = models.DateField(_("ngày hiệu lực"))
    until = models.DateField(_("đến ngày"), null=True, blank=True)
    reason = models.TextField(_("lý do"))
    decision = models.CharField(_("văn bản, quyết định"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("thay đổi tình trạng")
        verbose_name_plural = _("lịch sử tình trạng")
        ordering = ["enterprise", "effective_on", "pk"]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.from_status} → {self.to_status} ({self.effective_on})"


class Branch(AddressFields, AuditedModel):
    """A dependent unit of an enterprise (đơn vị phụ thuộc): branch, office or location."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="branches")
    kind = models.CharField(_("loại"), max_length=10, choices=BranchKind.choices)
    tax_code = models.CharField(
        _("mã số đơn vị phụ thuộc"),
        max_length=14,
        blank=True,
        help_text=_("13 chữ số (NNNNNNNNNN-NNN); địa điểm kinh doanh không có mã số thuế riêng."),
    )
    name = models.CharField(_("tên"), max_length=255)
    head_name = models.CharField(_("người đứng đầu"), max_length=150, blank=True)
    address_street = models.CharField(_("Địa chỉ: số nhà, đường"), max_length=255, blank=True)
    address_commune = models.CharField(
        _("Địa chỉ: mã xã, phường (từ 1/7/2025)"), max_length=5, blank=True
    )
    address_commune_legacy = models.CharField(
        _("Địa chỉ: mã xã, phường cũ (trước 1/7/2025)"), max_length=5, blank=True
    )
    address_address_original = models.CharField(
        _("Địa chỉ: địa chỉ như đã ghi"), max_length=500, blank=True
    )
    opened_on = models.DateField(_("ngày đăng ký"), null=True, blank=True)
    closed_on = models.DateField(_("ngày chấm dứt"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị phụ thuộc")
        verbose_name_plural = _("chi nhánh, văn phòng đại diện, địa điểm kinh doanh")
        ordering = ["enterprise", "tax_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="ent_branch_tax_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tax_code or self.get_kind_display()} {self.name}"

    @property
    def address(self) -> str:
        """The unit's address in 2025 units."""
        return self.address_text("address")


# --- Investment projects --------------------------------------------------------------------


class InvestmentProjectQuerySet(RegistryQuerySet["InvestmentProject"]):
    """Reads of the investment-project registry."""


class InvestmentProjectManager(
    RegistryManager.from_queryset(InvestmentProjectQuerySet)  # type: ignore[misc]
):
    """Live projects only."""


class InvestmentProject(AddressFields, RegistryRecord):
    """An investment project — dự án đầu tư — with its registration certificate (GCNĐKĐT)."""

    registry_key: ClassVar[str] = "investment_projects"
    search_fields: ClassVar[tuple[str, ...]] = ("name", "investor_names")
    identifier_field: ClassVar[str] = "code"

    code = models.CharField(
        _("mã số dự án"),
        max_length=10,
        help_text=_("10 chữ số; cũng là số Giấy chứng nhận đăng ký đầu tư (Luật Đầu tư 2020)."),
    )
    name = models.CharField(_("tên dự án"), max_length=500)
    objectives = models.TextField(_("mục tiêu dự án"))
    capital = models.BigIntegerField(
        _("vốn đầu tư (đồng)"), default=0, validators=[MinValueValidator(0)]
    )
    location_street = models.CharField(
        _("Địa điểm thực hiện: số nhà, đường, khu"), max_length=255, blank=True
    )
    location_commune = models.CharField(
        _("Địa điểm thực hiện: mã xã, phường (từ 1/7/2025)"), max_length=5, blank=True
    )
    location_commune_legacy = models.CharField(
        _("Địa điểm thực hiện: mã xã, phường cũ (trước 1/7/2025)"), max_length=5, blank=True
    )
    location_address_original = models.CharField(
        _("Địa điểm thực hiện: địa chỉ như đã ghi"), max_length=500, blank=True
    )
    land_area = models.DecimalField(
        _("diện tích đất (m²)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    duration_years = models.PositiveSmallIntegerField(
        _("thời hạn hoạt động (năm)"), null=True, blank=True
    )
    certificate_number = models.CharField(_("số Giấy chứng nhận đăng ký đầu tư"), max_length=50)
    certificate_date = models.DateField(_("ngày cấp lần đầu"))
    status = models.CharField(
        _("tình trạng"),
        max_length=12,
        choices=ProjectStatus.choices,
        default=ProjectStatus.ACTIVE,
    )
    # "Name (identifier); …": the investors in one line for lists, exports and search.
    investor_names = models.CharField(_("nhà đầu tư"), max_length=500, blank=True, editable=False)
    source_dossier = models.CharField(
        _("hồ sơ cấp"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Mã hồ sơ một cửa đã cấp giấy chứng nhận, nếu cấp qua hệ thống."),
    )

    objects: ClassVar[InvestmentProjectManager] = InvestmentProjectManager()
    all_objects: ClassVar[Any] = InvestmentProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("dự án đầu tư")
        verbose_name_plural = _("dự án đầu tư")
        ordering = ["code"]
        indexes = [
            *registry_indexes("invp"),
            models.Index(fields=["location_commune", "code"], name="invp_commune"),
            models.Index(fields=["status", "code"], name="invp_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="invp_code"),
            # A dossier creates at most one project, however often its event is delivered.
            models.UniqueConstraint(
                fields=["source_dossier"],
                condition=~Q(source_dossier=""),
                name="invp_source_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("enterprises:investmentproject_detail", args=[self.pk])

    def stage_investors(self, investors: Iterable[ProjectInvestor]) -> None:
        """Keep the project's investors (unsaved rows) for the next `save()` to write.

        `investor_names` ("Name (identifier); …") is what the row records, audits and
        reverts; the `ProjectInvestor` rows add the details (capital, nationality, the link
        to a registered enterprise). Written in `save()`, they stay inside the audited block
        of whichever service saves the project. A revert that changes `investor_names`
        rebuilds the rows from it (without the details it does not hold).
        """
        staged = list(investors)
        self.investor_names = investors_text(staged)[:500]
        self._pending_investors = staged

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the row, then the investors staged by `stage_investors`, if any."""
        super().save(*args, **kwargs)
        pending: list[ProjectInvestor] | None = self.__dict__.pop("_pending_investors", None)
        if pending is None and kwargs.get("update_fields") is None:
            current = investors_text(self.investors.all())
            if current != self.investor_names:
                pending = investors_from_text(self.investor_names)
        if pending is not None:
            ProjectInvestor.objects.filter(project=self).delete()
            for order, investor in enumerate(pending, start=1):
                investor.pk = None
                investor.project = self
                investor.order = order
            ProjectInvestor.objects.bulk_create(pending)

    @property
    def location(self) -> str:
        """Where the project is, in 2025 units."""
        return self.address_text("location")

    @property
    def legacy_location(self) -> str:
        """The legacy commune the location was written with, if any."""
        return self.legacy_address_text("location")

    def clean(self) -> None:
        """The code is 10 digits; the location resolves in both eras; the status and the
        dossier it came from stay as stored (termination has its own service)."""
        keep_stored(self, ("status", "source_dossier"))
        errors: dict[str, list[str]] = {}
        if not re.fullmatch(r"[0-9]{10}", self.code or ""):
            errors["code"] = [str(_("Mã số dự án gồm đúng 10 chữ số."))]
        try:
            self.clean_address("location")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


NAMED_INVESTOR = re.compile(r"^(?P<name>.*\S)\s*\((?P<identifier>[^()]*)\)\s*$")


def investors_from_text(text: str) -> list[ProjectInvestor]:
    """Unsaved investor rows from "Name (identifier); …" (identifiers of 12 digits are
    persons; registered tax codes are linked to their enterprise)."""
    rows = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        match = NAMED_INVESTOR.match(part)
        name, identifier = (match["name"], match["identifier"].strip()) if match else (part, "")
        person = identifier.isdigit() and len(identifier) == 12
        rows.append(
            ProjectInvestor(
                kind=InvestorKind.PERSON if person else InvestorKind.ORGANISATION,
                enterprise=None
                if person
                else Enterprise.objects.filter(tax_code=identifier).first(),
                name=name,
                identifier=identifier,
            )
        )
    return rows


def investors_text(investors: Iterable[ProjectInvestor]) -> str:
    """Investors as one line, "Name (identifier); …" — the import column's format too."""
    return "; ".join(f"{i.name} ({i.identifier})" if i.identifier else i.name for i in investors)


class ProjectInvestor(models.Model):
    """An investor (nhà đầu tư) of a project: a registered enterprise, another body, a person."""

    project = models.ForeignKey(
        InvestmentProject, on_delete=models.CASCADE, related_name="investors"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    kind = models.CharField(_("loại nhà đầu tư"), max_length=12, choices=InvestorKind.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("doanh nghiệp trong cơ sở dữ liệu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investments",
    )
    name = models.CharField(_("tên nhà đầu tư"), max_length=255)
    identifier = models.CharField(
        _("mã số thuế / số định danh / số hộ chiếu"), max_length=20, blank=True
    )
    nationality = models.CharField(_("quốc tịch"), max_length=60, blank=True)
    capital = models.BigIntegerField(
        _("vốn góp (đồng)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("nhà đầu tư")
        verbose_name_plural = _("nhà đầu tư")
        ordering = ["project", "order", "pk"]
        indexes = [models.Index(fields=["identifier"], name="invp_investor_ident")]

    def __str__(self) -> str:
        return self.name


class CertificateAmendment(models.Model):
    """One amendment (điều chỉnh) of a project's investment registration certificate."""

    project = models.ForeignKey(
        InvestmentProject, on_delete=models.CASCADE, related_name="amendments"
    )
    number = models.PositiveSmallIntegerField(_("điều chỉnh lần thứ"))
    certificate_number = models.CharField(_("số giấy chứng nhận"), max_length=50, blank=True)
    amended_on = models.DateField(_("ngày điều chỉnh"))
    summary = models.TextField(_("nội dung điều chỉnh"))
    changes = models.JSONField(
        _("các trường thay đổi"),
        default=dict,
        blank=True,
        help_text=_("Tên trường → [giá trị cũ, giá trị mới]."),
    )
    source_dossier = models.CharField(_("hồ sơ điều chỉnh"), max_length=40, blank=True)
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lần điều chỉnh giấy chứng nhận")
        verbose_name_plural = _("các lần điều chỉnh giấy chứng nhận")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="invp_amendment_number"),
            models.UniqueConstraint(
                fields=["source_dossier"],
                condition=~Q(source_dossier=""),
                name="invp_amendment_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number} ({self.amended_on})"


class DossierSyncProblem(models.Model):
    """An approved investment dossier whose form data could not update the registry.

    The one-stop event is not retried for it (the data would fail the same way); the owner
    agency's registry officials see it on the projects page and enter the project by hand.
    """

    dossier_code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    procedure_code = models.CharField(_("mã thủ tục"), max_length=40)
    agency = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    errors = models.JSONField(_("lỗi"), default=dict)
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    resolved_at = models.DateTimeField(_("đã xử lý lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ đầu tư chưa cập nhật được")
        verbose_name_plural = _("hồ sơ đầu tư chưa cập nhật được")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.dossier_code
