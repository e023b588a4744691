"""Writes on accounts: creating officials and citizens, granting roles, enrolling TOTP.

Each function checks that `by` may do it, writes in one transaction and records the audit
entry. Who may administer accounts: a superuser, or an IT administrator (quản trị CNTT) of
the org unit concerned or of a unit above it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from lienthong.accounts.models import Role, RoleAssignment, User
from lienthong.core.audit import audited, record
from lienthong.core.models import OrgUnit

#: Roles that only officials hold, always for an org unit.
OFFICIAL_ROLES = frozenset(role for role in Role if role != Role.CITIZEN)


def can_administer(by: User, org_unit: OrgUnit | None) -> bool:
    """Whether `by` may manage accounts and roles of `org_unit` (None: platform-wide)."""
    if not (by.is_authenticated and by.is_active):
        return False
    if by.is_superuser:
        return True
    if org_unit is None:
        # Accounts without a unit (citizens) are managed by any IT administrator.
        return by.is_official and by.has_role(Role.IT_ADMIN)
    return by.is_official and by.has_role(Role.IT_ADMIN, org_unit)


def _require_administer(by: User, org_unit: OrgUnit | None) -> None:
    if not can_administer(by, org_unit):
        raise PermissionDenied(
            _("Bạn không có quyền quản trị tài khoản của đơn vị này.")
            if org_unit is not None
            else _("Chỉ quản trị CNTT mới được quản lý tài khoản công dân.")
        )


def _validated_new_user(user: User, password: str | None) -> None:
    """Field checks (username format and uniqueness, personal ID) and the password rules."""
    user.full_clean(exclude=["password"])
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc


def _save_new_user(user: User, password: str | None, *, by: User, org_unit: OrgUnit | None) -> User:
    _validated_new_user(user, password)
    if password is None:
        # The person sets a password later (reset link) or logs in through SSO.
        user.set_unusable_password()
    else:
        user.set_password(password)
    with audited("accounts.user.create", user, actor=by, org_unit=org_unit):
        user.save()
    return user


@transaction.atomic
def create_official(
    *,
    username: str,
    full_name: str,
    org_unit: OrgUnit,
    by: User,
    password: str | None = None,
    email: str = "",
    phone: str = "",
    position: str = "",
    personal_id: str | None = None,
    roles: Iterable[str] = (),
    is_staff: bool = False,
) -> User:
    """Create an official (cán bộ) of `org_unit`, with `roles` granted for that unit."""
    _require_administer(by, org_unit)
    if is_staff and not by.is_superuser:
        # Staff status opens the Django admin; only a superuser hands that out.
        raise PermissionDenied(
            _("Chỉ quản trị viên cấp cao mới được cấp quyền vào trang quản trị.")
        )
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        kind=User.Kind.OFFICIAL,
        org_unit=org_unit,
        email=email.strip(),
        phone=phone.strip(),
        position=position.strip(),
        personal_id=personal_id or None,
        is_staff=is_staff,
    )
    _save_new_user(user, password, by=by, org_unit=org_unit)
    for role in roles:
        grant_role(user=user, role=role, org_unit=org_unit, by=by)
    return user


@transaction.atomic
def create_citizen(
    *,
    username: str,
    full_name: str,
    by: User,
    password: str | None = None,
    email: str = "",
    phone: str = "",
    personal_id: str | None = None,
) -> User:
    """Create a citizen or business account (công dân, tổ chức) holding the citizen role."""
    _require_administer(by, None)
    user = User(
        username=username.strip(),
        full_name=full_name.strip(),
        kind=User.Kind.CITIZEN,
        email=email.strip(),
        phone=phone.strip(),
        personal_id=personal_id or None,
    )
    _save_new_user(user, password, by=by, org_unit=None)
    grant_role(user=user, role=Role.CITIZEN, org_unit=None, by=by)
    return user


def _check_grant(user: User, role: str, org_unit: OrgUnit | None) -> None:
    """Whether `role` fits the user's kind and the unit (raises ValidationError if not)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ: %(role)s.") % {"role": role}})
    if role == Role.CITIZEN:
        if not user.is_citizen:
            raise ValidationError(
                {"role": _("Chỉ tài khoản công dân, tổ chức mới có vai trò công dân.")}
            )
        if org_unit is not None:
            raise ValidationError({"org_unit": _("Vai trò công dân không gắn với đơn vị.")})
        return
    if not user.is_official:
        raise ValidationError({"role": _("Chỉ cán bộ, công chức mới được giao vai trò này.")})
    if org_unit is None:
        raise ValidationError({"org_unit": _("Hãy chọn đơn vị được giao vai trò.")})
    if not org_unit.is_active:
        raise ValidationError({"org_unit": _("Đơn vị này đã ngừng hoạt động.")})


def validate_grant(*, user: User, role: str, org_unit: OrgUnit | None, by: User) -> None:
    """Raise PermissionDenied or ValidationError unless `by` may grant this role now."""
    _require_administer(by, org_unit)
    if user.pk is not None and user.pk == by.pk and not by.is_superuser:
        # Otherwise an IT administrator could make themselves leader of any unit they run.
        raise PermissionDenied(_("Bạn không thể tự phân quyền cho chính mình."))
    _check_grant(user, role, org_unit)
    if RoleAssignment.objects.filter(user=user, role=role, org_unit=org_unit).exists():
        raise ValidationError({"role": _("Người dùng đã có vai trò này tại đơn vị này.")})


def validate_revoke(*, user: User, org_unit: OrgUnit | None, by: User) -> None:
    """Raise PermissionDenied unless `by` may take roles of `org_unit` away from `user`."""
    _require_administer(by, org_unit)
    if user.pk == by.pk and not by.is_superuser:
        raise PermissionDenied(_("Bạn không thể tự thu hồi quyền của chính mình."))


@transaction.atomic
def grant_role(*, user: User, role: str, org_unit: OrgUnit | None, by: User) -> RoleAssignment:
    """Grant `role` to `user` for `org_unit` and everything below it."""
    validate_grant(user=user, role=role, org_unit=org_unit, by=by)
    assignment = RoleAssignment(user=user, role=role, org_unit=org_unit)
    with audited("accounts.role.grant", assignment, actor=by, org_unit=org_unit):
        assignment.save()
    return assignment


@transaction.atomic
def revoke_role(*, user: User, role: str, org_unit: OrgUnit | None, by: User) -> None:
    """Take `role` for `org_unit` away from `user`."""
    validate_revoke(user=user, org_unit=org_unit, by=by)
    assignment = (
        RoleAssignment.objects.select_for_update()
        .filter(user=user, role=role, org_unit=org_unit)
        .first()
    )
    if assignment is None:
        raise ValidationError({"role": _("Người dùng không có vai trò này tại đơn vị này.")})
    with audited("accounts.role.revoke", assignment, actor=by, org_unit=org_unit):
        assignment.delete()


def pending_totp_device(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first use so the secret stays stable.

    Not audited: an unconfirmed device cannot be used to log in; its confirmation is.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Ứng dụng xác thực"), confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, device: TOTPDevice, token: str, by: User) -> bool:
    """Confirm a new TOTP device with its first code; False if the code is wrong."""
    if device.user_id != by.pk:
        raise PermissionDenied(_("Thiết bị xác thực này không phải của bạn."))
    if device.confirmed:
        raise ValidationError({"token": _("Thiết bị này đã được kích hoạt.")})
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(
        "accounts.otp.confirm",
        by,
        actor=by,
        after={"device": device.persistent_id},
    )
    return True
