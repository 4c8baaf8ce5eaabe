from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from casework.api import campaigns as campaigns_api
from casework.api import cases as cases_api
from casework.api import ledger as ledger_api
from casework.api import pairings as pairings_api
from casework.api import points as points_api
from casework.api import teams as teams_api
from earlywarning.api import bulletins as bulletins_api
from earlywarning.api import evaluations as evaluations_api
from earlywarning.api import ratings as ratings_api
from earlywarning.api import roster as roster_api
from rectify import health, schedule
from rectify.api import lineage as lineage_api
from rectify.api import villages as rectify_villages_api
from rectify.views import compliance, dashboard, lineage, villages
from villages import api as villages_api

router = DefaultRouter()
router.register("regions", villages_api.RegionViewSet, basename="region")
router.register("villages", rectify_villages_api.VillageViewSet, basename="village")
router.register("party-branches", villages_api.PartyBranchViewSet, basename="party-branch")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("pairings", pairings_api.PairingViewSet, basename="pairing")
router.register("ledger-items", ledger_api.LedgerItemViewSet, basename="ledger-item")
router.register("campaigns", campaigns_api.CampaignViewSet, basename="campaign")
router.register("help-teams", teams_api.HelpTeamViewSet, basename="help-team")
router.register("points-entries", points_api.PointsEntryViewSet, basename="points-entry")
router.register("lineage-events", lineage_api.LineageEventViewSet, basename="lineage-event")
router.register("ratings", ratings_api.RatingViewSet, basename="rating")
router.register("indicator-sets", evaluations_api.IndicatorSetViewSet, basename="indicator-set")
router.register("evaluations", evaluations_api.EvaluationViewSet, basename="evaluation")
router.register("bulletins", bulletins_api.BulletinViewSet, basename="bulletin")
router.register("warning-roster", roster_api.RosterViewSet, basename="warning-roster")
router.register("talks", roster_api.TalkViewSet, basename="talk")
router.register("award-eligibility", roster_api.EligibilityViewSet, basename="award-eligibility")

urlpatterns = [
    # Pages that combine the apps: the dashboard, the village list and page, compliance.
    path("", dashboard.dashboard, name="dashboard"),
    path("villages/", villages.village_list, name="village-list"),
    path("villages/export.xlsx", villages.village_export, name="village-export"),
    path("villages/<int:pk>/", villages.village_detail, name="village-detail"),
    path("regions/", villages.region_browse, name="region-browse"),
    path("regions/<int:pk>/", villages.region_browse, name="region-detail"),
    path("compliance/", compliance.compliance_page, name="compliance"),
    path("lineage/", lineage.lineage_list, name="lineage-list"),
    path("lineage/new/", lineage.lineage_new, name="lineage-new"),
    path("lineage/<int:pk>/", lineage.lineage_detail, name="lineage-detail"),
    path("", include("casework.urls")),
    path("", include("earlywarning.urls")),
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
