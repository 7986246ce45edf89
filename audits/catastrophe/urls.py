"""URLs of the catastrophe watch (namespace ``audits``, included by ``audits.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("targets/<slug:slug>/vital-signs/", views.vital_signs, name="vital_signs"),
    path("targets/<slug:slug>/vital-signs/thresholds/", views.vital_signs_thresholds,
         name="vital_signs_thresholds"),
]
