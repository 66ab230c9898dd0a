from django.urls import path

from fangpin.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.parameter_list, name="list"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/day/", views.calendar_day_set, name="calendar-day-set"),
    path("calendar/day/delete/", views.calendar_day_delete, name="calendar-day-delete"),
    path("calendar/load/", views.calendar_load, name="calendar-load"),
]
