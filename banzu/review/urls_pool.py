"""The expert pool's pages (the provincial admin's). Names live in the `review` namespace."""

from django.urls import URLPattern, path

from banzu.review import views_pool

urlpatterns: list[URLPattern] = [
    path("", views_pool.expert_list, name="experts"),
    path("new/", views_pool.expert_create, name="expert_create"),
    path("<int:pk>/", views_pool.expert_edit, name="expert_edit"),
    path("<int:pk>/invite/", views_pool.expert_invite, name="expert_invite"),
    path("invite-all/", views_pool.expert_invite_all, name="expert_invite_all"),
    path("import/", views_pool.expert_import, name="expert_import"),
    path("import/template.xlsx", views_pool.expert_import_template, name="expert_import_template"),
    path("welcome/<str:uidb64>/<str:token>/", views_pool.expert_welcome, name="expert_welcome"),
]
