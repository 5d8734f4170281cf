"""The staff admin: read-only status and number, and actions that go through the named actions."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from clipdesk.archive.models import Clip, Person
from factories.archive import ClipFactory, PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:archive_clip_changelist")


def action_names(client) -> set[str]:
    page = BeautifulSoup(client.get(CHANGELIST).content, "html.parser")
    return {o["value"] for o in page.select("select[name=action] option") if o["value"]}


def test_status_and_number_are_read_only(client, roles):
    clip = ClipFactory(published=True)
    client.force_login(roles["admin"])
    response = client.get(reverse("admin:archive_clip_change", args=[clip.pk]))
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("input[name=title]") is not None
    assert page.select_one("[name=status]") is None and page.select_one("[name=number]") is None
    assert "Published" in page.select_one(".field-status").get_text()


def test_actions_offered_follow_the_role(client, roles):
    ClipFactory()  # the admin shows actions only when there is something to act on
    client.force_login(roles["editor"])
    assert action_names(client) == {"submit_for_review", "return_to_draft"}
    client.force_login(roles["publisher"])
    assert {"publish", "withdraw", "submit_for_review"} <= action_names(client)


def test_publish_action_assigns_a_number_and_records_the_user(client, roles):
    a, b = ClipFactory(), ClipFactory()
    client.force_login(roles["publisher"])
    response = client.post(CHANGELIST, {"action": "publish", ACTION_CHECKBOX_NAME: [a.pk, b.pk]}, follow=True)
    assert "Published 2 clips." in response.content.decode()
    numbers = sorted(Clip.objects.values_list("number", flat=True))
    assert numbers == [1, 2]
    assert Clip.objects.get(pk=a.pk).history.first().history_user == roles["publisher"]


def test_publish_action_refused_for_an_editor(client, roles):
    clip = ClipFactory()
    client.force_login(roles["editor"])
    client.post(CHANGELIST, {"action": "publish", ACTION_CHECKBOX_NAME: [clip.pk]})
    assert Clip.objects.get(pk=clip.pk).status == Clip.Status.DRAFT


def test_withdraw_action_asks_for_a_reason(client, roles):
    clip = ClipFactory(published=True)
    client.force_login(roles["publisher"])
    form = client.post(CHANGELIST, {"action": "withdraw", ACTION_CHECKBOX_NAME: [clip.pk]})
    assert form.status_code == 200 and b"reason" in form.content
    assert Clip.objects.get(pk=clip.pk).status == Clip.Status.PUBLISHED
    client.post(
        CHANGELIST, {"action": "withdraw", ACTION_CHECKBOX_NAME: [clip.pk], "reason": "Wrong channel"}
    )
    clip.refresh_from_db()
    assert (clip.status, clip.withdrawn_reason) == (Clip.Status.WITHDRAWN, "Wrong channel")


def test_creating_and_editing_a_clip_in_the_admin_goes_through_actions(client, roles):
    client.force_login(roles["editor"])
    add = reverse("admin:archive_clip_add")
    data = {
        "title": "A new clip",
        "summary": "S",
        "aired_on": "2024-01-02",
        "duration_ms": "",
        **{
            f"{prefix}-{k}": v
            for prefix in ("speakers", "segments", "references")
            for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()
        },
    }
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    clip = Clip.objects.get()
    assert (clip.title, clip.slug, clip.status) == ("A new clip", "a-new-clip", Clip.Status.DRAFT)
    assert clip.history.first().history_user == roles["editor"]


def test_merge_people_in_the_admin(client, roles):
    a, b = PersonFactory(name="Qassem Soleimani"), PersonFactory(name="Qasem Soleimani")
    url = reverse("admin:archive_person_changelist")
    client.force_login(roles["publisher"])
    response = client.post(url, {"action": "merge", ACTION_CHECKBOX_NAME: [a.pk, b.pk]})
    assert response.status_code == 200 and b"which one stays" in response.content
    client.post(url, {"action": "merge", ACTION_CHECKBOX_NAME: [a.pk, b.pk], "keep": a.pk})
    assert list(Person.objects.all()) == [a]
    assert a.alias_names == ["Qasem Soleimani"]


@pytest.mark.parametrize(
    "name", ["archive_clip", "archive_person", "archive_channel", "archive_topic", "media_mediaasset"]
)
def test_admin_pages_load(client, roles, name):
    client.force_login(roles["admin"])
    assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    # Media enters only through the paths that probe it (tests/media/test_media_types.py).
    added = 200 if name != "media_mediaasset" else 403
    assert client.get(reverse(f"admin:{name}_add")).status_code == added
