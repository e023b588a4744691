"""Inbox pages, mounted at /inbox/."""

from django.urls import path

from lienthong.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("case/<int:pk>/", views.case_detail, name="case_detail"),
    path("case/<int:pk>/<slug:action>/", views.case_move, name="case_move"),
    path("uy-quyen/", views.delegations, name="delegations"),
    path("uy-quyen/them/", views.delegation_add, name="delegation_add"),
    path("uy-quyen/<int:pk>/thu-hoi/", views.delegation_revoke, name="delegation_revoke"),
    path("quy-trinh/", views.templates, name="templates"),
]
