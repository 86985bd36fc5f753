"""Notification API: the current user's list with unread count, mark read."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from escalation import notifications, selectors
from escalation.models import Notification


class NotificationOut(serializers.ModelSerializer):
    complaint_number = serializers.CharField(source="complaint.number", default=None)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "complaint", "complaint_number", "created_at",
                  "read_at", "is_read"]

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationList(generics.ListAPIView):
    serializer_class = NotificationOut
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        qs = selectors.notifications_for(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = selectors.unread_count(user=request.user)
        return response


_Marked = inline_serializer("Marked", {"marked": serializers.IntegerField()})


class MarkRead(APIView):
    @extend_schema(request=None, responses=_Marked)
    def post(self, request, pk: int | None = None):
        return Response({"marked": notifications.mark_read(user=request.user, notification_id=pk)})


urlpatterns = [
    path("notifications/", NotificationList.as_view(), name="api-notifications"),
    path("notifications/read-all/", MarkRead.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", MarkRead.as_view(), name="api-notification-read"),
]
