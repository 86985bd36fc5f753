from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("cases.xlsx", views.cases_xlsx, name="cases-xlsx"),
    path("quarterly.xlsx", views.quarterly_xlsx, name="quarterly-xlsx"),
    path("rectification/", views.rectification, name="rectification"),
    path("rectification/<int:pk>/", views.rectification_item, name="rectification-item"),
    path("rectification/<int:pk>/move/", views.rectification_move, name="rectification-move"),
    path("rectification/<int:pk>/change/", views.rectification_change, name="rectification-change"),
    path("accountability/", views.accountability, name="accountability"),
    path("premiums/", views.premiums, name="premiums"),
]
