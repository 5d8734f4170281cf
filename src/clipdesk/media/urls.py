from django.urls import path

from . import views

app_name = "media"
urlpatterns = [
    path("media/assets/<int:pk>/file", views.asset_file, name="file"),
    path("staff/media/<int:pk>/peaks.json", views.peaks, name="peaks"),
    path("media/assets/<int:pk>/poster", views.asset_file, {"kind": "poster"}, name="poster"),
]
