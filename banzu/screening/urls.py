from django.urls import include, path

from banzu.screening.views import workspace

app_name = "screening"

urlpatterns = [
    path("", workspace.workspace, name="workspace"),
    path("applications/<int:pk>/decide/", workspace.decide, name="decide"),
    path("pass/", workspace.pass_many, name="pass_many"),
    path("checks/", workspace.start_checks, name="start_checks"),
    path("settings/", workspace.edit_settings, name="settings"),
    path("summary/", workspace.summary, name="summary"),
    path("summary.xlsx", workspace.summary_xlsx, name="summary_xlsx"),
    path("jobs/", include("banzu.screening.urls_jobs")),
    path("reports/", include("banzu.screening.urls_report")),
]
