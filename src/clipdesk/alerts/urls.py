from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("staff/channels/<slug:slug>/not-transcribed/<int:pk>/retry/", views.retry, name="retry"),
]
