from django.urls import path

from banzu.applications.views import application

app_name = "applications"

urlpatterns = [
    path("", application.application_list, name="list"),
    path("export.xlsx", application.application_export, name="export"),
    path("new/", application.start, name="start"),
    path("<int:pk>/", application.detail, name="detail"),
    path("<int:pk>/edit/", application.edit, name="edit"),
    path("<int:pk>/files/", application.files, name="files"),
    path("<int:pk>/files/<int:document_pk>/", application.download, name="download"),
    path("<int:pk>/submit/", application.submit, name="submit"),
    path("<int:pk>/withdraw/", application.withdraw, name="withdraw"),
    path("<int:pk>/reopen/", application.reopen, name="reopen"),
]
