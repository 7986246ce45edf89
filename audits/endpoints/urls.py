"""URLs of endpoint safety (namespace ``audits``, included by ``audits.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("endpoints/", views.endpoints_home, name="endpoints"),
    path("targets/<slug:slug>/endpoints/", views.target_endpoints, name="target_endpoints"),
    path("targets/<slug:slug>/endpoints/rescan/", views.rescan, name="endpoints_rescan"),
    path("targets/<slug:slug>/endpoints/rescans/<int:rescan_id>/", views.rescan_progress,
         name="endpoints_rescan_progress"),
    path("targets/<slug:slug>/endpoints/overrides/", views.add_override,
         name="endpoint_override_add"),
    path("targets/<slug:slug>/endpoints/overrides/<int:override_id>/delete/",
         views.delete_override, name="endpoint_override_delete"),
]
