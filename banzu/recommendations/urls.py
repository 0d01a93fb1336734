from django.urls import path

from banzu.recommendations import views_batch, views_review

app_name = "recommendations"

urlpatterns = [
    # The recommender's work on applications (views_review).
    path("", views_review.application_list, name="list"),
    path("applications/<int:pk>/", views_review.review, name="review"),
    path("applications/<int:pk>/score/", views_review.score_sheet, name="score"),
    path("applications/<int:pk>/score/total/", views_review.score_total, name="score_total"),
    path("applications/<int:pk>/return/", views_review.return_application, name="return"),
    path("applications/<int:pk>/decline/", views_review.decline_application, name="decline"),
    path("applications/<int:pk>/recommend/", views_review.recommend_application, name="recommend"),
    path(
        "applications/<int:pk>/files/<int:document_pk>/view/",
        views_review.view_pdf,
        name="view_pdf",
    ),
    # The batch, Attachment 2 and the provincial board (views_batch).
    path("batch/", views_batch.batch, name="batch"),
    path("batch/<int:recommender_pk>/", views_batch.batch, name="batch_of"),
    path(
        "batch/<int:recommender_pk>/attachment2.<str:fmt>",
        views_batch.attachment2,
        name="attachment2",
    ),
    path("batch/<int:recommender_pk>/submit/", views_batch.submit_batch, name="submit_batch"),
    path("batch/<int:recommender_pk>/reopen/", views_batch.reopen_batch, name="reopen_batch"),
    path("batch/<int:recommender_pk>/quota/", views_batch.set_quota, name="set_quota"),
    path("board/", views_batch.board, name="board"),
]
