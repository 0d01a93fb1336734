from django.urls import path

from banzu.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/", views.status, name="status"),
]
