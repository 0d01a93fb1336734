from django.urls import include, path

from banzu.review import views_admin, views_expert

app_name = "review"

urlpatterns = [
    # The provincial admin's
    path("", views_admin.board, name="board"),
    path("remind/", views_admin.remind, name="remind"),
    path("finish/", views_admin.finish, name="finish"),
    path("assign/", views_admin.assign, name="assign"),
    path("assign/<int:pk>/add/", views_admin.add, name="add"),
    path("assignments/<int:pk>/remove/", views_admin.remove, name="remove"),
    path("applications/<int:pk>/", views_admin.application, name="application"),
    path("sheets/<int:sheet_pk>/reopen/", views_admin.reopen, name="reopen"),
    path("experts/", include("banzu.review.urls_pool")),
    path("results/", include("banzu.review.urls_results")),
    # The expert's
    path("mine/", views_expert.mine, name="mine"),
    path("mine/<int:pk>/declare/", views_expert.declare, name="declare"),
    path("mine/<int:pk>/", views_expert.sheet, name="sheet"),
    path("mine/<int:pk>/total/", views_expert.sheet_total, name="sheet_total"),
    path("mine/<int:pk>/files/<int:document_pk>/view/", views_expert.view_pdf, name="view_pdf"),
    path("mine/<int:pk>/files/<int:document_pk>/", views_expert.download, name="download"),
]
