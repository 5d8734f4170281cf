from django.urls import path

from . import views

app_name = "recording"
urlpatterns = [
    path("staff/channels/", views.channel_list, name="channels"),
    path("staff/channels/<slug:slug>/coverage/", views.coverage_page, name="coverage"),
    path("staff/channels/<slug:slug>/timeline/", views.timeline, name="timeline"),
    path("staff/channels/<slug:slug>/recording.m3u8", views.playlist, name="playlist"),
    path("staff/channels/<slug:slug>/cut/", views.cut, name="cut"),
    path("staff/recordings/<int:pk>.ts", views.segment_file, name="segment"),
]
