"""URLs of endpoint safety (issue 5), appended to audits.urls (namespace ``audits``)."""

from django.urls import path

from . import api, endpoint_views

urlpatterns = [
    path("endpoints/", endpoint_views.endpoints_home, name="endpoints"),
    path("targets/<slug:slug>/endpoints/", endpoint_views.target_endpoints,
         name="target_endpoints"),
    path("targets/<slug:slug>/endpoints/rescan/", endpoint_views.rescan,
         name="endpoints_rescan"),
    path("targets/<slug:slug>/endpoints/rescans/<int:rescan_id>/", endpoint_views.rescan_progress,
         name="endpoints_rescan_progress"),
    path("targets/<slug:slug>/endpoints/overrides/", endpoint_views.add_override,
         name="endpoint_override_add"),
    path("targets/<slug:slug>/endpoints/overrides/<int:override_id>/delete/",
         endpoint_views.delete_override, name="endpoint_override_delete"),
    path("account/tokens/", endpoint_views.token_list, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", endpoint_views.revoke_token,
         name="token_revoke"),
    path("badges/<slug:slug>.svg", endpoint_views.target_badge, name="target_badge"),
    path("badges/<slug:slug>/<slug:prefix>.svg", endpoint_views.prefix_badge,
         name="prefix_badge"),
    path("api/v1/targets/<slug:slug>/endpoints", api.target_endpoints, name="api_endpoints"),
    path("api/v1/targets/<slug:slug>/status", api.target_status, name="api_status"),
    path("api/v1/targets/<slug:slug>/audits", api.request_audit, name="api_audits"),
]
