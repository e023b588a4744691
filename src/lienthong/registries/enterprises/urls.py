"""Pages of the enterprise registry, mounted at /csdl/: enterprises under /csdl/doanh-nghiep/,
investment projects under /csdl/du-an-dau-tu/ (the shared registry pages,
`registries.base.views`, plus this app's actions)."""

from django.urls import path

from lienthong.registries.base import registry as registries
from lienthong.registries.base.views import registry_urls
from lienthong.registries.enterprises import views
from lienthong.registries.enterprises.registry import ENTERPRISES, PROJECTS

app_name = "enterprises"

urlpatterns = [
    path("doanh-nghiep/<int:pk>/tinh-trang/", views.status_view, name="enterprise_status"),
    path("doanh-nghiep/<int:pk>/don-vi/them/", views.branch_add_view, name="branch_add"),
    path(
        "doanh-nghiep/<int:pk>/don-vi/<int:branch>/cham-dut/",
        views.branch_close_view,
        name="branch_close",
    ),
    path("du-an-dau-tu/<int:pk>/dieu-chinh/", views.amend_view, name="project_amend"),
    path("du-an-dau-tu/<int:pk>/cham-dut/", views.terminate_view, name="project_terminate"),
    path(
        "du-an-dau-tu/ho-so-chua-cap-nhat/",
        views.sync_problems_view,
        name="project_sync_problems",
    ),
    *registry_urls(registries.get(ENTERPRISES), prefix="doanh-nghiep/"),
    *registry_urls(registries.get(PROJECTS), prefix="du-an-dau-tu/"),
]
