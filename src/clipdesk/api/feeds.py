"""RSS 2.0 and Atom 1.0 feeds of the newest published clips: all of them, or one topic's, channel's,
or person's or organisation's; and of the archive's newest corrections.

Only published clips appear; withdrawn ones drop out. A topic, channel or person that no published
clip uses has no feed (404), as on the public pages. Every link is absolute, built on
settings.CLIPDESK_BASE_URL, and each entry's id is the clip's number address, which never changes
even when its title (and so its slug) does. Feeds hold the newest CLIPDESK_FEED_ITEMS clips (50).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, linebreaks

from clipdesk.archive.invalidation import tag_cards, tag_listing
from clipdesk.archive.models import Channel, Clip, ClipQuerySet, Person, Topic
from clipdesk.caching import tag
from clipdesk.caching.tags import mark
from clipdesk.transcripts.corrections import changes, published_corrections
from clipdesk.transcripts.diff import word_diff
from clipdesk.transcripts.models import Revision


def absolute(path: str) -> str:
    return settings.CLIPDESK_BASE_URL + path


class ClipFeed(Feed):
    feed_type = Rss201rev2Feed
    format = "rss"
    name = "clips"  # feed URLs are named api:feed-<name>-<format>
    language = "en"

    def __call__(self, request, *args, **kwargs):
        mark("feed")
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        return None

    def text(self, value: str) -> str:
        """Plain text for a title. RSS readers take titles as HTML, so they get it escaped; Atom
        declares its titles plain text, so they get it as is."""
        return escape(value) if self.format == "rss" else value

    def feed_title(self, obj) -> str:
        return f"{settings.CLIPDESK_SITE_NAME}: latest clips"

    def title(self, obj) -> str:
        return self.text(self.feed_title(obj))

    def clips(self, obj) -> ClipQuerySet:
        return Clip.objects.published()

    def about(self, obj) -> str:
        return f"The newest clips published by {settings.CLIPDESK_SITE_NAME}, transcribed and translated."

    def description(self, obj) -> str:
        return self.text(self.about(obj))

    def subtitle(self, obj) -> str:  # Atom's name for the description
        return self.description(obj)

    def link(self, obj) -> str:
        return absolute(reverse("archive:clip-list"))

    def url_args(self, obj) -> list:
        return []

    def feed_url(self, obj) -> str:
        return absolute(reverse(f"api:feed-{self.name}-{self.format}", args=self.url_args(obj)))

    def author_name(self, obj) -> str:
        return settings.CLIPDESK_PUBLISHER

    def items(self, obj):
        size = settings.CLIPDESK_FEED_ITEMS
        clips = list(
            self.clips(obj)
            .select_related("channel")
            .prefetch_related("topics")
            .order_by("-published_at", "-number")[:size]
        )
        if obj is None:
            tag("list")
        else:
            tag_listing(obj)
        tag_cards(clips)
        return clips

    def item_title(self, clip: Clip) -> str:
        return self.text(f"{clip.reference} {clip.title}")

    def item_description(self, clip: Clip) -> str:
        # Feed readers take the description as HTML: escape the editor's text, keep its paragraphs.
        source = f"Source: {clip.channel.source_label}" if clip.channel else ""
        return linebreaks(escape("\n\n".join(part for part in (clip.summary, source) if part)))

    def item_link(self, clip: Clip) -> str:
        return absolute(clip.get_absolute_url())

    def item_guid(self, clip: Clip) -> str:
        return absolute(reverse("archive:clip-by-number", args=[clip.number]))

    item_guid_is_permalink = True  # it answers with a redirect to the clip's page

    def item_pubdate(self, clip: Clip):
        return clip.published_at

    def item_updateddate(self, clip: Clip):
        return clip.updated_at

    def item_categories(self, clip: Clip) -> list[str]:
        return [topic.name for topic in clip.topics.all()]


class TopicFeed(ClipFeed):
    name = "topic"

    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic.objects.public(), slug=slug)

    def clips(self, topic: Topic) -> ClipQuerySet:
        return Clip.objects.published().for_topic(topic)

    def feed_title(self, topic: Topic) -> str:
        return f"{settings.CLIPDESK_SITE_NAME}: {topic.name}"

    def about(self, topic: Topic) -> str:
        return topic.description or f"The newest clips on {topic.name}."

    def link(self, topic: Topic) -> str:
        return absolute(topic.get_absolute_url())

    def url_args(self, topic: Topic) -> list:
        return [topic.slug]


class ChannelFeed(ClipFeed):
    name = "channel"

    def get_object(self, request, slug: str) -> Channel:
        return get_object_or_404(Channel.objects.public(), slug=slug)

    def clips(self, channel: Channel) -> ClipQuerySet:
        return Clip.objects.published().for_channel(channel)

    def feed_title(self, channel: Channel) -> str:
        return f"{settings.CLIPDESK_SITE_NAME}: {channel.source_label}"

    def about(self, channel: Channel) -> str:
        return f"The newest clips from {channel.source_label}."

    def link(self, channel: Channel) -> str:
        return absolute(channel.get_absolute_url())

    def url_args(self, channel: Channel) -> list:
        return [channel.slug]


class PersonFeed(ClipFeed):
    name = "person"

    def get_object(self, request, slug: str) -> Person:
        return get_object_or_404(Person.objects.public(), slug=slug)

    def clips(self, person: Person) -> ClipQuerySet:
        return Clip.objects.published().featuring(person)

    def feed_title(self, person: Person) -> str:
        return f"{settings.CLIPDESK_SITE_NAME}: {person.name}"

    def about(self, person: Person) -> str:
        return f"The newest clips with or about {person.name}."

    def link(self, person: Person) -> str:
        return absolute(person.get_absolute_url())

    def url_args(self, person: Person) -> list:
        return [person.slug]


class CorrectionFeed(Feed):
    """The archive's published corrections, newest first: each entry a correction, with its public
    note and its word-level before-and-after. Its id names the correction on its clip's page."""

    feed_type = Rss201rev2Feed
    format = "rss"
    language = "en"

    def __call__(self, request, *args, **kwargs):
        mark("feed")
        return super().__call__(request, *args, **kwargs)

    def feed_url(self) -> str:
        return absolute(reverse(f"api:feed-corrections-{self.format}"))

    def text(self, value: str) -> str:
        return escape(value) if self.format == "rss" else value

    def title(self) -> str:
        return self.text(f"{settings.CLIPDESK_SITE_NAME}: corrections")

    def description(self) -> str:
        return self.text(f"Every correction {settings.CLIPDESK_SITE_NAME} publishes to its clips.")

    def subtitle(self) -> str:
        return self.description()

    def link(self) -> str:
        return absolute(reverse("transcripts:corrections"))

    def author_name(self) -> str:
        return settings.CLIPDESK_PUBLISHER

    def items(self):
        revisions = list(published_corrections()[: settings.CLIPDESK_FEED_ITEMS])
        tag("corrections", *(f"clip-{revision.clip.number}" for revision in revisions))
        return revisions

    def item_title(self, revision: Revision) -> str:
        return self.text(f"Correction to {revision.clip.reference} {revision.clip.title}")

    def item_description(self, revision: Revision) -> str:
        # HTML: the note escaped, each change with its removed words in <del> and added ones in <ins>.
        items = "".join(
            f"<li>{escape(change.where.capitalize())}, {escape(change.field)}: "
            f"{word_diff(change.before, change.after)}</li>"
            for change in changes(revision)
        )
        return f"{linebreaks(escape(revision.note))}<ul>{items}</ul>"

    def item_link(self, revision: Revision) -> str:
        return absolute(f"{revision.clip.get_absolute_url()}#correction-{revision.pk}")

    def item_guid(self, revision: Revision) -> str:
        # The clip's number address, which never changes, and the correction.
        return absolute(
            f"{reverse('archive:clip-by-number', args=[revision.clip.number])}#correction-{revision.pk}"
        )

    item_guid_is_permalink = True

    def item_pubdate(self, revision: Revision):
        return revision.published_at


class AtomFormat:
    feed_type = Atom1Feed
    format = "atom"


class ClipAtomFeed(AtomFormat, ClipFeed):
    pass


class TopicAtomFeed(AtomFormat, TopicFeed):
    pass


class ChannelAtomFeed(AtomFormat, ChannelFeed):
    pass


class PersonAtomFeed(AtomFormat, PersonFeed):
    pass


class CorrectionAtomFeed(AtomFormat, CorrectionFeed):
    pass
