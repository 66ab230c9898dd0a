from django.urls import path

from fangpin.monitoring.views import cases, clues, episodes, home, notices, public

app_name = "monitoring"
urlpatterns = [
    path("report/", public.self_report, name="self-report"),
    path("report/status/", public.self_report_status, name="self-report-status"),
    path("queue/", home.work_queue, name="work-queue"),
    path("notifications/", home.notifications, name="notifications"),
    path("notifications/read/", home.notifications_read, name="notifications-read"),
    path("clues/", clues.clue_list, name="clue-list"),
    path("clues/new/", clues.clue_new, name="clue-new"),
    path("clues/<int:pk>/", clues.clue_detail, name="clue-detail"),
    path("clues/<int:pk>/act/", clues.clue_act, name="clue-act"),
    path("clues/<int:pk>/identify/", clues.clue_start, name="clue-start"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/<int:pk>/", cases.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/", cases.case_act, name="case-act"),
    path("eliminations/", cases.elimination_list, name="elimination-list"),
    path("eliminations/<int:pk>/", cases.elimination_detail, name="elimination-detail"),
    path("eliminations/<int:pk>/act/", cases.elimination_act, name="elimination-act"),
    path("episodes/", episodes.episode_list, name="episode-list"),
    path("episodes/<int:pk>/", episodes.episode_detail, name="episode-detail"),
    path("episodes/<int:pk>/act/", episodes.episode_act, name="episode-act"),
    path("episodes/<int:pk>/edit/", episodes.episode_edit, name="episode-edit"),
    path("episodes/<int:pk>/eliminate/", cases.elimination_new, name="elimination-new"),
    path("notices/", notices.notice_list, name="notice-list"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice-detail"),
    path("notices/<int:pk>/pdf/", notices.notice_pdf_view, name="notice-pdf"),
    path("notices/<int:pk>/objections/", notices.objection_new, name="objection-new"),
    path("objections/<int:pk>/decide/", notices.objection_decide, name="objection-decide"),
]
