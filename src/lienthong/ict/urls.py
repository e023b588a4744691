"""Pages under /ha-tang-cntt/."""

from django.urls import path

from lienthong.ict import views

app_name = "ict"

urlpatterns = [
    path("", views.report_list, name="reports"),
    path("bao-cao/<int:agency_id>/<slug:period>/sua/", views.report_edit, name="edit"),
    path("bao-cao/<int:pk>/", views.report_detail, name="report"),
    path("bao-cao/<int:pk>/<slug:action>/", views.report_action, name="action"),
    path("nhap/", views.report_import, name="import"),
    path("mau.xlsx", views.report_template, name="template"),
    path("chi-so/", views.indicator_page, name="indicators"),
    path("an-toan/", views.checklist_index, name="checklists"),
    path("an-toan/<int:agency_id>/", views.checklist_page, name="checklist"),
    path("an-toan/minh-chung/<int:pk>/", views.evidence_file, name="evidence"),
    path("su-co/", views.incident_list, name="incidents"),
    path("su-co/<int:pk>/", views.incident_detail, name="incident"),
]
