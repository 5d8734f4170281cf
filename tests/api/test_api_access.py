"""Who may use the API, how much: the anonymous rate limit, tokens, and no personal data anywhere."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clipdesk.api.models import ApiToken, token_hash
from clipdesk.archive import actions
from clipdesk.transcripts import actions as transcript_actions
from factories.api import api_token, bearer
from factories.archive import ClipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings):
    settings.CLIPDESK_API_RATE_LIMIT = "3/m"


def test_anonymous_use_is_limited_per_address_with_retry_after(client, limit):
    ClipFactory(published=True)
    for _ in range(3):
        assert client.get("/api/clips").status_code == 200
    refused = client.get("/api/clips/1")
    assert refused.status_code == 429
    assert refused.json() == {"detail": "Too many requests."}
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert client.get("/api/clips", REMOTE_ADDR="192.0.2.7").status_code == 200  # another address


def test_the_count_is_kept_in_the_shared_cache_without_the_address(client, limit, settings):
    from django.db import connection

    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    client.get("/api/topics", REMOTE_ADDR="198.51.100.23")
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM clipdesk_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("api-rate" in key for key in keys)
    assert not any("198.51.100.23" in key for key in keys)


def test_a_token_lifts_the_limit_and_records_its_use(client, limit):
    token = api_token(username="newsroom-bot", is_staff=False)
    for _ in range(6):
        assert client.get("/api/clips", **bearer(token)).status_code == 200
    stored = ApiToken.objects.get()
    assert stored.last_used_at is not None and stored.last_used_at <= timezone.now()
    assert client.get("/api/clips").status_code == 200  # the token's requests were not counted


@pytest.mark.parametrize("header", ["Bearer cdk_not-a-token", "Token abc", "Bearer"])
def test_an_unknown_token_is_refused_not_ignored(client, header):
    response = client.get("/api/clips", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"detail": "Unknown or revoked API token."}


def test_a_token_stops_working_when_its_user_is_deactivated_or_it_is_deleted(client):
    user = UserFactory(username="leaver")
    token = api_token(user)
    assert client.get("/api/clips", **bearer(token)).status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/clips", **bearer(token)).status_code == 401
    user.is_active = True
    user.save()
    ApiToken.objects.all().delete()
    assert client.get("/api/clips", **bearer(token)).status_code == 401


def test_api_token_command_prints_a_token_once_and_keeps_only_its_hash(client):
    UserFactory(username="editor", is_staff=True)
    out, err = StringIO(), StringIO()
    call_command("api_token", "editor", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token.startswith("cdk_") and len(token) > 40
    assert "not shown again" in err.getvalue()
    stored = ApiToken.objects.get()
    assert stored.user.username == "editor"
    assert stored.key_hash == token_hash(token) != token
    assert client.get("/api/clips?include=drafts", **bearer(token)).status_code == 200
    call_command("api_token", "editor", stdout=StringIO(), stderr=StringIO())
    assert ApiToken.objects.count() == 2  # a second token; the first one still works
    assert client.get("/api/clips", **bearer(token)).status_code == 200


def test_api_token_command_names_an_unknown_or_inactive_user():
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("api_token", "nobody", stdout=StringIO(), stderr=StringIO())
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="not active"):
        call_command("api_token", "gone", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_no_response_carries_personal_data(client, roles, transcript_clip, site):
    """Staff who edited, assigned, corrected and published the clip appear nowhere, nor does any address."""
    staff = roles["publisher"]
    staff.username, staff.email = "pdoewright", "pat.doe@newsroom.example"
    staff.first_name, staff.last_name = "Patricia", "Doewright"
    staff.save()
    actions.assign_clip(transcript_clip, user=staff, assignee=staff)
    segment = transcript_clip.segments.in_order().first()
    transcript_actions.edit_segment(
        segment.pk, user=staff, version=segment.version, english_text="Welcome, all."
    )
    revision = transcript_actions.pending_revision(transcript_clip, staff)
    transcript_actions.publish_correction(revision, user=staff, note="Fixed a word.")
    token = api_token(staff)
    urls = [
        "/api/clips",
        f"/api/clips/{transcript_clip.number}",
        f"/api/clips/id:{transcript_clip.pk}?include=drafts",
        "/api/clips?include=drafts",
        "/api/people",
        "/api/people/hizbullah",
        "/api/channels",
        f"/api/channels/{transcript_clip.channel.slug}",
        "/api/topics",
        "/api/topics/media",
        "/api/openapi.json",
        f"/oembed?url=https://clips.example/clips/{transcript_clip.number}/",
    ]
    everything = ""
    for url in urls:
        response = client.get(url, **bearer(token))
        assert response.status_code == 200, (url, response.content)
        everything += json.dumps(response.json(), ensure_ascii=False)
    assert "Fixed a word." in everything and "Welcome, all." in everything  # the sweep did see the edits
    for personal in (staff.username, staff.email, "pat.doe", "Patricia", "Doewright", "@", "history_user"):
        assert personal not in everything, personal
    for key in ("assignee", "email", "created_by", "published_by", "uploaded_by", "user"):
        assert f'"{key}"' not in everything, key


def test_staff_see_tokens_in_the_admin_to_revoke_them_but_never_the_token(client):
    from django.contrib.auth import get_user_model

    token = api_token(username="newsroom-bot", is_staff=False)
    admin = get_user_model().objects.create_superuser("chief", "chief@example.org", "a long password 1")
    client.force_login(admin)
    listing = client.get("/staff/admin/api/apitoken/")
    assert listing.status_code == 200
    assert "newsroom-bot" in listing.content.decode()
    stored = ApiToken.objects.get()
    page = client.get(f"/staff/admin/api/apitoken/{stored.pk}/change/").content.decode()
    assert token not in page and stored.key_hash not in page
    assert client.get("/staff/admin/api/apitoken/add/").status_code == 403
    assert client.post(f"/staff/admin/api/apitoken/{stored.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.exists()
