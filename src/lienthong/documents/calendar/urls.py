"""Pages of the work calendar, mounted at /lich-cong-tac/."""

from django.urls import path

from lienthong.documents.calendar import views

app_name = "calendar"

urlpatterns = [
    path("", views.index, name="index"),
    path("co-quan/<int:agency_id>/", views.agency_week, name="agency_week"),
    path("ca-nhan/<int:user_id>/", views.person_week, name="person_week"),
    path("don-vi/<int:unit_id>/", views.unit_week, name="unit_week"),
    path("quan-ly/", views.manage, name="manage"),
    path("phong-hop/", views.rooms, name="rooms"),
    path("su-kien/moi/", views.event_new, name="event_new"),
    path("su-kien/<int:event_id>/", views.event_detail, name="event"),
    path("su-kien/<int:event_id>/sua/", views.event_edit, name="event_edit"),
    path(
        "su-kien/<int:event_id>/trinh/",
        views.event_action,
        {"action": "submit"},
        name="event_submit",
    ),
    path(
        "su-kien/<int:event_id>/cong-bo/",
        views.event_action,
        {"action": "publish"},
        name="event_publish",
    ),
    path(
        "su-kien/<int:event_id>/huy/",
        views.event_action,
        {"action": "cancel"},
        name="event_cancel",
    ),
]
