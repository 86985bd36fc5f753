from django.urls import path

from approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/approve/", views.decide, {"decision": "approve"}, name="approve"),
    path("<int:pk>/reject/", views.decide, {"decision": "reject"}, name="reject"),
    path("cases/<int:pk>/pay/", views.case_pay, name="pay"),
]
