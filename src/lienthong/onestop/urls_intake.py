"""Intake pages under /motcua/: counter, queue, online submission, my dossiers, lookup, slips."""

from django.urls import path

from lienthong.onestop import views_intake as views

urlpatterns = [
    path("tiep-nhan/", views.counter_pick, name="intake_counter"),
    path("tiep-nhan/da-nhan/<str:code>/", views.received, name="intake_received"),
    path("tiep-nhan/<str:procedure_code>/", views.counter_form, name="intake_counter_form"),
    path("cho-tiep-nhan/", views.queue, name="intake_queue"),
    path("cho-tiep-nhan/<str:code>/", views.review, name="intake_review"),
    path("cho-tiep-nhan/<str:code>/tiep-nhan/", views.accept, name="intake_accept"),
    path("cho-tiep-nhan/<str:code>/tu-choi/", views.refuse, name="intake_refuse"),
    path("nop-ho-so/<str:procedure_code>/", views.online_submit, name="intake_online"),
    path("ho-so-cua-toi/", views.mine, name="intake_mine"),
    path("ho-so-cua-toi/<str:code>/", views.mine_detail, name="intake_mine_detail"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("ho-so/<str:code>/giay-tiep-nhan.pdf", views.receipt_pdf, name="intake_receipt_pdf"),
    path("ho-so/<str:code>/phieu-tu-choi.pdf", views.refusal_pdf, name="intake_refusal_pdf"),
    path("ho-so/<str:code>/giay-to/<int:pk>/", views.component_file, name="intake_file"),
]
