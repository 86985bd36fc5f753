from django.urls import path

from escalation import views

app_name = "escalation"

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read-all/", views.notification_read, name="read-all"),
    path("<int:pk>/read/", views.notification_read, name="read"),
]
