"""Django admin for users and their roles; role changes go through the services."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.accounts.models import RoleAssignment, User
from lienthong.accounts.services import grant_role, revoke_role, validate_grant, validate_revoke
from lienthong.core.audit import audited

admin.site.site_header = _("Liên Thông — Quản trị hệ thống")
admin.site.site_title = _("Quản trị Liên Thông")
admin.site.index_title = _("Quản trị hệ thống")


class RoleAssignmentFormSet(BaseInlineFormSet):
    """Checks each added, changed or removed grant as the services would, as form errors."""

    acting_user: User

    def clean(self) -> None:
        super().clean()
        user = cast(User, self.instance)
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            existing = form.instance.pk is not None
            deleting = bool(self.can_delete and form.cleaned_data.get("DELETE"))
            if (deleting and not existing) or (not deleting and not form.has_changed()):
                continue
            try:
                if existing:  # removed or changed: the stored grant is revoked first
                    stored = RoleAssignment.objects.get(pk=form.instance.pk)
                    validate_revoke(user=user, org_unit=stored.org_unit, by=self.acting_user)
                if not deleting:
                    validate_grant(
                        user=user,
                        role=form.cleaned_data.get("role", ""),
                        org_unit=form.cleaned_data.get("org_unit"),
                        by=self.acting_user,
                    )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc.messages)


class RoleAssignmentInline(admin.TabularInline):
    """The roles of a user, one row per (role, org unit)."""

    model = RoleAssignment
    formset = RoleAssignmentFormSet
    extra = 0
    fields = ("role", "org_unit")
    verbose_name = _("vai trò theo đơn vị")
    verbose_name_plural = _("vai trò theo đơn vị")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = cast(type[RoleAssignmentFormSet], super().get_formset(request, obj, **kwargs))
        formset.acting_user = cast(User, request.user)
        return formset


@admin.register(User)
class LienThongUserAdmin(UserAdmin):
    """Officials and citizens with their unit, position and roles."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Thông tin cá nhân"),
            {"fields": ("kind", "full_name", "personal_id", "email", "phone")},
        ),
        (_("Công tác"), {"fields": ("org_unit", "position")}),
        (_("Quyền hạn"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "kind",
                    "full_name",
                    "org_unit",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "full_name", "kind", "org_unit", "is_active", "is_staff")
    list_filter = ("kind", "is_active", "is_staff", "is_superuser", "role_assignments__role")
    search_fields = ("username", "full_name", "email", "personal_id", "phone")
    list_select_related = ("org_unit",)
    ordering = ("username",)
    readonly_fields = ("last_login", "date_joined")
    inlines = [RoleAssignmentInline]

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # Roles are granted once the account exists: the checks need its kind and id.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Staff and superuser status open the admin itself; only a superuser hands them out.
            fields += ["is_staff", "is_superuser"]
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        action = "accounts.user.admin_change" if change else "accounts.user.admin_create"
        with audited(action, obj, actor=request.user, org_unit=obj.org_unit):
            super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        by = cast(User, request.user)
        user = cast(User, form.instance)
        formset.save(commit=False)  # sorts the rows into new, changed and deleted
        for assignment in formset.deleted_objects:
            revoke_role(user=user, role=assignment.role, org_unit=assignment.org_unit, by=by)
        for assignment, _fields in formset.changed_objects:
            stored = RoleAssignment.objects.get(pk=assignment.pk)
            revoke_role(user=user, role=stored.role, org_unit=stored.org_unit, by=by)
            grant_role(user=user, role=assignment.role, org_unit=assignment.org_unit, by=by)
        for assignment in formset.new_objects:
            grant_role(user=user, role=assignment.role, org_unit=assignment.org_unit, by=by)
