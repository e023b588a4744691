"""Admin for the org tree: agencies and divisions, written through `core.services_orgs`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from lienthong.core.models import OrgUnit
from lienthong.core.services_orgs import (
    FIELDS,
    OrgUnitFields,
    check_org_unit,
    create_org_unit,
    normalise_code,
    update_org_unit,
)


class OrgUnitForm(forms.ModelForm):
    """The service's rules, shown as field errors before anything is written."""

    class Meta:
        model = OrgUnit
        fields = list(FIELDS)

    def clean_code(self) -> str | None:
        return normalise_code(self.cleaned_data.get("code"))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        values = cast(OrgUnitFields, {k: cleaned.get(k) for k in FIELDS if k in cleaned})
        try:
            check_org_unit(values, instance=self.instance if self.instance.pk else None)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                name = field if field in self.fields else None
                for message in messages:
                    if name is None or name not in self.errors:
                        self.add_error(name, message)
        return cleaned


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    """Agencies with their code, divisions inside them; deactivate instead of deleting."""

    form = OrgUnitForm
    list_display = ("name", "code", "code_is_demo", "kind", "is_agency", "parent", "is_active")
    list_filter = ("kind", "is_agency", "code_is_demo", "is_active")
    search_fields = ("name", "short_name", "=code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent", "admin_unit")
    ordering = ("path",)
    readonly_fields = ("path", "depth")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "kind", "is_agency", "parent", "admin_unit")}),
        (None, {"fields": ("code", "code_is_demo")}),
        (None, {"fields": ("is_active", "valid_from", "valid_until", "path", "depth")}),
    )

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        """Write through the services, so the rules and the audit log apply here too."""
        data = form.cleaned_data
        if change:
            stored = OrgUnit.objects.get(pk=obj.pk)
            changes = cast(OrgUnitFields, {k: data[k] for k in form.changed_data if k in FIELDS})
            saved = update_org_unit(stored, by=request.user, **changes)
        else:
            values = cast(OrgUnitFields, {k: data[k] for k in FIELDS if k in data})
            saved = create_org_unit(by=request.user, **values)
        obj.pk = saved.pk
        obj.path, obj.depth = saved.path, saved.depth

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Documents, dossiers and accounts point at org units: they are deactivated, not deleted.
        return False
