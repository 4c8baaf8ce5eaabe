from django.urls import path

from earlywarning.views import ratings

urlpatterns = [
    path("ratings/", ratings.rating_sheet, name="rating-sheet"),
    path("ratings/completeness/", ratings.completeness, name="rating-completeness"),
    path("ratings/lock-exceptions/", ratings.grant_exception, name="rating-grant-exception"),
    path("ratings/warning-list/", ratings.warning_list_page, name="rating-warning-list"),
    path("notifications/", ratings.notifications, name="notifications"),
]
