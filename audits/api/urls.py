"""URLs of the JSON API, API tokens and badges (namespace ``audits``, included by
``audits.urls``)."""

from django.urls import path

from . import badge_views, token_views, views

urlpatterns = [
    path("account/tokens/", token_views.token_list, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", token_views.revoke_token,
         name="token_revoke"),
    path("badges/<slug:slug>.svg", badge_views.target_badge, name="target_badge"),
    path("badges/<slug:slug>/<slug:prefix>.svg", badge_views.prefix_badge,
         name="prefix_badge"),
    path("api/v1/targets/<slug:slug>/endpoints", views.target_endpoints, name="api_endpoints"),
    path("api/v1/targets/<slug:slug>/status", views.target_status, name="api_status"),
    path("api/v1/targets/<slug:slug>/audits", views.request_audit, name="api_audits"),
]
