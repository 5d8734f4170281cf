from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("staff/channels/<slug:slug>/not-transcribed/<int:pk>/retry/", views.retry, name="retry"),
    path("staff/alerts/", views.feed, name="feed"),
    path("staff/alerts/feed.json", views.feed_json, name="feed_json"),
    path("staff/alerts/search/", views.search, name="search"),
    path("staff/alerts/watchlists/", views.watchlists, name="watchlists"),
    path("staff/alerts/watchlists/<int:pk>/", views.watchlist, name="watchlist"),
    path("staff/alerts/watchlists/<int:pk>/terms/", views.add_term, name="add_term"),
    path("staff/alerts/watchlists/<int:pk>/terms/<int:term>/remove/", views.remove_term, name="remove_term"),
    path("staff/alerts/watchlists/<int:pk>/delete/", views.delete_watchlist, name="delete_watchlist"),
]
