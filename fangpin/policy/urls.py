from django.urls import path

from fangpin.policy import views

app_name = "policy"
urlpatterns = [path("", views.parameter_list, name="list")]
