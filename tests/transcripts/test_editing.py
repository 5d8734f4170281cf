"""The editor's actions and endpoints: autosave, edit conflicts, split and merge, speakers, history."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions
from clipdesk.transcripts.models import Segment, Speaker

pytestmark = pytest.mark.django_db


def line(clip, position) -> Segment:
    return Segment.objects.get(clip=clip, position=position)


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_edit_raises_version_and_marks_text_human(timed_clip, roles):
    segment = line(timed_clip, 0)
    segment.english_origin = "machine"
    segment.save()
    saved = actions.edit_segment(
        segment.pk, user=roles["translator"], version=1, english_text="Welcome, everyone."
    )
    assert (saved.english_text, saved.version, saved.english_origin) == ("Welcome, everyone.", 2, "human")
    assert saved.history.first().history_user == roles["translator"]


def test_second_save_of_an_older_version_is_refused(timed_clip, roles):
    segment = line(timed_clip, 1)
    actions.edit_segment(segment.pk, user=roles["translator"], version=1, english_text="First person's text")
    with pytest.raises(actions.EditConflict) as conflict:
        actions.edit_segment(segment.pk, user=roles["editor"], version=1, english_text="Second person's text")
    assert conflict.value.segment.english_text == "First person's text"
    assert conflict.value.attempted == {"english_text": "Second person's text"}
    assert line(timed_clip, 1).english_text == "First person's text"


def test_autosave_endpoint_and_conflict_response(client, timed_clip, roles):
    segment = line(timed_clip, 2)
    url = f"/staff/segments/{segment.pk}/"
    client.force_login(roles["translator"])
    ok = post_json(client, url, {"version": 1, "english_text": "What happened there?"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    conflict = post_json(client, url, {"version": 1, "english_text": "Stale"})
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["current"]["english_text"] == "What happened there?" and body["current"]["version"] == 2
    assert body["attempted"] == {"english_text": "Stale"}
    assert "changed by someone else" in body["error"]
    bad = post_json(client, url, {"version": 2, "start_ms": 9000})
    assert bad.status_code == 400 and "end before it starts" in bad.json()["error"]
    assert post_json(client, url, {"english_text": "no version"}).status_code == 400
    assert post_json(client, url, {"version": 2, "clip_id": 1}).status_code == 400
    client.force_login(roles["desk"])
    assert post_json(client, url, {"version": 2, "english_text": "x"}).status_code == 403
    client.force_login(roles["reader"])
    assert post_json(client, url, {"version": 2, "english_text": "x"}).status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('{"version": 1, "english_text": null}', "english_text"),
        ('{"version": 1, "english_text": {"a": 1}}', "english_text"),  # was saved as "{'a': 1}"
        ('{"version": 1, "original_text": ["a"]}', "original_text"),
        ('{"version": 1, "original_language": 5}', "original_language"),
        ('{"version": 1, "original_language": "%s"}' % ("x" * 36), "original_language"),
        ('{"version": 1, "end_ms": 100000000000000000000}', "end_ms"),
        ('{"version": 1, "end_ms": 3000000000}', "end_ms"),  # beyond the column's range
        ('{"version": 1, "start_ms": 1.5}', "start_ms"),
        ('{"version": 1, "start_ms": "10"}', "start_ms"),
        ('{"version": 1, "speaker_id": "x"}', "speaker_id"),
        ('{"version": 1, "speaker_id": 100000000000000000000}', "speaker_id"),
        ('{"version": 1e400}', "version"),
        ('{"version": 100000000000000000000}', "version"),
        ('{"version": true}', "version"),
        ('{"version": "1"}', "version"),
        ('"text"', "object"),
        ("[1]", "object"),
        ("5", "object"),
        ("null", "object"),
        ("{", "JSON"),
        ('{"version": 1, "english_text": "\\ud800"}', "english_text"),  # a lone surrogate
    ],
)
def test_autosave_refuses_a_body_of_the_wrong_shape_naming_the_field(timed_clip, roles, body, named):
    from django.test import Client

    client = Client(raise_request_exception=False)
    segment = line(timed_clip, 0)
    client.force_login(roles["translator"])
    response = client.post(f"/staff/segments/{segment.pk}/", body, content_type="application/json")
    assert response.status_code == 400
    assert named in response.json()["error"]
    segment.refresh_from_db()
    assert (segment.english_text, segment.end_ms, segment.version) == ("Welcome.", 1500, 1)


def test_autosave_clears_a_speaker_and_a_time_with_null(client, timed_clip, roles):
    segment = line(timed_clip, 3)
    client.force_login(roles["translator"])
    saved = post_json(
        client, f"/staff/segments/{segment.pk}/", {"version": 1, "speaker_id": None, "end_ms": None}
    )
    assert saved.status_code == 200 and (saved.json()["speaker_id"], saved.json()["end_ms"]) == (None, None)


def test_split_shares_time_by_text_and_merge_undoes_it(timed_clip, roles):
    segment = line(timed_clip, 1)  # 1500-4000, "Thank you [all] for having me."
    second = actions.split_segment(segment.pk, user=roles["translator"], version=1, at=16)
    first = line(timed_clip, 1)
    assert (first.english_text, second.english_text) == ("Thank you [all]", "for having me.")
    assert first.end_ms == second.start_ms == 1500 + round(2500 * 16 / 30)
    assert second.end_ms == 4000 and second.speaker == first.speaker and second.position == 2
    assert first.original_text and second.original_text
    assert [s.position for s in timed_clip.segments.order_by("position")] == [0, 1, 2, 3, 4]
    merged = actions.merge_with_next(first.pk, user=roles["translator"], version=first.version)
    assert merged.english_text == "Thank you [all] for having me." and merged.end_ms == 4000
    assert [s.position for s in timed_clip.segments.order_by("position")] == [0, 1, 2, 3]
    with pytest.raises(ValidationError, match="cursor"):
        actions.split_segment(merged.pk, user=roles["translator"], version=merged.version, at=0)


def test_rename_speaker_changes_one_row_for_the_whole_clip(timed_clip, roles):
    guest = Speaker.objects.get(clip=timed_clip, label="Ali Hassan")
    actions.rename_speaker(guest.pk, user=roles["translator"], label="Ali Hassan Khalil")
    labels = [s.speaker.label for s in timed_clip.segments.in_order()]
    assert labels == ["Host", "Ali Hassan Khalil", "Host", "Ali Hassan Khalil"]
    assert Speaker.objects.filter(clip=timed_clip).count() == 2


def test_withdrawn_clip_is_closed(timed_clip):
    clip = archive_actions.publish_clip(timed_clip, user=None)
    archive_actions.withdraw_clip(clip, user=None, reason="r")
    with pytest.raises(ValidationError, match="withdrawn"):
        actions.edit_segment(line(clip, 0).pk, user=None, version=1, english_text="x")


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [
        ("monitor", False),
        ("translator", True),
        ("editor", True),
        ("publisher", True),
        ("desk", False),
        ("reader", False),
    ],
)
def test_who_may_edit_lines(timed_clip, roles, role, can_edit):
    segment = line(timed_clip, 0)
    if can_edit:
        actions.edit_segment(segment.pk, user=roles[role], version=1, english_text="ok")
    else:
        with pytest.raises(PermissionDenied):
            actions.edit_segment(segment.pk, user=roles[role], version=1, english_text="no")


def test_editor_page_shows_every_line_and_tools(client, timed_clip, roles):
    client.force_login(roles["translator"])
    response = client.get(f"/staff/clips/id:{timed_clip.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="edit-line') == 4
    assert 'data-field="original_text" dir="auto" lang="ar"' in html
    assert 'value="0:01.500"' in html
    assert "Split at cursor" in html and "Merge with next" in html
    assert client.get("/staff/work/").status_code == 200
    client.force_login(roles["reader"])
    assert client.get(f"/staff/clips/id:{timed_clip.pk}/edit/").status_code == 302


def test_split_and_merge_through_the_editor_forms(client, timed_clip, roles):
    client.force_login(roles["translator"])
    segment = line(timed_clip, 1)
    response = client.post(f"/staff/segments/{segment.pk}/split/", {"at": "16", "version": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#line-3")
    assert timed_clip.segments.count() == 5
    stale = client.post(f"/staff/segments/{segment.pk}/merge/", {"version": "1"}, follow=True)
    assert "changed by someone else" in stale.content.decode()
    assert timed_clip.segments.count() == 5


def test_speaker_form_assigns_a_person(client, timed_clip, roles):
    from factories.archive import PersonFactory

    person = PersonFactory(name="Ali Hassan Khalil")
    guest = Speaker.objects.get(clip=timed_clip, label="Ali Hassan")
    client.force_login(roles["editor"])
    client.post(
        f"/staff/clips/id:{timed_clip.pk}/speakers/",
        {"speaker": guest.pk, "label": "Ali Hassan Khalil", "person": person.pk, "role": ""},
    )
    guest.refresh_from_db()
    assert (guest.label, guest.person) == ("Ali Hassan Khalil", person)


@pytest.mark.parametrize(
    "form", [{"speaker": "abc"}, {"speaker": "²"}, {"speaker": "9" * 5000}, {"person": "x"}, {"person": "²"}]
)
def test_speaker_form_with_an_id_that_is_not_a_number_is_400(timed_clip, roles, form):
    from django.test import Client

    guest = Speaker.objects.get(clip=timed_clip, label="Ali Hassan")
    client = Client(raise_request_exception=False)
    client.force_login(roles["editor"])
    response = client.post(
        f"/staff/clips/id:{timed_clip.pk}/speakers/", {"speaker": guest.pk, "label": "Renamed", **form}
    )
    assert response.status_code == 400
    guest.refresh_from_db()
    assert guest.label == "Ali Hassan"
