from django.urls import path

from . import views

app_name = "recovery"
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
]
