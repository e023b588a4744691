"""Pages under /khieu-nai/: officials' pages, and the public filing and lookup pages."""

from django.urls import path

from lienthong.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("moi/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.case_action, name="action"),
    path("tiep-cong-dan/", views.reception_list, name="receptions"),
    path("tiep-cong-dan/<int:pk>/", views.reception_detail, name="reception"),
    path("thong-ke/", views.stats, name="stats"),
    path("thanh-tra/", views.inspection_list, name="inspections"),
    path("thanh-tra/<int:pk>/", views.inspection_detail, name="inspection"),
    # Public
    path("gui/", views.file_online, name="file"),
    path("tra-cuu/", views.lookup, name="lookup"),
]
