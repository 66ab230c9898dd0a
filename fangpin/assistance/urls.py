from django.urls import path

from fangpin.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.measure_deadlines, name="deadlines"),
    path("households/<int:pk>/", views.household_page, name="household"),
    path("households/<int:pk>/visits/new/", views.visit_new, name="visit-new"),
    path("episodes/<int:episode_pk>/plan/new/", views.plan_new, name="plan-new"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:plan_pk>/measures/new/", views.measure_new, name="measure-new"),
    path("measures/<int:pk>/transition/", views.measure_transition, name="measure-transition"),
    path("measures/<int:pk>/evidence/", views.evidence_upload, name="evidence-upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
]
