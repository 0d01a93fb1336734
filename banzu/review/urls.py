from django.urls import include, path

from banzu.review.views import admin, expert

app_name = "review"

urlpatterns = [
    # The provincial admin's
    path("", admin.board, name="board"),
    path("remind/", admin.remind, name="remind"),
    path("finish/", admin.finish, name="finish"),
    path("assign/", admin.assign, name="assign"),
    path("assign/<int:pk>/add/", admin.add, name="add"),
    path("assignments/<int:pk>/remove/", admin.remove, name="remove"),
    path("applications/<int:pk>/", admin.application, name="application"),
    path("sheets/<int:sheet_pk>/reopen/", admin.reopen, name="reopen"),
    path("experts/", include("banzu.review.urls_pool")),
    path("results/", include("banzu.review.urls_results")),
    # The expert's
    path("mine/", expert.mine, name="mine"),
    path("mine/<int:pk>/declare/", expert.declare, name="declare"),
    path("mine/<int:pk>/", expert.sheet, name="sheet"),
    path("mine/<int:pk>/total/", expert.sheet_total, name="sheet_total"),
    path("mine/<int:pk>/files/<int:document_pk>/view/", expert.view_pdf, name="view_pdf"),
    path("mine/<int:pk>/files/<int:document_pk>/", expert.download, name="download"),
]
