"""URLs of the drift feature: overview, targets, runs, compare, fix migrations (namespace
``audits``, included by ``audits.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/test-connection/", views.connection_test, name="test_connection"),
    path("targets/<slug:slug>/", views.target, name="target"),
    path("targets/<slug:slug>/edit/", views.target_edit, name="target_edit"),
    path("targets/<slug:slug>/test-connection/", views.connection_test,
         name="target_test_connection"),
    path("targets/<slug:slug>/audit/", views.audit_now, name="audit_now"),
    path("targets/<slug:slug>/findings/<str:schema>/<str:table>/", views.table_findings,
         name="table_findings"),
    path("targets/<slug:slug>/runs/", views.run_history, name="run_history"),
    path("targets/<slug:slug>/runs/<int:run_id>/", views.run, name="run"),
    path("targets/<slug:slug>/runs/<int:run_id>/progress/", views.run_progress,
         name="run_progress"),
    path("targets/<slug:slug>/runs/<int:run_id>/baseline/", views.set_baseline,
         name="set_baseline"),
    path("targets/<slug:slug>/runs/<int:run_id>/fix/", views.fix_migration, name="fix_migration"),
    path("targets/<slug:slug>/runs/<int:run_id>/fix.sql", views.fix_migration_sql,
         name="fix_migration_sql"),
    path("targets/<slug:slug>/runs/<int:run_id>/fix.zip", views.fix_migration_zip,
         name="fix_migration_zip"),
    path("targets/<slug:slug>/compare/", views.compare, name="compare"),
    path("drift/incidents/<slug:incident_slug>/", views.incident_panel, name="incident_panel"),
]
