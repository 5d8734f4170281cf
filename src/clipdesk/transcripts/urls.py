from django.urls import path

from clipdesk.archive.urls import StaffIdConverter  # noqa: F401 - registers the id:N converter

from . import staff_views, views

app_name = "transcripts"
urlpatterns = [
    path("clips/<int:number>.json", views.clip_json, name="json"),
    path("clips/<int:number>/transcript.txt", views.transcript_txt, name="txt"),
    path("clips/<int:number>/captions/<str:language>.<str:fmt>", views.captions, name="captions"),
    path("clips/<staffid:pk>/captions/<str:language>.<str:fmt>", views.captions, name="staff-captions"),
    path("clips/<int:number>/lines/", views.excerpt, name="excerpt"),
    path("clips/<int:number>/lines/<int:line>/", views.line_permalink, name="line"),
    path("corrections/", views.corrections, name="corrections"),
    path("clips/<int:number>/lines/<int:line>-<int:last>/", views.line_permalink, name="lines"),
    path("staff/work/", staff_views.worklist, name="worklist"),
    path("staff/quality/", staff_views.draft_quality, name="quality"),
    path("staff/clips/<staffid:pk>/edit/", staff_views.editor, name="editor"),
    path("staff/clips/<staffid:pk>/correction/", staff_views.correction, name="correction"),
    path("staff/clips/<staffid:pk>/subtitles/", staff_views.upload_subtitles, name="subtitles"),
    path("staff/clips/<staffid:pk>/media/", staff_views.upload_media, name="media"),
    path("staff/clips/<staffid:pk>/speakers/", staff_views.speakers, name="speakers"),
    path("staff/clips/<staffid:pk>/replace/", staff_views.find_replace, name="replace"),
    path("staff/clips/<staffid:pk>/undo/", staff_views.undo, name="undo"),
    path("staff/segments/<int:pk>/", staff_views.segment, name="segment"),
    path("staff/segments/<int:pk>/split/", staff_views.split, name="split"),
    path("staff/segments/<int:pk>/merge/", staff_views.merge, name="merge"),
    path("staff/segments/<int:pk>/checked/", staff_views.checked, name="checked"),
]
