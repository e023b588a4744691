"""The population registry (cơ sở dữ liệu dân cư): persons and households.

Both are `RegistryRecord`s (owner agency, history, soft delete, folded search; see
docs/registries.md). A person's personal ID (số định danh cá nhân) is checked against the
birth date and sex it encodes (DOMAIN.md: the fourth digit is century and sex, the fifth and
sixth the year of birth). Addresses keep the 2025 commune code, the legacy code when the
address predates July 2025, the street and the text as given (`registries.base.addresses`).
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from importlib import resources
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lienthong.core.identifiers import parse_personal_id, validate_personal_id
from lienthong.registries.base.addresses import describe, describe_legacy, resolve_address
from lienthong.registries.base.models import RegistryRecord, registry_indexes

REGISTRY = "population"


@cache
def ethnic_groups() -> list[tuple[str, str]]:
    """The 54 ethnic groups (code, name), from data/ethnic_groups.json (Decision 121-TCTK)."""
    text = resources.files("lienthong.registries.population").joinpath("data", "ethnic_groups.json")
    groups = json.loads(text.read_text("utf-8"))["groups"]
    return [(g["code"], g["name"]) for g in groups]


class Sex(models.TextChoices):
    """Sex as the personal ID encodes it (even century digit: male, odd: female)."""

    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Relation(models.TextChoices):
    """Relation to the head of the household (quan hệ với chủ hộ)."""

    HEAD = "head", _("Chủ hộ")
    SPOUSE = "spouse", _("Vợ/chồng")
    CHILD = "child", _("Con")
    PARENT = "parent", _("Cha/mẹ")
    GRANDPARENT = "grandparent", _("Ông/bà")
    GRANDCHILD = "grandchild", _("Cháu")
    SIBLING = "sibling", _("Anh/chị/em")
    IN_LAW = "in_law", _("Con dâu/con rể")
    OTHER = "other", _("Khác")


class AddressMixin:
    """Helpers over the `<prefix>_street/_commune/_commune_legacy/_address_original` fields."""

    def address_text(self, prefix: str) -> str:
        """One line: street, commune, province (2025 units)."""
        return describe(getattr(self, f"{prefix}_street"), getattr(self, f"{prefix}_commune"))

    def legacy_address_text(self, prefix: str) -> str:
        """The legacy commune with its district and province, when the address had one."""
        return describe_legacy(getattr(self, f"{prefix}_commune_legacy"))

    def clean_address(self, prefix: str) -> None:
        """Resolve codes/text to both eras (a legacy commune gives its 2025 successor)."""
        try:
            resolved = resolve_address(
                street=getattr(self, f"{prefix}_street"),
                commune=getattr(self, f"{prefix}_commune"),
                legacy_commune=getattr(self, f"{prefix}_commune_legacy"),
                text=getattr(self, f"{prefix}_address_original"),
            )
        except ValidationError as exc:
            raise ValidationError({f"{prefix}_commune": exc.messages}) from exc
        setattr(self, f"{prefix}_street", resolved.street)
        setattr(self, f"{prefix}_commune", resolved.commune)
        setattr(self, f"{prefix}_commune_legacy", resolved.legacy_commune)
        setattr(self, f"{prefix}_address_original", resolved.original)


class Household(AddressMixin, RegistryRecord):
    """A household (hộ gia đình): its number, head and registered address."""

    registry_key = REGISTRY
    search_fields = ("code", "address_street")

    code = models.CharField(_("số hộ"), max_length=20)
    head = models.ForeignKey(
        "population.Person",
        verbose_name=_("chủ hộ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address_street = models.CharField(
        _("Địa chỉ hộ: số nhà, đường, thôn/ấp"), max_length=255, blank=True
    )
    address_commune = models.CharField(
        _("Địa chỉ hộ: mã xã, phường (từ 1/7/2025)"), max_length=5, blank=True
    )
    address_commune_legacy = models.CharField(
        _("Địa chỉ hộ: mã xã, phường cũ (trước 1/7/2025)"), max_length=5, blank=True
    )
    address_address_original = models.CharField(
        _("Địa chỉ hộ: địa chỉ như đã ghi"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="population_household_code")]
        indexes = registry_indexes("pop_household")

    def __str__(self) -> str:
        return str(self.code)

    def get_absolute_url(self) -> str:
        return reverse("population:household_detail", args=[self.pk])

    def clean(self) -> None:
        self.clean_address("address")


class Person(AddressMixin, RegistryRecord):
    """A resident (công dân) as the population registry knows them."""

    registry_key = REGISTRY
    search_fields = ("full_name",)
    identifier_field = "personal_id"

    personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, validators=[validate_personal_id]
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    birth_date = models.DateField(_("ngày sinh"))
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    ethnicity = models.CharField(_("dân tộc"), max_length=2, default="01")
    hometown = models.CharField(_("quê quán"), max_length=255, blank=True)
    permanent_street = models.CharField(
        _("Thường trú: số nhà, đường, thôn/ấp"), max_length=255, blank=True
    )
    permanent_commune = models.CharField(
        _("Thường trú: mã xã, phường (từ 1/7/2025)"), max_length=5, blank=True
    )
    permanent_commune_legacy = models.CharField(
        _("Thường trú: mã xã, phường cũ (trước 1/7/2025)"), max_length=5, blank=True
    )
    permanent_address_original = models.CharField(
        _("Thường trú: địa chỉ như đã ghi"), max_length=500, blank=True
    )
    current_street = models.CharField(
        _("Nơi ở hiện tại: số nhà, đường, thôn/ấp"), max_length=255, blank=True
    )
    current_commune = models.CharField(
        _("Nơi ở hiện tại: mã xã, phường (từ 1/7/2025)"), max_length=5, blank=True
    )
    current_commune_legacy = models.CharField(
        _("Nơi ở hiện tại: mã xã, phường cũ (trước 1/7/2025)"), max_length=5, blank=True
    )
    current_address_original = models.CharField(
        _("Nơi ở hiện tại: địa chỉ như đã ghi"), max_length=500, blank=True
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("hộ gia đình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    relation_to_head = models.CharField(
        _("quan hệ với chủ hộ"), max_length=12, choices=Relation.choices, blank=True
    )

    # The fields the registry's pages show under "Thường trú" and "Nơi ở hiện tại".
    address_prefixes: ClassVar[tuple[str, ...]] = ("permanent", "current")
    #: The household number an import row or form gives, before it is resolved to a row.
    pending_household_code: str = ""

    class Meta:
        verbose_name = _("công dân")
        verbose_name_plural = _("công dân")
        ordering = ["search_text", "id"]
        # A constraint rather than unique=True: on PostgreSQL, unique=True also builds a
        # LIKE-pattern index that no query here uses and every insert pays for.
        constraints = [
            models.UniqueConstraint(fields=["personal_id"], name="population_person_id"),
        ]
        indexes = [
            *registry_indexes("pop_person"),
            models.Index(fields=["permanent_commune"], name="pop_person_commune"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.personal_id})"

    def get_absolute_url(self) -> str:
        return reverse("population:person_detail", args=[self.pk])

    @property
    def permanent_address_text(self) -> str:
        return self.address_text("permanent")

    @property
    def permanent_legacy_text(self) -> str:
        return self.legacy_address_text("permanent")

    @property
    def current_address_text(self) -> str:
        return self.address_text("current")

    @property
    def current_legacy_text(self) -> str:
        return self.legacy_address_text("current")

    @property
    def ethnicity_name(self) -> str:
        return dict(ethnic_groups()).get(self.ethnicity, self.ethnicity)

    def clean(self) -> None:
        """The ID agrees with birth date and sex; ethnicity is known; addresses resolve."""
        errors = person_errors(
            self.personal_id, self.birth_date, self.sex, ethnicity=self.ethnicity
        )
        for prefix in self.address_prefixes:
            try:
                self.clean_address(prefix)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
        if self.relation_to_head and self.household_id is None and not self.pending_household_code:
            errors.setdefault("relation_to_head", []).append(
                str(_("Chỉ ghi quan hệ với chủ hộ khi người này thuộc một hộ gia đình."))
            )
        if errors:
            raise ValidationError(errors)


@cache
def _ethnic_codes() -> frozenset[str]:
    return frozenset(code for code, _name in ethnic_groups())


def person_errors(
    personal_id: str,
    birth_date: datetime.date | None,
    sex: str,
    *,
    ethnicity: str | None = None,
    today: datetime.date | None = None,
) -> dict[str, list[str]]:
    """The rules of a person's own fields (imports and `Person.clean` share them)."""
    errors = id_consistency_errors(personal_id, birth_date, sex, today=today)
    if ethnicity is not None and ethnicity not in _ethnic_codes():
        errors["ethnicity"] = [
            str(_("Mã dân tộc “%(code)s” không có trong danh mục 54 dân tộc."))
            % {"code": ethnicity}
        ]
    return errors


def id_consistency_errors(
    personal_id: str,
    birth_date: datetime.date | None,
    sex: str,
    *,
    today: datetime.date | None = None,
) -> dict[str, list[str]]:
    """Where the personal ID disagrees with the birth date or sex (empty when it agrees).

    The fourth digit gives the century and sex (0/1: 1900s male/female, 2/3: 2000s, …), the
    fifth and sixth the year of birth (DOMAIN.md, Decree 137/2015/NĐ-CP).
    """
    errors: dict[str, list[str]] = {}
    today = today or timezone.localdate()
    if birth_date is not None and birth_date > today:
        errors["birth_date"] = [str(_("Ngày sinh ở sau ngày hôm nay."))]
    if not personal_id:
        return errors
    try:
        encoded = parse_personal_id(personal_id, today=today)
    except ValidationError as exc:
        errors["personal_id"] = exc.messages
        return errors
    if birth_date is not None and encoded["birth_year"] != birth_date.year:
        errors.setdefault("personal_id", []).append(
            str(
                _(
                    "Số định danh cho năm sinh %(encoded)s nhưng ngày sinh là năm %(year)s "
                    "(chữ số thứ 4 là thế kỷ và giới tính, thứ 5–6 là năm sinh)."
                )
            )
            % {"encoded": encoded["birth_year"], "year": birth_date.year}
        )
    if sex and encoded["sex"] != sex:
        errors.setdefault("personal_id", []).append(
            str(
                _(
                    "Số định danh cho giới tính %(encoded)s nhưng giới tính ghi là %(sex)s "
                    "(chữ số thứ 4 chẵn là nam, lẻ là nữ)."
                )
            )
            % {"encoded": Sex(str(encoded["sex"])).label, "sex": Sex(sex).label}
        )
    return errors
