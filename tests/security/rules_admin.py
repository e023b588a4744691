"""Access rules of the Django admin site, one family generated from `admin.site._registry`.

Every ModelAdmin's changelist, add, change, delete and history pages (and the bare
`<object_id>/` address that redirects to change) behave the same: anonymous visitors and
logged-in users who are not staff are sent to the admin's login page; the administrator
(staff, superuser, TOTP passed) gets in. The change pages open a row of the model when there is
one (the world's users, agencies, audit entries...), else a missing id, which the admin
answers with a redirect to its index (still "in"). A URL the admin adds beyond this family
needs a rule of its own below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import admin

from tests.security.vocabulary import Actor, Answer, Rule, Who, page
from tests.security.world import World

SITE = Who.ADMIN_SITE


def _object_id(model: Any) -> Any:
    def kwargs(world: World) -> Mapping[str, Any]:
        row = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        return {"object_id": row if row is not None else 0}

    return kwargs


#: Models the admin shows but never adds to: append-only logs, rows that only services make
#: (dossiers, cases, documents, registry records with their history), reference data loaded
#: by commands. The administrator gets 403 on their "add" page.
NO_ADD = {
    "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog", "complaints_complaint",
    "complaints_inspection", "complaints_inspectionplan", "complaints_reception",
    "core_adminunit", "core_auditentry", "documents_calendar_event", "documents_calendar_room",
    "documents_incomingdocument", "documents_numberseries", "documents_outgoing_outgoingdocument",
    "documents_outgoing_signingcertificate", "documents_outgoing_trustedroot",
    "enterprises_dossiersyncproblem", "exchange_adapters_edxmlpackage",
    "exchange_adapters_portalupdate", "exchange_adapters_sharedcodelist",
    "exchange_clients_clientsystem", "exchange_clients_grant", "exchange_clients_serviceowner",
    "exchange_log_logchainhead", "exchange_log_logcheckpoint", "exchange_log_messagelogentry",
    "exchange_outboxevent", "exchange_processedevent", "land_baselayer", "legal_legaldocument",
    "onestop_dossier", "registry_dataaccess", "registry_importjob", "search_searchentry",
    "staff_staffmember", "workflow_case", "workflow_task",
    "privacy_consent", "privacy_datasubjectrequest", "privacy_sensitiveaccess",
    "ict_inventoryreport", "ict_compliance", "ict_incident",
}  # fmt: skip
#: Models whose rows the admin never deletes (the same reasons; agencies and procedures are
#: ended, not deleted, so that what refers to them keeps its meaning).
NO_DELETE = {
    "complaints_complaint", "complaints_inspection", "complaints_inspectionplan",
    "complaints_reception", "core_adminunit", "core_auditentry", "core_orgunit",
    "documents_calendar_event", "documents_calendar_room", "documents_incomingdocument",
    "documents_numberseries", "documents_outgoing_outgoingdocument",
    "exchange_adapters_edxmlpackage", "exchange_adapters_portalupdate",
    "exchange_adapters_sharedcodelist", "exchange_clients_clientsystem",
    "exchange_clients_grant", "exchange_clients_serviceowner", "exchange_log_logchainhead",
    "exchange_log_logcheckpoint", "exchange_log_messagelogentry", "exchange_outboxevent",
    "exchange_processedevent", "land_baselayer", "legal_legaldocument", "onestop_dossier",
    "onestop_field", "onestop_procedure", "registry_dataaccess", "search_searchentry",
    "staff_staffmember", "workflow_case", "workflow_delegation", "workflow_task",
    "workflow_processtemplate",
    "privacy_consent", "privacy_datasubjectrequest", "privacy_sensitiveaccess",
    "ict_inventoryreport", "ict_compliance", "ict_incident",
}  # fmt: skip
REFUSED = {Actor.ADMIN: Answer.DENIED}


def _family() -> list[Rule]:
    rules: list[Rule] = []
    for model in admin.site._registry:
        opts = model._meta
        key = f"{opts.app_label}_{opts.model_name}"
        name = f"admin:{key}"
        base = f"admin/{opts.app_label}/{opts.model_name}/"
        no_add = REFUSED if key in NO_ADD else {}
        no_delete = REFUSED if key in NO_DELETE else {}
        rules += [
            page(f"{name}_changelist", SITE),
            page(f"{name}_add", SITE, expect=no_add),
            page(f"{name}_change", SITE, kwargs=_object_id(model)),
            page(f"{name}_delete", SITE, kwargs=_object_id(model), expect=no_delete),
            page(f"{name}_history", SITE, kwargs=_object_id(model)),
            page(
                f"admin:<unnamed {base}<path:object_id>/>",
                SITE,
                kwargs=_object_id(model),
                path=f"/{base}{{object_id}}/",
            ),
        ]
    return rules


def _revert(app_model: str) -> Rule:
    """The registries' "revert to this version" admin page, for the first row's first version."""
    from django.apps import apps

    from lienthong.core.models import AuditEntry

    def kwargs(world: World) -> Mapping[str, Any]:
        app_label, model_name = app_model.split("_", 1)
        model = apps.get_model(app_label, model_name)
        obj = model._default_manager.order_by("pk").first()
        entry = AuditEntry.objects.of_object(obj).order_by("seq").first() if obj else None
        return {"object_id": obj.pk if obj else 0, "seq": entry.seq if entry else 0}

    return page(f"admin:{app_model}_revert", SITE, kwargs=kwargs, method="POST")


OPEN_TO_ALL = {a: Answer.OK for a in Actor}


def _admin_device(world: World) -> Mapping[str, Any]:
    """The administrator's own TOTP device (django-otp answers a missing id with a 500)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=world.admin, name="test", defaults={"confirmed": True}
    )
    return {"pk": device.pk}


RULES: list[Rule] = [
    *_family(),
    page("admin:index", SITE),
    # Any other address under /admin/: the admin's catch-all (a 404 once inside).
    page(
        "admin:<unnamed admin/(?P<url>.*)$>",
        SITE,
        path="/admin/khong-co-trang-nay/",
        expect={Actor.ADMIN: Answer.HIDDEN},
    ),
    page("admin:login", Who.PUBLIC),
    page("admin:logout", SITE, method="POST", expect=OPEN_TO_ALL),  # logging out is harmless
    page("admin:password_change", SITE),
    page("admin:password_change_done", SITE),
    # Without its app_label/model_name/field_name query the autocomplete refuses (403).
    page("admin:autocomplete", SITE, expect=REFUSED),
    page("admin:jsi18n", SITE),
    page(
        "admin:view_on_site",
        SITE,
        kwargs=lambda w: {"content_type_id": 0, "object_id": 0},
        expect={Actor.ADMIN: Answer.HIDDEN},  # no such content type
    ),
    page("admin:app_list", SITE, kwargs=lambda w: {"app_label": "core"}),
    page("admin:auth_user_password_change", SITE, kwargs=lambda w: {"id": w.admin.pk}),
    page("admin:otp_totp_totpdevice_config", SITE, kwargs=_admin_device),
    page("admin:otp_totp_totpdevice_qrcode", SITE, kwargs=_admin_device),
    *[
        _revert(name)
        for name in (
            "population_person",
            "population_household",
            "legal_legaldocument",
            "land_parcel",
            "labour_vacancy",
            "labour_jobseeker",
            "enterprises_investmentproject",
            "enterprises_enterprise",
            "budget_budgetline",
        )
    ],
]
