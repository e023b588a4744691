"""Pages of the labour registry, under /csdl/lao-dong/."""

from django.urls import path

from lienthong.registries.base import registry as registries
from lienthong.registries.base.views import registry_urls
from lienthong.registries.labour import views
from lienthong.registries.labour.registration import SEEKERS, VACANCIES

app_name = "labour"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("viec-lam/<int:pk>/ket-noi/", views.vacancy_matches_view, name="vacancy_matches"),
    path("nguoi-tim-viec/<int:pk>/ket-noi/", views.seeker_matches_view, name="jobseeker_matches"),
    *registry_urls(registries.get(SEEKERS), prefix="nguoi-tim-viec/"),
    *registry_urls(registries.get(VACANCIES), prefix="viec-lam/"),
]
