from django.urls import path

from villages import views

urlpatterns = [
    path("villages/", views.village_list, name="village-list"),
    path("villages/export.xlsx", views.village_export, name="village-export"),
    path("villages/<int:pk>/", views.village_detail, name="village-detail"),
    path("regions/", views.region_browse, name="region-browse"),
    path("regions/<int:pk>/", views.region_browse, name="region-detail"),
]
