from django.urls import path

from earlywarning.views import bulletins

urlpatterns = [
    path("bulletins/", bulletins.bulletin_list, name="bulletin-list"),
    path("bulletins/build/", bulletins.bulletin_build, name="bulletin-build"),
    path("bulletins/<int:pk>/", bulletins.bulletin_detail, name="bulletin-detail"),
    path("bulletins/<int:pk>/export/", bulletins.bulletin_export, name="bulletin-export"),
    path("bulletins/<int:pk>/pdf/", bulletins.bulletin_pdf, name="bulletin-pdf"),
    path("bulletins/<int:pk>/publish/", bulletins.bulletin_publish, name="bulletin-publish"),
    path("bulletins/<int:pk>/correct/", bulletins.bulletin_correct, name="bulletin-correct"),
]
