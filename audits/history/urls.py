"""URLs of migration history (namespace ``audits``, included by ``audits.urls``)."""

from django.urls import path

from . import views as history_views

urlpatterns = [
    path("targets/<slug:slug>/migrations/", history_views.target_migrations,
         name="target_migrations"),
    path("targets/<slug:slug>/three-way/", history_views.target_three_way,
         name="target_three_way"),
    path("drift/incidents/<slug:incident_slug>/migrations/", history_views.incident_migrations,
         name="incident_migrations"),
]
