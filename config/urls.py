from django.contrib import admin
from django.urls import include, path

from fangpin.api.api import api
from fangpin.reports.home import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("fangpin.accounts.urls")),
    path("registry/", include("fangpin.registry.urls")),
    path("policy/", include("fangpin.policy.urls")),
    path("core/", include("fangpin.core.urls")),
    path("feeds/", include("fangpin.datafeeds.urls")),
    path("monitoring/", include("fangpin.monitoring.urls")),
    path("assistance/", include("fangpin.assistance.urls")),
    path("reports/", include("fangpin.reports.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
