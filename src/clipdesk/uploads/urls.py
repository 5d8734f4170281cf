from django.urls import path

from . import views

app_name = "uploads"
urlpatterns = [
    path("staff/uploads/", views.collection, name="collection"),
    path("staff/uploads/<uuid:upload_id>/", views.upload, name="upload"),
]
