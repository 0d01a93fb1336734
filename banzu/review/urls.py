from django.urls import include, path

app_name = "review"

urlpatterns = [
    path("experts/", include("banzu.review.urls_pool")),
    path("results/", include("banzu.review.urls_results")),
]
