from django.urls import include, path

from banzu.documents import views

app_name = "documents"

urlpatterns = [
    path(
        "applications/<int:pk>/attachment1.<str:fmt>",
        views.attachment1,
        name="attachment1",
    ),
    path("editions/<int:year>/attachment3.<str:fmt>", views.attachment3_blank, name="attachment3"),
    path(
        "sheets/<int:sheet_pk>/attachment3.<str:fmt>",
        views.attachment3_sheet,
        name="attachment3_sheet",
    ),
    path("package/", include("banzu.documents.urls_package")),
]
