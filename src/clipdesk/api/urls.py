from django.urls import path
from django.views.generic import RedirectView

from . import feeds, uploads, views

app_name = "api"
urlpatterns = [
    # RSS and Atom feeds: all clips, and per topic, channel, and person or organisation.
    path("feeds/clips.rss", feeds.ClipFeed(), name="feed-clips-rss"),
    path("feeds/clips.atom", feeds.ClipAtomFeed(), name="feed-clips-atom"),
    path("feeds/topics/<slug:slug>.rss", feeds.TopicFeed(), name="feed-topic-rss"),
    path("feeds/topics/<slug:slug>.atom", feeds.TopicAtomFeed(), name="feed-topic-atom"),
    path("feeds/channels/<slug:slug>.rss", feeds.ChannelFeed(), name="feed-channel-rss"),
    path("feeds/channels/<slug:slug>.atom", feeds.ChannelAtomFeed(), name="feed-channel-atom"),
    path("feeds/people/<slug:slug>.rss", feeds.PersonFeed(), name="feed-person-rss"),
    path("feeds/people/<slug:slug>.atom", feeds.PersonAtomFeed(), name="feed-person-atom"),
    path("feeds/corrections.rss", feeds.CorrectionFeed(), name="feed-corrections-rss"),
    path("feeds/corrections.atom", feeds.CorrectionAtomFeed(), name="feed-corrections-atom"),
    # The JSON API, its OpenAPI schema (api/openapi.json) and docs (api/docs); oEmbed for clip pages.
    path("api/", RedirectView.as_view(pattern_name="api:json:openapi-view"), name="api-home"),
    # Resumable uploads (tus) and ingest, with a token: `clipdesk ingest --remote`. Before the ninja API.
    path("api/uploads/", uploads.upload_collection, name="upload-collection"),
    path("api/uploads/<uuid:upload_id>", uploads.upload, name="upload"),
    path("api/ingest/", uploads.ingest, name="ingest"),
    path("api/ingest/<int:pk>", uploads.ingest_job, name="ingest-job"),
    path("api/", views.api.urls),
    path("oembed", views.oembed_view, name="oembed"),
]
