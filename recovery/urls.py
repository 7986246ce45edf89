from django.urls import path

from . import views

app_name = "recovery"
urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_create, name="incident_create"),
    path("<slug:slug>/", views.incident_detail, name="incident_detail"),
    path("<slug:slug>/edit/", views.incident_edit, name="incident_edit"),
    path("<slug:slug>/status/", views.incident_status, name="incident_status"),
    path("<slug:slug>/severity/", views.incident_severity, name="incident_severity"),
    path("<slug:slug>/steps/", views.log_step, name="log_step"),
    path("<slug:slug>/steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path("<slug:slug>/steps/<int:pk>/remove/", views.step_remove, name="step_remove"),
    path("<slug:slug>/comments/", views.comment_add, name="comment_add"),
    path("<slug:slug>/commits/", views.commit_add, name="commit_add"),
    path("<slug:slug>/migrations/", views.migration_add, name="migration_add"),
    path("<slug:slug>/data-loss/", views.data_loss_add, name="data_loss_add"),
    path("<slug:slug>/actions/", views.action_add, name="action_add"),
    path("<slug:slug>/actions/<int:pk>/toggle/", views.action_toggle, name="action_toggle"),
    path("<slug:slug>/postmortem/", views.postmortem_page, name="postmortem"),
    path("<slug:slug>/postmortem.md", views.postmortem_markdown, name="postmortem_markdown"),
]
