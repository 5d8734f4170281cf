from django.urls import path

from . import views

app_name = "subscriptions"
urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>/", views.confirm, name="confirm"),
    path("subscriptions/<str:token>/", views.manage, name="manage"),
    path("subscriptions/<str:token>/pause/", views.change, {"change": "pause"}, name="pause"),
    path("subscriptions/<str:token>/resume/", views.change, {"change": "resume"}, name="resume"),
    path(
        "subscriptions/<str:token>/resubscribe/", views.change, {"change": "resubscribe"}, name="resubscribe"
    ),
    path("subscriptions/<str:token>/delete/", views.delete, name="delete"),
    path("subscriptions/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
