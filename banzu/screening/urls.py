from django.urls import include, path

app_name = "screening"

urlpatterns = [
    path("jobs/", include("banzu.screening.urls_jobs")),
    path("reports/", include("banzu.screening.urls_report")),
]
