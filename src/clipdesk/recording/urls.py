from django.urls import path

from . import views

app_name = "recording"
urlpatterns = [
    path("staff/channels/", views.channel_list, name="channels"),
    path("staff/channels/<slug:slug>/coverage/", views.coverage_page, name="coverage"),
]
