from django.urls import path, register_converter

from . import staff_views, views


class StaffIdConverter:
    """`id:12`: the internal id that staff URLs and the CLI accept before a clip has a number."""

    regex = r"id:[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value[3:])

    def to_url(self, value: int) -> str:
        return f"id:{value}"


register_converter(StaffIdConverter, "staffid")

app_name = "archive"
urlpatterns = [
    path("", views.home, name="home"),
    path("clips/", views.clip_list, name="clip-list"),
    path("clips/<staffid:pk>/", views.clip_by_id, name="clip-by-id"),
    path("clips/<int:number>/", views.clip_by_number, name="clip-by-number"),
    path("clips/<int:number>/<str:slug>/", views.clip_detail, name="clip"),
    path("embed/<int:number>/", views.clip_embed, name="embed"),
    path("people/", views.person_list, name="person-list"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("channels/", views.channel_list, name="channel-list"),
    path("channels/<slug:slug>/", views.channel_detail, name="channel"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic"),
    path("staff/clips/<staffid:pk>/workflow/", staff_views.workflow, name="workflow"),
]
