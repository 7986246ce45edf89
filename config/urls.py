from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from config.views import RoleLoginView

urlpatterns = [
    path(
        "login/",
        login_not_required(RoleLoginView.as_view()),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("incidents/", include("recovery.urls")),
    path("", include("audits.urls")),
]
