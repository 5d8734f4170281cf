from django.urls import path

from . import views

app_name = "donations"
urlpatterns = [
    path("donate/", views.donate, name="donate"),
    path("donate/thanks/", views.thanks, name="thanks"),
    path("donate/cancelled/", views.cancelled, name="cancelled"),
    path("donate/webhook/", views.webhook, name="webhook"),
    path("donate/offline/<uuid:reference>/", views.offline_checkout, name="offline-checkout"),
]
