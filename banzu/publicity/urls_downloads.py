"""The final publication's downloads (namespace "publicity"): the commendation notice, the full
results workbook and each recommender's region."""

from django.urls import URLPattern, path

from banzu.publicity import downloads

urlpatterns: list[URLPattern] = [
    path("<int:year>/commendation.<str:fmt>", downloads.commendation, name="commendation"),
    path("admin/<int:year>/results.xlsx", downloads.results_xlsx, name="results_xlsx"),
    path("<int:year>/region.xlsx", downloads.region_xlsx, name="region_xlsx"),
]
