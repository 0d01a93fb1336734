"""The provincial admin's configuration pages, under /manage/."""

from django.urls import path

from banzu.accounts import manage_views
from banzu.editions import views as edition_views

app_name = "manage"

urlpatterns = [
    path("editions/", edition_views.edition_list, name="editions"),
    path("editions/new/", edition_views.edition_create, name="edition_create"),
    path("editions/switch/", edition_views.edition_switch, name="edition_switch"),
    path("editions/<int:pk>/", edition_views.edition_edit, name="edition_edit"),
    path("recommenders/", manage_views.recommender_list, name="recommenders"),
    path("recommenders/new/", manage_views.recommender_create, name="recommender_create"),
    path("recommenders/<int:pk>/", manage_views.recommender_edit, name="recommender_edit"),
    path("users/", manage_views.user_list, name="users"),
    path("users/new/", manage_views.user_create, name="user_create"),
    path("users/<int:pk>/", manage_views.user_edit, name="user_edit"),
]
