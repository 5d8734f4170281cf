"""The OpenAPI schema, the browsable docs under the Content-Security-Policy, and a schemathesis run:
generated requests against every operation find no server error and no response that breaks the schema."""

import datetime as dt
import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from hypothesis import HealthCheck, settings

from clipdesk.archive.actions import publish_clip
from factories.api import api_token
from factories.archive import ClipFactory, PersonFactory, TopicFactory
from factories.transcripts import SegmentFactory, SpeakerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ninja_installed(settings):
    """The docs page is django-ninja's template and Swagger UI its static files: the template loaders
    and staticfiles finders see them when 'ninja' is an installed app."""
    if "ninja" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "ninja"]


def test_the_schema_describes_every_operation(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/clips",
        "/api/clips/{ref}",
        "/api/people",
        "/api/people/{slug}",
        "/api/channels",
        "/api/channels/{slug}",
        "/api/topics",
        "/api/topics/{slug}",
        "/api/search",
    }
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        operation = operations["get"]
        assert operation["security"] == [{"TokenAuth": []}, {}], path  # a token is optional
        assert {"200", "401", "422", "429"} <= set(operation["responses"]), path
        assert operation["responses"]["429"]["headers"]["Retry-After"]["required"] is True
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    parameters = {p["name"] for p in schema["paths"]["/api/clips"]["get"]["parameters"]}
    assert parameters == {
        "channel",
        "country",
        "topic",
        "person",
        "year",
        "language",
        "include",
        "page",
        "page_size",
    }


def test_the_schema_is_not_rate_limited(client, settings):
    settings.CLIPDESK_API_RATE_LIMIT = "1/m"
    assert client.get("/api/topics").status_code == 200
    assert client.get("/api/topics").status_code == 429
    assert client.get("/api/openapi.json").status_code == 200


def test_api_root_leads_to_the_docs(client):
    response = client.get("/api/")
    assert (response.status_code, response["Location"]) == (302, "/api/docs")


def test_the_docs_page_needs_no_inline_script_or_style(client, ninja_installed):
    response = client.get("/api/docs")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    # The site's policy, unchanged (django-csp does not keep the directives in a fixed order).
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.DOTALL)
    assert scripts
    for attributes, body in scripts:
        # Each script is a static file, or data (JSON) that a static file reads: none runs inline.
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes, attributes
        assert 'src="/static/' not in attributes or not body.strip()
    outside_scripts = re.sub(r"<script.*?</script>", "", page, flags=re.DOTALL)
    assert "<style" not in page and not re.search(r"\s(style|on[a-z]+)=", outside_scripts)
    assert "cdn" not in page.lower()
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert {"ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"} <= set(assets)
    for asset in assets:
        assert finders.find(asset), asset
    assert '"url": "/api/openapi.json"' in page and '"validatorUrl": null' in page


# schemathesis against the WSGI application, in process. The schema is read from the application
# itself; reading it touches no database.


def _application():
    from clipdesk.wsgi import application

    return application


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _application())


@pytest.fixture
def archive(settings, django_capture_on_commit_callbacks):
    """A small published archive to answer from (its names are the schema's examples), a draft, and the
    Authorization header of a staff member's token."""
    settings.CLIPDESK_API_RATE_LIMIT = "100000/m"  # the limit itself is tested elsewhere
    person = PersonFactory(name="Ibrahim Al-Amine", slug="ibrahim-al-amine")
    clip = ClipFactory(
        title="Interview",
        aired_on=dt.date(2021, 5, 28),
        channel__slug="al-manar-tv",
        channel__country="Lebanon",
    )
    clip.topics.add(TopicFactory(slug="hizbullah"))
    SegmentFactory(
        clip=clip, original_language="ar", original_text="كلام", english_text="There was higher coordination."
    )
    SpeakerFactory(clip=clip, person=person)
    with django_capture_on_commit_callbacks(execute=True):  # indexes it for /api/search
        publish_clip(clip, user=None, number=8891)
    ClipFactory(title="A draft")
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token(username='editor', is_staff=True)}"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same requests every run
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_errors_and_every_response_conforms(case, archive):
    # Requests that ask for drafts go with a staff token, so that drafts' documents are checked too.
    asks_for_drafts = isinstance(case.query, dict) and case.query.get("include") == "drafts"
    case.call_and_validate(
        headers={"Authorization": archive["HTTP_AUTHORIZATION"]} if asks_for_drafts else None
    )
