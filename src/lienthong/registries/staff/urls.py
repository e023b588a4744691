"""Pages of the staff registry, under /csdl/can-bo/: the shared registry pages
(`registries.base.views`) and this registry's decisions and raise report."""

from django.urls import path

from lienthong.registries.base import registry as registries
from lienthong.registries.base.views import registry_urls
from lienthong.registries.staff import views
from lienthong.registries.staff.registry import STAFF

app_name = "staff"

urlpatterns = [
    path("den-han-nang-luong/", views.due_report_view, name="due_report"),
    path("<int:pk>/luong/", views.salary_change_view, name="salary_change"),
    path("<int:pk>/nang-luong/", views.regular_raise_view, name="regular_raise"),
    path("<int:pk>/bo-nhiem/", views.appoint_view, name="appoint"),
    path(
        "<int:pk>/bo-nhiem/<int:appointment_id>/thoi/",
        views.end_appointment_view,
        name="end_appointment",
    ),
    path("<int:pk>/<slug:kind>/them/", views.career_add_view, name="career_add"),
    path(
        "<int:pk>/<slug:kind>/<int:record_id>/xoa/",
        views.career_delete_view,
        name="career_delete",
    ),
    *registry_urls(registries.get(STAFF)),
]
