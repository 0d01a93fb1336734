"""The expert pool's pages (the provincial admin's). Names live in the `review` namespace."""

from django.urls import URLPattern, path

from banzu.review.views import pool

urlpatterns: list[URLPattern] = [
    path("", pool.expert_list, name="experts"),
    path("experts.xlsx", pool.expert_list_xlsx, name="experts_xlsx"),
    path("new/", pool.expert_create, name="expert_create"),
    path("<int:pk>/", pool.expert_edit, name="expert_edit"),
    path("<int:pk>/invite/", pool.expert_invite, name="expert_invite"),
    path("invite-all/", pool.expert_invite_all, name="expert_invite_all"),
    path("import/", pool.expert_import, name="expert_import"),
    path("import/template.xlsx", pool.expert_import_template, name="expert_import_template"),
    path("welcome/<str:uidb64>/<str:token>/", pool.expert_welcome, name="expert_welcome"),
]
