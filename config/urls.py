from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ops.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("complaints.api.urls")),
    path("api/v1/", include("escalation.api")),
    path("api/v1/", include("approvals.api")),
    path("api/v1/", include("dashboards.api")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("approvals/", include("approvals.urls")),
    path("notifications/", include("escalation.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("", include("complaints.urls")),
]

admin.site.site_header = "投诉管理系统"
admin.site.site_title = "投诉管理系统"
admin.site.index_title = "系统管理"

