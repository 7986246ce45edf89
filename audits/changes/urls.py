"""URLs of the change guide and the error decoder (namespace ``audits``)."""

from django.urls import path

from . import api_views, views

urlpatterns = [
    path("targets/<slug:slug>/changes/", views.changes, name="target_changes"),
    path("targets/<slug:slug>/changes.md", views.changes_markdown, name="target_changes_md"),
    path("targets/<slug:slug>/decode/", views.decode, name="target_decode"),
    path("api/v1/targets/<slug:slug>/changes", api_views.changes, name="api_changes"),
    path("api/v1/targets/<slug:slug>/decode", api_views.decode, name="api_decode"),
]
