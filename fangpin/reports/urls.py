from django.urls import path

from fangpin.reports import views

app_name = "reports"
urlpatterns = [
    path("quality/", views.quality_report, name="quality"),
    path("quality.xlsx", views.quality_xlsx, name="quality-xlsx"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/refresh/", views.dashboard_refresh, name="dashboard-refresh"),
    path("dashboard/list/", views.dashboard_list, name="dashboard-list"),
    path("roster/", views.roster_export, name="roster"),
]
