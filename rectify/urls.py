from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from earlywarning.api import bulletins as bulletins_api
from earlywarning.api import evaluations as evaluations_api
from earlywarning.api import ratings as ratings_api
from rectify import api_work, health, schedule, views
from villages import api as villages_api

router = DefaultRouter()
router.register("regions", villages_api.RegionViewSet, basename="region")
router.register("villages", villages_api.VillageViewSet, basename="village")
router.register("party-branches", villages_api.PartyBranchViewSet, basename="party-branch")
router.register("cases", api_work.CaseViewSet, basename="case")
router.register("pairings", api_work.PairingViewSet, basename="pairing")
router.register("ledger-items", api_work.LedgerItemViewSet, basename="ledger-item")
router.register("campaigns", api_work.CampaignViewSet, basename="campaign")
router.register("help-teams", api_work.HelpTeamViewSet, basename="help-team")
router.register("ratings", ratings_api.RatingViewSet, basename="rating")
router.register("indicator-sets", evaluations_api.IndicatorSetViewSet, basename="indicator-set")
router.register("evaluations", evaluations_api.EvaluationViewSet, basename="evaluation")
router.register("bulletins", bulletins_api.BulletinViewSet, basename="bulletin")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("villages.urls")),
    path("", include("rectify.urls_work")),
    path("", include("earlywarning.urls_ratings")),
    path("", include("earlywarning.urls_evaluations")),
    path("", include("earlywarning.urls_bulletins")),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/schedule/", admin.site.admin_view(schedule.beat_schedule_view),
         name="beat-schedule"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", obtain_auth_token, name="api-token"),
    # Namespaced so the router's "village-list" etc. never shadow the HTML pages' names.
    path("api/v1/", include((router.urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
