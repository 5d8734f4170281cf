"""The read-only JSON API at /api/ (OpenAPI schema at /api/openapi.json, browsable docs at /api/docs),
and the oEmbed endpoint.

Only published clips appear, unless a staff member's token asks for `?include=drafts`. Responses
carry no personal data: no email addresses, no staff names, nothing from the edit history.
"""

import datetime as dt
from typing import Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from ninja import NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.openapi.docs import Swagger
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from clipdesk.archive.invalidation import tag_clip_page
from clipdesk.archive.models import Channel, Clip, ClipQuerySet, Person, Topic
from clipdesk.caching import tag
from clipdesk.caching.tags import mark
from clipdesk.search import services as search_services
from clipdesk.search.interfaces import Filters
from clipdesk.transcripts.export import clip_document

from . import oembed, queries, schemas
from .auth import AnonymousRateThrottle, TokenAuth
from .models import ApiToken
from .pagination import MAX_PAGE, MAX_PAGE_SIZE, PageNumberPagination, page_url

SLUG = r"^[-a-zA-Z0-9_]{1,200}$"
CLIP_REF = r"^([0-9]{1,9}|id:[0-9]{1,18})$"
LANGUAGE = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,4}$"
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}


class Encoder(NinjaJSONEncoder):
    """Times as `clip_document` writes them, with every digit (Django's encoder cuts them to milliseconds)."""

    def default(self, o):
        return o.isoformat() if isinstance(o, dt.datetime) else super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder
    json_dumps_params = {"ensure_ascii": False}  # the original text stays readable; the charset is UTF-8


class ClipdeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's schema, plus what every operation shares: the token is optional, and any operation
        may answer 401 (unknown token), 422 (invalid parameters) or 429 (rate limit)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema["components"]["schemas"]
        components.setdefault("Error", schemas.Error.model_json_schema())
        components.setdefault("InvalidRequest", schemas.InvalidRequest.model_json_schema())
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["security"] = [*operation.get("security", []), {}]
                responses = operation["responses"]
                responses[401] = _error("The Authorization header names no valid API token.")
                responses[422] = {
                    "description": "A parameter is invalid; `detail` says which and why.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/InvalidRequest"}}
                    },
                }
                responses[429] = _error(
                    "Too many requests without a token; try again after Retry-After seconds."
                )
                responses[429]["headers"] = {
                    "Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 0}}
                }
        return schema


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


api = ClipdeskAPI(
    title=f"{settings.CLIPDESK_SITE_NAME} API",
    version="1",
    description=(
        "Read-only access to the published archive: clips with their bilingual transcripts, the people "
        "and organisations in them, channels and topics, and search. Without a token, use is rate-limited "
        "per IP address (429 with Retry-After past the limit); `Authorization: Bearer <token>` lifts the limit."
    ),
    urls_namespace="api:json",
    renderer=Renderer(),
    auth=[TokenAuth()],
    throttle=[AnonymousRateThrottle()],
    # Swagger UI from django-ninja's own static files, which the Content-Security-Policy allows
    # ('self'); no validator badge, which would load an image from swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


class ClipFilters(Schema):
    channel: str | None = Query(None, pattern=SLUG, description="A channel's slug.", example="al-manar-tv")
    country: str | None = Query(None, max_length=100, description="The channel's country.", example="Lebanon")
    topic: str | None = Query(None, pattern=SLUG, description="A topic's slug.", example="hizbullah")
    person: str | None = Query(
        None,
        pattern=SLUG,
        description="A person's or organisation's slug: clips they speak in or are about.",
        example="ibrahim-al-amine",
    )
    year: int | None = Query(None, ge=1, le=9999, description="The year the clip aired.", example=2021)
    language: str | None = Query(
        None, pattern=LANGUAGE, description="BCP 47 code of the transcript's original language.", example="ar"
    )
    include: Literal["drafts"] | None = Query(
        None, description="`drafts`: also clips not published (yet), with a staff member's token."
    )


def _staff_asking_for_drafts(request, include: str | None):
    """The staff member whose token asks for drafts; None when drafts are not asked for; 403 otherwise."""
    if include != "drafts":
        return None
    token = request.auth
    if not (isinstance(token, ApiToken) and token.user.is_staff):
        raise HttpError(403, "include=drafts needs the API token of a staff member.")
    return token.user


def _visible_clips(request, include: str | None) -> ClipQuerySet:
    staff = _staff_asking_for_drafts(request, include)
    return Clip.objects.visible_to(staff) if staff else Clip.objects.published()


def _named(model, slug: str):
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise HttpError(404, f"No {model._meta.verbose_name} {slug!r}.")
    return found


@api.get(
    "/clips",
    response={200: list[schemas.ClipSummary], 403: schemas.Error, 404: schemas.Error},
    tags=["clips"],
    summary="Clips, newest first, filtered",
)
@paginate(PageNumberPagination)
def list_clips(request, filters: Query[ClipFilters]):
    mark("api")
    tag("list")
    clips = _visible_clips(request, filters.include)
    if filters.channel:
        clips = clips.for_channel(_named(Channel, filters.channel))
    if filters.country:
        clips = clips.for_country(filters.country)
    if filters.topic:
        clips = clips.for_topic(_named(Topic, filters.topic))
    if filters.person:
        clips = clips.featuring(_named(Person, filters.person))
    if filters.year:
        clips = clips.aired_in(filters.year)
    if filters.language:
        clips = queries.in_language(clips, filters.language)
    return clips.for_listing().order_by("-aired_on", "-number", "-pk")  # pk orders drafts, which lack numbers


@api.get(
    "/clips/{ref}",
    response={200: schemas.ClipDocument, 403: schemas.Error, 404: schemas.Error},
    tags=["clips"],
    summary="A clip with its transcript",
    description="The same document as the clip's `.json` download. `ref` is the public number, or `id:N`.",
)
def get_clip(
    request,
    ref: str = Path(..., pattern=CLIP_REF, example="8891"),
    include: Literal["drafts"] | None = Query(None, description="`drafts` with a staff member's token."),
):
    mark("api")
    try:
        clip = _visible_clips(request, include).select_related("channel").get_by_reference(ref)
    except Clip.DoesNotExist as exc:
        raise HttpError(404, str(exc)) from None
    # Returned as built, not re-serialised through the schema: the API's document is the download's, byte
    # for byte in content; the schema describes it and the tests hold the two together.
    token = request.auth
    staff = isinstance(token, ApiToken) and token.user.is_staff  # staff also get each line's machine data
    tag_clip_page(clip, topics=clip.topics.all(), people=clip.people.all(), speakers=clip.speakers.all())
    return api.create_response(request, clip_document(clip, staff=staff), status=200)


@api.get("/people", response=list[schemas.Person], tags=["people"], summary="People and organisations")
@paginate(PageNumberPagination)
def list_people(request, kind: Literal["person", "organisation"] | None = None):
    mark("api")
    tag("list", "people")
    people = queries.people()
    if kind:
        people = people.filter(kind=kind)
    return people.order_by("name", "pk")


@api.get("/people/{slug}", response={200: schemas.Person, 404: schemas.Error}, tags=["people"])
def get_person(request, slug: str = Path(..., pattern=SLUG, example="ibrahim-al-amine")):
    mark("api")
    return _published(queries.people(), "person or organisation", slug)


@api.get("/channels", response=list[schemas.Channel], tags=["channels"], summary="Channels")
@paginate(PageNumberPagination)
def list_channels(request, country: str | None = Query(None, max_length=100, example="Lebanon")):
    mark("api")
    tag("list", "channels")
    channels = queries.channels()
    if country:
        channels = channels.filter(country__iexact=country)
    return channels.order_by("name", "pk")


@api.get("/channels/{slug}", response={200: schemas.Channel, 404: schemas.Error}, tags=["channels"])
def get_channel(request, slug: str = Path(..., pattern=SLUG, example="al-manar-tv")):
    mark("api")
    return _published(queries.channels(), "channel", slug)


@api.get("/topics", response=list[schemas.Topic], tags=["topics"], summary="Topics")
@paginate(PageNumberPagination)
def list_topics(request):
    mark("api")
    tag("list", "topics")
    return queries.topics().order_by("name", "pk")


@api.get("/topics/{slug}", response={200: schemas.Topic, 404: schemas.Error}, tags=["topics"])
def get_topic(request, slug: str = Path(..., pattern=SLUG, example="hizbullah")):
    mark("api")
    return _published(queries.topics(), "topic", slug)


class SearchParameters(Schema):
    q: str = Query(
        "",
        max_length=1000,
        example="coordination",
        description='Words, "a phrase", OR, -word, prefix*, speaker:, lang:.',
    )
    channel: str | None = Query(None, pattern=SLUG, example="al-manar-tv")
    country: str | None = Query(None, max_length=100, example="Lebanon")
    topic: str | None = Query(None, pattern=SLUG, example="hizbullah")
    person: str | None = Query(None, pattern=SLUG, example="ibrahim-al-amine")
    language: str | None = Query(None, pattern=LANGUAGE, example="ar")
    year: int | None = Query(None, ge=1, le=9999, example=2021)
    sort: Literal["relevance", "date"] = Query("relevance", description="`date`: newest first.")
    page: int = Query(1, ge=1, le=MAX_PAGE)
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE)
    include: Literal["drafts"] | None = Query(None, description="`drafts` with a staff member's token.")

    def filters(self) -> Filters:
        def one(value):
            return (value,) if value else ()

        return Filters(
            channel=one(self.channel),
            country=one(self.country),
            topic=one(self.topic),
            person=one(self.person),
            lang=one(self.language),
            date_from=dt.date(self.year, 1, 1) if self.year else None,
            date_to=dt.date(self.year, 12, 31) if self.year else None,
        )


@api.get("/search", response={200: schemas.SearchPage, 403: schemas.Error}, tags=["search"], summary="Search")
def search(request, params: Query[SearchParameters]):
    """Clips whose transcript, title or summary match `q`, each with its best matching lines, as the
    site's search page finds them. An empty `q` with a filter lists that filter's clips by date."""
    mark("api")
    tag("search")
    staff = _staff_asking_for_drafts(request, params.include)
    results = search_services.search(
        params.q,
        user=staff or AnonymousUser(),
        filters=params.filters(),
        include_unpublished=staff is not None,
        sort=params.sort,
        page=params.page,
        page_size=params.page_size,
    )
    prefetch_related_objects([result.clip for result in results.clips], "topics")
    return {
        "query": params.q,
        "notes": results.notes,
        "count": results.total,
        "page": params.page,
        "page_size": params.page_size,
        "next": page_url(request, params.page + 1) if results.has_more else None,
        "previous": page_url(request, params.page - 1) if params.page > 1 else None,
        "items": [
            {
                "clip": result.clip,
                "score": result.score,
                "lines": [
                    {
                        "position": line.segment.position,
                        "speaker": line.speaker,
                        "start_ms": line.segment.start_ms,
                        "url": settings.CLIPDESK_BASE_URL + line.url,
                        "english_html": line.english_html,
                        "original_html": line.original_html,
                    }
                    for line in result.lines
                ],
            }
            for result in results.clips
        ],
    }


def _published(queryset, what: str, slug: str):
    found = queryset.filter(slug=slug).first()
    if found is None:
        raise HttpError(404, f"No {what} {slug!r} with published clips.")
    return found


@require_GET
def oembed_view(request) -> HttpResponse:
    """oEmbed 1.0 for clip pages: `/oembed?url=<clip page>&format=json[&maxwidth=&maxheight=]`."""
    mark("api")
    try:
        body = oembed.respond(request.GET, request_host=request.get_host())
    except oembed.OEmbedError as exc:
        return JsonResponse({"detail": str(exc)}, status=exc.status)
    return JsonResponse(body)
