from django.urls import path

from . import views

app_name = "caching"
urlpatterns = [path("csrf/", views.csrf_token, name="csrf")]
