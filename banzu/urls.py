from django.urls import include, path

from banzu.applications.views import application

urlpatterns = [
    path("", application.home, name="home"),
    path("accounts/", include("banzu.accounts.urls")),
    path("applications/", include("banzu.applications.urls")),
    path("manage/", include("banzu.manage_urls")),
    path("recommend/", include("banzu.recommendations.urls")),
    path("documents/", include("banzu.documents_urls")),
    path("screening/", include("banzu.screening.urls")),
    path("review/", include("banzu.review.urls")),
    path("event/", include("banzu.presentations.urls")),
    path("results/", include("banzu.results.urls")),
    path("publicity/", include("banzu.publicity.urls")),
    path("certificates/", include("banzu.certificates.urls")),
    path("jobs/", include("banzu.jobs.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
