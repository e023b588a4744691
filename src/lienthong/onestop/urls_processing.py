"""Processing pages under /motcua/: the officials' dossier page and its actions, the
applicant's actions on their dossier, slips, the result file and the applicant's data store."""

from django.urls import path

from lienthong.onestop import views_processing as views

urlpatterns = [
    path("ho-so/<str:code>/", views.dossier_page, name="processing_dossier"),
    path("ho-so-so/<int:pk>/", views.dossier_by_id, name="processing_dossier_by_id"),
    path("ho-so/<str:code>/chuyen-buoc/", views.forward, name="processing_forward"),
    path("ho-so/<str:code>/tra-lai/", views.return_step, name="processing_return_step"),
    path(
        "ho-so/<str:code>/yeu-cau-bo-sung/", views.request_supplement, name="processing_supplement"
    ),
    path("ho-so/<str:code>/nhan-du-bo-sung/", views.confirm_supplement, name="processing_supply"),
    path(
        "ho-so/<str:code>/nghia-vu-tai-chinh/",
        views.request_obligation,
        name="processing_obligation",
    ),
    path(
        "ho-so/<str:code>/da-nop-nghia-vu/",
        views.obligation_paid,
        name="processing_obligation_paid",
    ),
    path("ho-so/<str:code>/chuyen-co-quan/", views.hand_over, name="processing_handover"),
    path("ho-so/<str:code>/dung-xu-ly/", views.stop, name="processing_stop"),
    path("ho-so/<str:code>/rut-ho-so/", views.withdraw, name="processing_withdraw"),
    path("ho-so/<str:code>/xin-loi/", views.apology, name="processing_apology"),
    path("ho-so/<str:code>/ket-qua/", views.upload_result, name="processing_result"),
    path("ho-so/<str:code>/tra-ket-qua/", views.return_result, name="processing_return_result"),
    path("ho-so/<str:code>/tep-ket-qua/", views.result_file, name="processing_result_file"),
    path(
        "ho-so/<str:code>/phieu-bo-sung/<int:pk>.pdf",
        views.supplement_pdf,
        name="processing_supplement_pdf",
    ),
    path(
        "ho-so/<str:code>/phieu-xin-loi/<int:pk>.pdf",
        views.apology_pdf,
        name="processing_apology_pdf",
    ),
    path("ho-so-cua-toi/<str:code>/thao-tac/", views.my_dossier, name="my_dossier"),
    path("ho-so-cua-toi/<str:code>/rut-ho-so/", views.my_withdraw, name="my_dossier_withdraw"),
    path("ho-so-cua-toi/<str:code>/bo-sung/", views.my_supplement, name="my_dossier_supplement"),
    path("ho-so-cua-toi/<str:code>/ket-qua/", views.result_file, name="my_dossier_result"),
    path(
        "ho-so-cua-toi/<str:code>/phieu-bo-sung/<int:pk>.pdf",
        views.supplement_pdf,
        name="my_supplement_pdf",
    ),
    path(
        "ho-so-cua-toi/<str:code>/phieu-xin-loi/<int:pk>.pdf",
        views.apology_pdf,
        name="my_apology_pdf",
    ),
    path("kho-du-lieu/", views.my_documents, name="my_documents"),
    path("kho-du-lieu/<int:pk>/", views.my_document_file, name="my_document_file"),
]
