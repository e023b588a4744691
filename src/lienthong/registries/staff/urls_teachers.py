"""The teachers' sector of the staff registry, under /csdl/giao-vien/."""

from django.urls import path

from lienthong.registries.staff import views

app_name = "staff_teachers"

urlpatterns = [
    path("", views.teachers_view, name="list"),
]
