from django.urls import path

from earlywarning.views import bulletins, catalogue, evaluations, ratings, scorefiles

urlpatterns = [
    path("ratings/", ratings.rating_sheet, name="rating-sheet"),
    path("ratings/completeness/", ratings.completeness, name="rating-completeness"),
    path("ratings/lock-exceptions/", ratings.grant_exception, name="rating-grant-exception"),
    path("ratings/warning-list/", ratings.warning_list_page, name="rating-warning-list"),
    path("notifications/", ratings.notifications, name="notifications"),
    path("evaluations/", evaluations.evaluation_list, name="evaluation-list"),
    path("evaluations/export.xlsx", evaluations.evaluation_export, name="evaluation-export"),
    path("evaluations/template.xlsx", scorefiles.evaluation_template, name="evaluation-template"),
    path("evaluations/upload/", scorefiles.evaluation_upload, name="evaluation-upload"),
    path("evaluations/movement/", evaluations.evaluation_movement, name="evaluation-movement"),
    path("evaluations/approval/", evaluations.evaluation_approval, name="evaluation-approval"),
    path("evaluations/<int:pk>/reopen/", evaluations.evaluation_reopen, name="evaluation-reopen"),
    path("evaluations/entry/<int:village_pk>/<str:quarter>/", evaluations.evaluation_entry,
         name="evaluation-entry"),
    path("evaluations/tracking/<int:pk>/assign/", evaluations.tracking_assign,
         name="evaluation-tracking-assign"),
    path("evaluations/sets/", catalogue.indicator_set_list, name="indicator-set-list"),
    path("evaluations/sets/<int:pk>/", catalogue.indicator_set_detail,
         name="indicator-set-detail"),
    path("evaluations/sets/<int:pk>/export.xlsx", catalogue.indicator_set_export,
         name="indicator-set-export"),
    path("bulletins/", bulletins.bulletin_list, name="bulletin-list"),
    path("bulletins/build/", bulletins.bulletin_build, name="bulletin-build"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:pk>/export/", bulletins.bulletin_export, name="bulletin-export"),
    path("bulletins/<int:pk>/pdf/", bulletins.bulletin_pdf, name="bulletin-pdf"),
    path("bulletins/<int:pk>/publish/", bulletins.bulletin_publish, name="bulletin-publish"),
    path("bulletins/<int:pk>/correct/", bulletins.bulletin_correct, name="bulletin-correct"),
]
