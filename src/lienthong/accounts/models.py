"""Users (officials and citizens) and their roles, granted per org unit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from lienthong.core.identifiers import validate_personal_id
from lienthong.core.models import AuditedModel

if TYPE_CHECKING:
    from lienthong.core.models import OrgUnit


class Role(models.TextChoices):
    """Roles of the platform; each is granted for one org unit (and everything below it)."""

    ONESTOP_OFFICER = "onestop_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    LEADER = "leader", _("Lãnh đạo")
    CLERK = "clerk", _("Văn thư")
    REGISTRY_OWNER = "registry_owner", _("Quản lý cơ sở dữ liệu")
    IT_ADMIN = "it_admin", _("Quản trị CNTT")
    CITIZEN = "citizen", _("Công dân, tổ chức")


#: Roles that administer the platform: those users must log in with a second factor.
ADMIN_ROLES = frozenset({Role.IT_ADMIN})

#: Who must pass TOTP: every official (level 3) or only administrators (a demo).
OTP_SCOPES = ("officials", "admins")


def otp_required_for() -> str:
    """`LIENTHONG["OTP_REQUIRED_FOR"]`, "officials" unless set (an unknown value fails `check`)."""
    from django.conf import settings

    return str(getattr(settings, "LIENTHONG", {}).get("OTP_REQUIRED_FOR", "officials"))


class User(AuditedModel, AbstractUser):
    """A person who logs in: an official (cán bộ) or a citizen (công dân) / business."""

    # The password hash never goes into the audit log; m2m permissions are not used.
    audit_exclude = ("password", "groups", "user_permissions", "last_login")

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Cán bộ, công chức")
        CITIZEN = "citizen", _("Công dân, tổ chức")

    kind = models.CharField(_("loại tài khoản"), max_length=10, choices=Kind.choices)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    personal_id = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_personal_id],
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị công tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_official(self) -> bool:
        return self.kind == self.Kind.OFFICIAL

    @property
    def is_citizen(self) -> bool:
        return self.kind == self.Kind.CITIZEN

    def has_role(self, role: str, org_unit: OrgUnit | None = None) -> bool:
        """Whether the user holds `role` for `org_unit` (or for any unit above it)."""
        grants = self.role_assignments.filter(role=role)
        if org_unit is None:
            return grants.exists()
        ancestor_ids = [int(p) for p in org_unit.path.strip("/").split("/") if p]
        return grants.filter(org_unit_id__in=ancestor_ids).exists()

    @property
    def needs_second_factor(self) -> bool:
        """Whether this user must pass TOTP after the password (docs/security.md).

        Administrators always; every official when `LIENTHONG["OTP_REQUIRED_FOR"]` is
        "officials" (the default, level 3); only officials with admin roles when it is
        "admins" (the demo's relaxation). Citizens never: they sign in with VNeID in production.
        """
        if self.is_superuser or self.is_staff:
            return True
        if not self.is_official:
            return False
        if otp_required_for() == "officials":
            return True
        return self.role_assignments.filter(role__in=ADMIN_ROLES).exists()


class RoleAssignment(models.Model):
    """A role held by a user for an org unit — phân quyền theo đơn vị."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("người dùng"),
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    org_unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], name="roleassignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.org_unit or ''}"
