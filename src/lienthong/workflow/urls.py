"""Inbox pages, mounted at /inbox/."""

from django.urls import path

from lienthong.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/complete/", views.task_complete, name="task_complete"),
]
