from django.urls import path

from . import views

app_name = "ingest"
urlpatterns = [
    path("staff/ingest/", views.ingest_page, name="ingest"),
    path("staff/ingest/<int:pk>/", views.job_page, name="job"),
    path("staff/ingest/<int:pk>/status.json", views.job_status, name="status"),
    path("staff/ingest/<int:pk>/retry/", views.job_retry, name="retry"),
    path("staff/ingest/<int:pk>/cancel/", views.job_cancel, name="cancel"),
    path("staff/ingest/<int:pk>/rerun/", views.job_rerun, name="rerun"),
]
