from django.urls import path

from banzu.recommendations.views import batch, review

app_name = "recommendations"

urlpatterns = [
    # The recommender's work on applications (views/review.py).
    path("", review.application_list, name="list"),
    path("applications/<int:pk>/", review.review, name="review"),
    path("applications/<int:pk>/score/", review.score_sheet, name="score"),
    path("applications/<int:pk>/score/total/", review.score_total, name="score_total"),
    path("applications/<int:pk>/return/", review.return_application, name="return"),
    path("applications/<int:pk>/decline/", review.decline_application, name="decline"),
    path("applications/<int:pk>/recommend/", review.recommend_application, name="recommend"),
    path(
        "applications/<int:pk>/files/<int:document_pk>/view/",
        review.view_pdf,
        name="view_pdf",
    ),
    # The batch, Attachment 2 and the provincial board (views/batch.py).
    path("batch/", batch.batch, name="batch"),
    path("batch/<int:recommender_pk>/", batch.batch, name="batch_of"),
    path(
        "batch/<int:recommender_pk>/attachment2.<str:fmt>",
        batch.attachment2,
        name="attachment2",
    ),
    path("batch/<int:recommender_pk>/submit/", batch.submit_batch, name="submit_batch"),
    path("batch/<int:recommender_pk>/reopen/", batch.reopen_batch, name="reopen_batch"),
    path("batch/<int:recommender_pk>/quota/", batch.set_quota, name="set_quota"),
    path("board/", batch.board, name="board"),
    # The stamped scans of Attachment 2 and of each recommended application's Attachment 1.
    path(
        "batch/<int:recommender_pk>/stamped/",
        batch.upload_stamped_attachment2,
        name="stamped_attachment2",
    ),
    path(
        "applications/<int:pk>/stamped/",
        batch.upload_stamped_attachment1,
        name="stamped_attachment1",
    ),
    path("stamped/<int:pk>/", batch.view_stamped, name="stamped_view"),
]
