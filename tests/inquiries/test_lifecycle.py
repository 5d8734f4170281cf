"""A request's life: submitted, confirmed, assigned, worked, fulfilled or declined, with real emails."""

import re

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from clipdesk.inquiries import actions
from clipdesk.inquiries.models import Inquiry
from factories.archive import ClipFactory, UserFactory
from factories.inquiries import InquiryFactory

pytestmark = pytest.mark.django_db

FORM = {
    "category": "media",
    "kind": "clip",
    "name": "Sam O'Neill & Co",
    "organisation": "Evening Post",
    "email": "sam@post.example",
    "deadline": "",
    "details": "The Al-Manar interview of May 28, 2021 with Ibrahim Al-Amine, in full.",
    "website": "",
}


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def status_link(message) -> str:
    match = re.search(r"http://testserver\.example(/requests/status/\S+/)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.CLIPDESK_BASE_URL = "http://testserver.example"
    settings.CLIPDESK_CONTACT_EMAIL = "desk@clips.example"


def test_the_whole_lifecycle_with_real_emails(client, roles, mailbox, django_capture_on_commit_callbacks):
    desk = UserFactory(username="maryam.k")  # a name that appears nowhere else in the emails
    desk.groups.add(*roles["desk"].groups.all())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/requests/new/", FORM).status_code == 302
    inquiry = Inquiry.objects.get()

    # 1. The confirmation, with the private status link.
    (confirmation,) = mailbox
    assert confirmation["To"] == "sam@post.example"
    assert confirmation["Reply-To"] == "desk@clips.example"
    assert "We have your request" in confirmation["Subject"]
    assert "Dear Sam O'Neill & Co," in text_of(confirmation)  # plain text: not HTML-escaped
    link = status_link(confirmation)
    assert link == reverse("inquiries:status", args=[inquiry.status_token])
    status_page = client.get(link)
    assert status_page.status_code == 200
    assert "New" in BeautifulSoup(status_page.content, "html.parser").select_one(".request-status").get_text()

    # 2. Assigned: the requester hears of it, without the name of the member of staff.
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign(inquiry, user=desk, assignee=desk)
    assert len(mailbox) == 2
    assert "Your request is assigned" in mailbox[1]["Subject"]
    assert desk.username not in text_of(mailbox[1])
    assert link in text_of(mailbox[1])

    # 3. In progress, with a message.
    with django_capture_on_commit_callbacks(execute=True):
        actions.change_status(inquiry, user=desk, status="in_progress", message="We are cutting it now.")
    assert "in progress" in mailbox[2]["Subject"]
    assert "We are cutting it now." in text_of(mailbox[2])

    # 4. Internal notes and a result change nothing the requester is told.
    clip = ClipFactory(published=True)
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_note(inquiry, user=desk, text="Check the second half for the translator.")
        actions.set_result(inquiry, user=desk, clip=clip, url="https://reports.example/al-amine.pdf")
    assert len(mailbox) == 3

    # 5. Fulfilled: the email and the status page link the clip and the report.
    with django_capture_on_commit_callbacks(execute=True):
        actions.change_status(inquiry, user=desk, status="fulfilled", message="Here it is.")
    final = text_of(mailbox[3])
    assert "fulfilled" in mailbox[3]["Subject"]
    assert f"http://testserver.example{clip.get_absolute_url()}" in final
    assert "https://reports.example/al-amine.pdf" in final

    page = BeautifulSoup(client.get(link).content, "html.parser")
    assert "Fulfilled" in page.select_one(".request-status").get_text()
    assert page.select_one(f".results a[href='{clip.get_absolute_url()}']") is not None
    timeline = [li.get_text(" ", strip=True) for li in page.select(".timeline li")]
    assert [t.split(": ", 1)[1].split(" ")[0] for t in timeline] == ["New", "Assigned", "In", "Fulfilled"]
    assert "We are cutting it now." in timeline[2]
    html = page.decode()
    assert desk.username not in html and "Check the second half" not in html

    # Every change is in the history, attributed.
    statuses = inquiry.history.order_by("history_date", "history_id").values_list("status", flat=True)
    assert list(statuses) == ["new", "assigned", "in_progress", "in_progress", "fulfilled"]
    assert inquiry.history.filter(status="in_progress").first().history_user == desk


def test_declining_emails_the_reason(roles, mailbox, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        actions.change_status(inquiry, user=roles["desk"], status="declined", message="Outside our remit.")
    (message,) = mailbox
    assert message["To"] == "someone@example.org"
    assert "declined" in message["Subject"] and "Outside our remit." in text_of(message)
    inquiry.refresh_from_db()
    assert inquiry.status == "declined" and not inquiry.is_open


def test_nothing_is_emailed_when_the_change_is_rolled_back(
    roles, mailbox, django_capture_on_commit_callbacks
):
    inquiry = InquiryFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.change_status(inquiry, user=roles["desk"], status="declined")
        raise RuntimeError("something later in the same transaction failed")
    assert callbacks == [] and mailbox == []
    assert Inquiry.objects.get().status == "new"


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("new", "in_progress"),
        ("new", "fulfilled"),
        ("fulfilled", "declined"),
        ("declined", "new"),
        ("new", "bogus"),
    ],
)
def test_the_workflow_refuses_other_moves(roles, start, target):
    inquiry = InquiryFactory(status=start)
    with pytest.raises(ValidationError):
        actions.change_status(inquiry, user=roles["desk"], status=target)
    assert Inquiry.objects.get().status == start


def test_assigned_needs_an_assignee_and_only_desk_staff_can_be_one(roles):
    inquiry = InquiryFactory()
    with pytest.raises(ValidationError, match="Choose who works"):
        actions.change_status(inquiry, user=roles["desk"], status="assigned")
    with pytest.raises(ValidationError, match="cannot work requests"):
        actions.assign(inquiry, user=roles["desk"], assignee=roles["editor"])
    actions.assign(inquiry, user=roles["desk"], assignee=roles["admin"])
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assignee) == ("assigned", roles["admin"])


def test_reassigning_changes_no_status_and_sends_nothing(roles, mailbox, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory(status="in_progress", assignee=roles["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign(inquiry, user=roles["desk"], assignee=roles["desk"])
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assignee) == ("in_progress", roles["desk"])
    assert mailbox == []


def test_closed_requests_cannot_be_assigned(roles):
    with pytest.raises(ValidationError):
        actions.assign(InquiryFactory(status="fulfilled"), user=roles["desk"], assignee=roles["desk"])


@pytest.mark.parametrize("role", ["reader", "monitor", "translator", "editor", "publisher"])
def test_only_the_desk_may_work_requests(roles, role):
    inquiry = InquiryFactory()
    user = roles[role]
    with pytest.raises(PermissionDenied):
        actions.assign(inquiry, user=user, assignee=roles["desk"])
    with pytest.raises(PermissionDenied):
        actions.change_status(inquiry, user=user, status="declined")
    with pytest.raises(PermissionDenied):
        actions.set_result(inquiry, user=user, url="https://example.org/")
    with pytest.raises(PermissionDenied):
        actions.add_note(inquiry, user=user, text="x")
    assert Inquiry.objects.get().status == "new"


def test_result_urls_must_be_web_addresses(roles):
    with pytest.raises(ValidationError):
        actions.set_result(InquiryFactory(), user=roles["desk"], url="javascript:alert(1)")


def test_status_links_cannot_be_guessed_or_forged(client):
    inquiry = InquiryFactory()
    token = inquiry.status_token
    assert inquiry.public_id.hex in token and str(inquiry.pk) != token
    assert client.get(reverse("inquiries:status", args=[token])).status_code == 200
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("inquiries:status", args=[forged])).status_code == 404
    other = InquiryFactory()
    mixed = other.public_id.hex + token[len(inquiry.public_id.hex) :]
    assert client.get(reverse("inquiries:status", args=[mixed])).status_code == 404
    assert client.get(reverse("inquiries:status", args=["nothing"])).status_code == 404


def test_the_status_page_is_private(client):
    response = client.get(reverse("inquiries:status", args=[InquiryFactory().status_token]))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_an_unpublished_result_clip_is_not_shown_to_the_requester(client, roles):
    inquiry = InquiryFactory(status="in_progress", assignee=roles["desk"])
    draft = ClipFactory(title="Secret draft")
    actions.set_result(inquiry, user=roles["desk"], clip=draft)
    actions.change_status(inquiry, user=roles["desk"], status="fulfilled")
    html = client.get(reverse("inquiries:status", args=[inquiry.status_token])).content.decode()
    assert "Secret draft" not in html
