from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.home, name="home"),
    path("complaints/new/", views.intake, name="intake"),
    path("complaints/new/preview/", views.intake_preview, name="intake-preview"),
    path("complaints/lookup/", views.complainant_lookup, name="lookup"),
    path("workspace/", views.workspace, name="workspace"),
    path("complaints/<int:pk>/", views.case_detail, name="detail"),
    path("complaints/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("complaints/<int:pk>/take/", views.case_take, name="take"),
    path("complaints/<int:pk>/contact/", views.case_contact, name="contact"),
    path("complaints/<int:pk>/group/", views.case_group, name="group"),
    path("complaints/<int:pk>/attach/", views.case_attach, name="attach"),
    path("complaints/<int:pk>/notice/", views.case_notice, name="notice"),
    path("complaints/<int:pk>/reply/", views.case_reply, name="reply"),
    path("complaints/<int:pk>/review/", views.case_review, name="review"),
    path("reviews/", views.review_queue, name="reviews"),
    path("reviews/<int:pk>/decide/", views.review_decide, name="review-decide"),
    path("complaints/<int:pk>/do/<str:name>/", views.case_transition, name="transition"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
