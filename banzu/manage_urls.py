"""The provincial admin's configuration pages, under /manage/."""

from django.urls import path

from banzu.accounts.views import manage
from banzu.editions import views as edition_views

app_name = "manage"

urlpatterns = [
    path("editions/", edition_views.edition_list, name="editions"),
    path("editions/new/", edition_views.edition_create, name="edition_create"),
    path("editions/switch/", edition_views.edition_switch, name="edition_switch"),
    path("editions/<int:pk>/", edition_views.edition_edit, name="edition_edit"),
    path("recommenders/", manage.recommender_list, name="recommenders"),
    path("recommenders/new/", manage.recommender_create, name="recommender_create"),
    path("recommenders/<int:pk>/", manage.recommender_edit, name="recommender_edit"),
    path("users/", manage.user_list, name="users"),
    path("users/export/", manage.user_export, name="user_export"),
    path("users/new/", manage.user_create, name="user_create"),
    path("users/<int:pk>/", manage.user_edit, name="user_edit"),
]
