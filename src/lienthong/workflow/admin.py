"""Django admin of the workflow: tasks and cases to look up (read-only: they move only through
the engine), process templates with their steps (validated as a whole, audited), delegations
(created and revoked through the services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from lienthong.core.audit import record
from lienthong.exchange.outbox import publish
from lienthong.workflow import engine
from lienthong.workflow.models import (
    Case,
    CaseTransition,
    Delegation,
    ProcessStep,
    ProcessTemplate,
    Task,
    new_revision,
)
from lienthong.workflow.services import (
    TASK_ROLES,
    StepSpec,
    can_manage_templates,
    check_delegation,
    create_delegation,
    revoke_delegation,
    step_errors,
    template_snapshot,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows to look up only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    """Tasks for looking up and support; a non-superuser sees those of their units."""

    list_display = ("title", "status", "org_unit", "role", "assignee", "due_at", "overdue")
    list_filter = ("status", "module", "role")
    search_fields = ("title", "assignee__username", "assignee__full_name")
    list_select_related = ("org_unit", "assignee", "case")
    date_hierarchy = "due_at"
    ordering = ("-created_at",)

    @admin.display(boolean=True, description=_("quá hạn"))
    def overdue(self, task: Task) -> bool:
        return task.is_overdue()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        return Task.objects.visible_to(request.user).select_related("org_unit", "assignee", "case")


class TransitionInline(admin.TabularInline):
    """A case's history."""

    model = CaseTransition
    extra = 0
    fields = ("at", "action", "from_step", "to_step", "by", "acting_for", "note")
    readonly_fields = fields
    can_delete = False
    ordering = ("at", "pk")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases with their history; a non-superuser sees those of their units."""

    list_display = ("title", "module", "agency", "status", "current_step", "due_at")
    list_filter = ("status", "module")
    search_fields = ("title", "subject_id")
    list_select_related = ("agency", "current_step")
    date_hierarchy = "started_at"
    ordering = ("-started_at",)
    inlines = [TransitionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return Case.objects.visible_to(request.user).select_related("agency", "current_step")


class StepFormSet(BaseInlineFormSet):
    """The steps of a template checked together: orders unique, roles valid, shares sum 100."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        specs = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            specs.append(
                StepSpec(
                    order=data.get("order") or 0,
                    name=data.get("name") or "",
                    role=data.get("role") or "",
                    time_share=data.get("time_share") or Decimal(0),
                    org_unit=data.get("org_unit"),
                )
            )
        if problems := step_errors(specs):
            raise ValidationError(problems)


class StepForm(forms.ModelForm):
    """A step, its role chosen from the roles that take tasks."""

    role = forms.ChoiceField(
        label=_("vai trò"),
        choices=[(role.value, role.label) for role in TASK_ROLES],
    )

    class Meta:
        model = ProcessStep
        fields = ("order", "name", "org_unit", "role", "time_share")


class StepInline(admin.TabularInline):
    """The steps of a template."""

    model = ProcessStep
    form = StepForm
    formset = StepFormSet
    extra = 0
    min_num = 1
    ordering = ("order",)
    autocomplete_fields = ("org_unit",)

    # Who edits processes is decided by the platform's role, not by Django's model permissions.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_templates(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_templates(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_templates(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_templates(request.user)


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(admin.ModelAdmin):
    """Internal processes: IT administrators edit them; every save is one audited change."""

    list_display = ("code", "name", "module", "is_active", "step_count")
    list_filter = ("module", "is_active")
    search_fields = ("code", "name")
    inlines = [StepInline]

    @admin.display(description=_("số bước"))
    def step_count(self, template: ProcessTemplate) -> int:
        return template.steps.count()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_templates(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_templates(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_templates(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(
            can_manage_templates(request.user)
            and (obj is None or not Case.objects.filter(template=obj).exists())
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The before-image is taken here; the admin saves the steps after this method.
        if not can_manage_templates(request.user):
            raise PermissionDenied
        request._workflow_before = (  # type: ignore[attr-defined]
            template_snapshot(ProcessTemplate.objects.get(pk=obj.pk)) if change else None
        )
        obj.revision = new_revision()
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        template = form.instance
        engine.forget_steps(template.pk)
        record(
            "workflow.template.save",
            template,
            actor=request.user,
            before=getattr(request, "_workflow_before", None),
            after=template_snapshot(template),
        )
        publish(
            "workflow.template.saved",
            subject=template.code,
            data={"template": template.pk, "code": template.code, "revision": template.revision},
        )


class DelegationForm(forms.ModelForm):
    """A new delegation, checked by the service."""

    class Meta:
        model = Delegation
        fields = ("principal", "substitute", "starts_on", "ends_on", "reason")


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Delegations: created and revoked through the services (same checks as the pages)."""

    form = DelegationForm
    list_display = ("principal", "substitute", "starts_on", "ends_on", "revoked_at", "in_force")
    list_filter = ("starts_on", "ends_on")
    search_fields = ("principal__username", "principal__full_name", "substitute__username")
    list_select_related = ("principal", "substitute")
    autocomplete_fields = ("principal", "substitute")
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("đang hiệu lực"))
    def in_force(self, delegation: Delegation) -> bool:
        return delegation.is_in_force()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A delegation is not edited: it is revoked and a new one made.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        created = create_delegation(
            principal=obj.principal,
            substitute=obj.substitute,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
            reason=obj.reason,
            by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.created_by = created.created_by
        obj.created_at = created.created_at

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class Checked(form):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data: dict[str, Any] = super().clean()
                # The service's checks, shown on the form rather than as an error page.
                principal, substitute = data.get("principal"), data.get("substitute")
                starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
                if principal and substitute and starts_on and ends_on:
                    try:
                        check_delegation(
                            principal=principal,
                            substitute=substitute,
                            starts_on=starts_on,
                            ends_on=ends_on,
                            reason=data.get("reason", ""),
                            by=user,  # type: ignore[arg-type]
                        )
                    except PermissionDenied as exc:
                        raise ValidationError(str(exc)) from exc
                return data

        return Checked

    @admin.action(description=_("Thu hồi các ủy quyền đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Delegation]) -> None:
        done = 0
        for delegation in queryset:
            try:
                revoke_delegation(delegation=delegation, by=request.user)  # type: ignore[arg-type]
            except (ValidationError, PermissionDenied) as exc:
                messages.warning(
                    request, f"{delegation}: {' '.join(getattr(exc, 'messages', [str(exc)]))}"
                )
            else:
                done += 1
        if done:
            messages.success(request, _("Đã thu hồi %(n)s ủy quyền.") % {"n": done})
