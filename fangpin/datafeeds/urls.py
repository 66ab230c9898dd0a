from django.urls import path

from fangpin.datafeeds import views

app_name = "datafeeds"
urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/feedback.xlsx", views.run_feedback, name="run-feedback"),
    path("review/", views.review_list, name="review-list"),
    path("review/<int:pk>/", views.review_detail, name="review"),
    path("warnings/", views.warning_list, name="warning-list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/<int:pk>/", views.rule_detail, name="rule"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="rule-toggle"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule-edit"),
]
