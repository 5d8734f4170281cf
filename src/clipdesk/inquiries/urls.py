from django.urls import path

from . import desk, views

app_name = "inquiries"
urlpatterns = [
    path("requests/new/", views.new_request, name="new"),
    path("requests/sent/", views.request_sent, name="sent"),
    path("requests/status/<str:token>/", views.request_status, name="status"),
    path("clips/<int:number>/lines/<int:line>/report/", views.report_line, name="report"),
    path("desk/", desk.queue, name="desk"),
    path("desk/requests/<int:pk>/", desk.request_detail, name="desk-request"),
    path("desk/reports/<int:pk>/", desk.report_detail, name="desk-report"),
]
