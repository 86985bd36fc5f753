from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("cases.xlsx", views.cases_xlsx, name="cases-xlsx"),
]
