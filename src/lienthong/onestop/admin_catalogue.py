"""Admin for the procedure catalogue: fields and procedures, written through the services.

Only IT administrators and superusers see these pages (`catalogue.can_manage_catalogue`).
Saving goes through `onestop.catalogue` (fields, components, process, receiving agencies),
so the rules, the audit log, the search index and the events are the same as for an import.
Procedures are deactivated, never deleted: dossiers point at them.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lienthong.core.models import OrgUnit
from lienthong.onestop import catalogue
from lienthong.onestop.models import Field, Level, Procedure, ProcedureComponent
from lienthong.workflow.models import ProcessTemplate

#: The procedure fields the admin form edits and hands to the services.
FORM_FIELDS = (
    "code",
    "name",
    "field",
    "levels",
    "agency_text",
    "competent_authority",
    "time_limit_value",
    "time_limit_unit",
    "time_limit_text",
    "fee_amount",
    "fee_text",
    "legal_basis",
    "legal_basis_text",
    "online_level",
    "is_inter_agency",
    "channels",
    "applicant_types",
    "result_text",
    "procedure_type",
    "publishing_decision",
    "source",
    "missing",
)


class _ManagersOnly:
    """Admin permissions of the catalogue: IT administrators and superusers; no deleting."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return catalogue.can_manage_catalogue(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return catalogue.can_manage_catalogue(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return catalogue.can_manage_catalogue(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return catalogue.can_manage_catalogue(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FieldForm(forms.ModelForm):
    """A field: code and name."""

    class Meta:
        model = Field
        fields = ["code", "name"]


@admin.register(Field)
class FieldAdmin(_ManagersOnly, admin.ModelAdmin):
    """Fields of procedures — lĩnh vực."""

    form = FieldForm
    list_display = ("name", "code", "procedure_count")
    search_fields = ("name", "code")
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Field]:
        return super().get_queryset(request).annotate(n_procedures=Count("procedures"))

    @admin.display(description=gettext_lazy("số thủ tục"), ordering="n_procedures")
    def procedure_count(self, item: Field) -> int:
        return int(getattr(item, "n_procedures", 0))

    def save_model(self, request: HttpRequest, obj: Field, form: Any, change: bool) -> None:
        """Write through the services, so the audit log records it."""
        data = form.cleaned_data
        if change:
            stored = Field.objects.get(pk=obj.pk)
            saved = catalogue.update_field(
                stored, name=data["name"], code=data["code"], by=request.user
            )
        else:
            saved = catalogue.create_field(code=data["code"], name=data["name"], by=request.user)
        obj.pk = saved.pk


class ProcedureForm(forms.ModelForm):
    """A procedure with lists edited as one item per line and choices as checkboxes."""

    levels = forms.MultipleChoiceField(
        label=gettext_lazy("cấp thực hiện"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("căn cứ pháp lý"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Mỗi dòng một số, ký hiệu văn bản, ví dụ 123/2015/NĐ-CP."),
    )
    missing = forms.MultipleChoiceField(
        label=gettext_lazy("nguồn không có thông tin"),
        choices=[(name, label) for name, label in catalogue.MISSING_LABELS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Các mục trang công khai ghi “Nguồn không có thông tin”. Nhập giá trị cho một mục "
            "thì mục đó tự bỏ khỏi danh sách."
        ),
    )

    class Meta:
        model = Procedure
        fields = [*FORM_FIELDS, "process_template", "agencies"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["legal_basis"] = "\n".join(self.instance.legal_basis)

    def clean_legal_basis(self) -> list[str]:
        text = self.cleaned_data.get("legal_basis") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        raw = {k: cleaned[k] for k in FORM_FIELDS if k in cleaned}
        for key in ("time_limit_unit", "online_level"):
            raw[key] = raw.get(key) or ""
        values = cast(catalogue.ProcedureFields, raw)
        try:
            catalogue.check_procedure(values, instance=self.instance if self.instance.pk else None)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                target = name if name in self.fields else None
                for message in errors:
                    if target is None or target not in self.errors:
                        self.add_error(target, message)
        return cleaned


class ComponentFormSet(BaseInlineFormSet):
    """The components, checked as a whole by the catalogue's rules before anything is saved."""

    def component_values(self) -> list[tuple[catalogue.ComponentData, Any]]:
        """The kept rows as values, each with its newly uploaded form file (or None)."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not (data.get("name") or "").strip():
                continue
            # The file field gives the stored file, a new upload, or False for "clear".
            upload = data.get("form_file")
            existing = ""
            if upload and not _is_new_upload(upload):
                existing = upload.name or ""
            rows.append(
                (
                    catalogue.ComponentData(
                        name=data["name"],
                        order=data.get("order") or 0,
                        group=data.get("group") or "",
                        originals=data.get("originals") or 0,
                        copies=data.get("copies") or 0,
                        copy_type=data.get("copy_type") or "",
                        form_name=data.get("form_name") or "",
                        form_file=existing,
                        is_required=bool(data.get("is_required")),
                    ),
                    upload if _is_new_upload(upload) else None,
                )
            )
        return rows

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            catalogue.check_components([item for item, _upload in self.component_values()])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


def _is_new_upload(value: Any) -> bool:
    """A file just uploaded in the form (not the stored one, not "clear")."""
    from django.core.files.uploadedfile import UploadedFile

    return isinstance(value, UploadedFile)


class ProcedureComponentInline(_ManagersOnly, admin.TabularInline):
    """The documents of a procedure, in order."""

    model = ProcedureComponent
    formset = ComponentFormSet
    fields = (
        "order",
        "group",
        "name",
        "originals",
        "copies",
        "copy_type",
        "form_name",
        "form_file",
        "is_required",
        "sensitive",
    )
    extra = 0
    formfield_overrides = {
        ProcedureComponent._meta.get_field("name").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 40})
        },
    }

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Removing a row here is part of "set the components", checked by the service.
        return catalogue.can_manage_catalogue(request.user)


@admin.register(Procedure)
class ProcedureAdmin(_ManagersOnly, admin.ModelAdmin):
    """Administrative procedures — thủ tục hành chính."""

    form = ProcedureForm
    inlines = [ProcedureComponentInline]
    filter_horizontal = ("agencies",)
    list_display = (
        "code",
        "name",
        "field",
        "time_limit",
        "online_level",
        "is_active",
        "missing_count",
    )
    list_filter = ("is_active", "online_level", "is_inter_agency", "time_limit_unit", "field")
    search_fields = ("=code", "name")
    list_select_related = ("field",)
    ordering = ("code",)
    actions = ["deactivate_selected", "reactivate_selected"]
    fieldsets = (
        (None, {"fields": ("code", "name", "field", "levels", "is_inter_agency")}),
        (
            gettext_lazy("Cơ quan"),
            {"fields": ("agency_text", "competent_authority", "agencies")},
        ),
        (
            gettext_lazy("Thời hạn, phí, lệ phí"),
            {
                "fields": (
                    "time_limit_value",
                    "time_limit_unit",
                    "time_limit_text",
                    "fee_amount",
                    "fee_text",
                )
            },
        ),
        (
            gettext_lazy("Căn cứ pháp lý, trực tuyến"),
            {"fields": ("legal_basis", "legal_basis_text", "online_level", "channels")},
        ),
        (gettext_lazy("Quy trình nội bộ"), {"fields": ("process_template",)}),
        (
            gettext_lazy("Nguồn"),
            {
                "fields": (
                    "applicant_types",
                    "result_text",
                    "procedure_type",
                    "publishing_decision",
                    "source",
                    "missing",
                )
            },
        ),
    )

    @admin.display(description=gettext_lazy("thời hạn"))
    def time_limit(self, procedure: Procedure) -> str:
        if procedure.time_limit_value is None:
            return "—"
        unit = procedure.get_time_limit_unit_display() if procedure.time_limit_unit else "?"
        return f"{procedure.time_limit_value.normalize():f} {unit}"

    @admin.display(description=gettext_lazy("thiếu trong nguồn"))
    def missing_count(self, procedure: Procedure) -> int:
        return len(procedure.missing)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "process_template":
            kwargs["queryset"] = ProcessTemplate.objects.filter(module=catalogue.PROCESS_MODULE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agencies":
            kwargs["queryset"] = OrgUnit.objects.filter(is_agency=True).order_by("path")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Procedure, form: Any, change: bool) -> None:
        """Write the fields through the services (components and links in `save_related`)."""
        data = form.cleaned_data
        values = {k: data[k] for k in FORM_FIELDS if k in data}
        for key in ("time_limit_unit", "online_level"):
            values[key] = values.get(key) or ""
        if change:
            stored = Procedure.objects.get(pk=obj.pk)
            changes = {k: values[k] for k in form.changed_data if k in values}
            saved = catalogue.update_procedure(stored, by=request.user, **changes)
        else:
            saved = catalogue.create_procedure(by=request.user, **values)
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Components, internal process and receiving agencies, each through its service."""
        procedure = Procedure.objects.get(pk=form.instance.pk)
        for formset in formsets:
            if isinstance(formset, ComponentFormSet):
                rows = formset.component_values()
                catalogue.set_components(procedure, [item for item, _u in rows], by=request.user)
                for item, upload in rows:
                    if upload is not None:
                        component = procedure.components.get(order=item.order or 0)
                        catalogue.attach_form_file(component, file=upload, by=request.user)
            # The admin's change message reads what `formset.save()` would have set; the
            # audit log, not the admin history, records the components.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        catalogue.set_process_template(
            procedure, form.cleaned_data.get("process_template"), by=request.user
        )
        catalogue.link_agencies(procedure, form.cleaned_data.get("agencies") or [], by=request.user)

    @admin.action(description=gettext_lazy("Ngừng áp dụng các thủ tục đã chọn"))
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset:
            catalogue.deactivate_procedure(procedure, by=request.user)
        self.message_user(request, _("Đã ngừng áp dụng %(n)d thủ tục.") % {"n": queryset.count()})

    @admin.action(description=gettext_lazy("Áp dụng lại các thủ tục đã chọn"))
    def reactivate_selected(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        for procedure in queryset:
            catalogue.reactivate_procedure(procedure, by=request.user)
        self.message_user(
            request, _("Đã áp dụng lại %(n)d thủ tục.") % {"n": queryset.count()}, messages.SUCCESS
        )
