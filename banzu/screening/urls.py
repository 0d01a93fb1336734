from django.urls import include, path

from banzu.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("pass/", views.pass_many, name="pass_many"),
    path("checks/", views.start_checks, name="start_checks"),
    path("settings/", views.edit_settings, name="settings"),
    path("summary/", views.summary, name="summary"),
    path("summary.xlsx", views.summary_xlsx, name="summary_xlsx"),
    path("jobs/", include("banzu.screening.urls_jobs")),
    path("reports/", include("banzu.screening.urls_report")),
]
