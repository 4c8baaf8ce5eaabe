from django.urls import path

from earlywarning.views import evaluations as views

urlpatterns = [
    path("evaluations/", views.evaluation_list, name="evaluation-list"),
    path("evaluations/export.xlsx", views.evaluation_export, name="evaluation-export"),
    path("evaluations/template.xlsx", views.evaluation_template, name="evaluation-template"),
    path("evaluations/upload/", views.evaluation_upload, name="evaluation-upload"),
    path("evaluations/movement/", views.evaluation_movement, name="evaluation-movement"),
    path("evaluations/approval/", views.evaluation_approval, name="evaluation-approval"),
    path("evaluations/<int:pk>/reopen/", views.evaluation_reopen, name="evaluation-reopen"),
    path("evaluations/entry/<int:village_pk>/<str:quarter>/", views.evaluation_entry,
         name="evaluation-entry"),
    path("evaluations/tracking/<int:pk>/assign/", views.tracking_assign,
         name="evaluation-tracking-assign"),
    path("evaluations/sets/", views.indicator_set_list, name="indicator-set-list"),
    path("evaluations/sets/<int:pk>/", views.indicator_set_detail, name="indicator-set-detail"),
    path("evaluations/sets/<int:pk>/export.xlsx", views.indicator_set_export,
         name="indicator-set-export"),
]
