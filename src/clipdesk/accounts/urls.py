from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("staff/login/", views.StaffLoginView.as_view(), name="login"),
    path("staff/logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("staff/verify/", views.verify, name="verify"),
    path("staff/two-factor/", views.two_factor, name="two-factor"),
]
