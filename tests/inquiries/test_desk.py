"""The staff desk under /desk/: who may see and work it, the queue, and its forms."""

import pytest
from bs4 import BeautifulSoup
from django.shortcuts import resolve_url
from django.urls import reverse

from clipdesk.inquiries.models import Inquiry, InquiryNote
from factories.archive import ClipFactory
from factories.inquiries import InquiryFactory, TranslationReportFactory

pytestmark = pytest.mark.django_db

MAY_WORK_THE_DESK = {"desk", "admin"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def desk_urls():
    inquiry = InquiryFactory()
    report = TranslationReportFactory()
    return [
        reverse("inquiries:desk"),
        reverse("inquiries:desk-request", args=[inquiry.pk]),
        reverse("inquiries:desk-report", args=[report.pk]),
        reverse("admin:inquiries_inquiry_changelist"),
        reverse("admin:inquiries_inquiry_change", args=[inquiry.pk]),
        reverse("admin:inquiries_translationreport_changelist"),
    ]


def test_anonymous_visitors_are_sent_to_the_login(client, desk_urls, settings):
    for url in desk_urls:
        response = client.get(url)
        login = reverse("admin:login") if url.startswith("/staff/admin/") else resolve_url(settings.LOGIN_URL)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url


def test_each_role_sees_the_desk_only_with_its_permissions(client, roles, desk_urls):
    assert {"desk", "admin", "reader", "editor"} <= set(roles)
    for name, user in roles.items():
        client.force_login(user)
        for url in desk_urls:
            status = client.get(url).status_code
            if name in MAY_WORK_THE_DESK:
                assert status == 200, (name, url)
            elif name == "reader" and url.startswith("/staff/admin/"):
                assert status == 302, (name, url)  # not staff: the admin sends them to its login
            else:
                assert status == 403, (name, url)


@pytest.mark.parametrize("op", ["assign", "status", "result", "note"])
def test_staff_without_the_permission_cannot_post(client, roles, op):
    inquiry = InquiryFactory()
    url = reverse("inquiries:desk-request", args=[inquiry.pk])
    data = {
        "op": op,
        "assign-assignee": roles["desk"].pk,
        "status-status": "declined",
        "result-url": "https://example.org/",
        "note-text": "x",
    }
    assert client.post(url, data).status_code == 302  # anonymous: to the login
    for name in ("reader", "editor", "publisher"):
        client.force_login(roles[name])
        assert client.post(url, data).status_code == 403, name
    inquiry.refresh_from_db()
    assert inquiry.status == "new" and inquiry.result_url == "" and not InquiryNote.objects.exists()


def test_report_pages_refuse_posts_without_the_permission(client, roles):
    report = TranslationReportFactory()
    client.force_login(roles["editor"])
    url = reverse("inquiries:desk-report", args=[report.pk])
    assert client.post(url, {"status": "dismissed"}).status_code == 403
    report.refresh_from_db()
    assert report.status == "new"


def test_the_queue_lists_open_requests_soonest_deadline_first_without_email_addresses(client, roles):
    import datetime as dt

    today = dt.date.today()
    later = InquiryFactory(deadline=today + dt.timedelta(days=20), organisation="Later Org")
    sooner = InquiryFactory(deadline=today + dt.timedelta(days=2), organisation="Sooner Org")
    undated = InquiryFactory(deadline=None, organisation="Undated Org")
    InquiryFactory(status="fulfilled", organisation="Done Org")
    client.force_login(roles["desk"])
    page = soup(client.get(reverse("inquiries:desk")))
    rows = [row.get_text(" ", strip=True) for row in page.select("tr.inquiry")]
    assert [r.split(" ")[0] for r in rows] == [f"#{sooner.pk}", f"#{later.pk}", f"#{undated.pk}"]
    assert "Done Org" not in page.get_text()
    assert "@" not in page.select_one("main").get_text()
    everything = soup(client.get(reverse("inquiries:desk"), {"status": "all"}))
    assert len(everything.select("tr.inquiry")) == 4
    done = soup(client.get(reverse("inquiries:desk"), {"status": "fulfilled"}))
    assert [r.get_text(" ", strip=True) for r in done.select("tr.inquiry td:nth-of-type(3)")] == [
        "Done Org (Media)"
    ]


def test_the_queue_filters_my_requests(client, roles):
    mine = InquiryFactory(status="assigned", assignee=roles["desk"])
    InquiryFactory(status="assigned", assignee=roles["admin"])
    client.force_login(roles["desk"])
    page = soup(client.get(reverse("inquiries:desk"), {"mine": "1"}))
    assert [a.get_text() for a in page.select("tr.inquiry a")] == [f"#{mine.pk}"]


def test_the_queue_shows_open_translation_reports(client, roles):
    report = TranslationReportFactory(note="Wrong verb <b>here</b>")
    TranslationReportFactory(status="dismissed", note="Old report")
    client.force_login(roles["desk"])
    response = client.get(reverse("inquiries:desk"))
    rows = soup(response).select("tr.report")
    assert len(rows) == 1
    assert rows[0].select_one("a")["href"] == reverse("inquiries:desk-report", args=[report.pk])
    assert f"{report.clip.reference} line {report.position + 1}" in rows[0].get_text()
    assert b"<b>here</b>" not in response.content and b"&lt;b&gt;here" in response.content


def test_the_queue_runs_a_fixed_number_of_queries(client, roles, django_assert_max_num_queries):
    client.force_login(roles["desk"])
    InquiryFactory(status="assigned", assignee=roles["desk"])
    TranslationReportFactory()
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("inquiries:desk"))
    for _ in range(8):
        InquiryFactory(status="assigned", assignee=roles["admin"])
        TranslationReportFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("inquiries:desk")).status_code == 200


def test_working_a_request_through_the_desk_forms(client, roles, mailbox, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory(email="req@example.net")
    clip = ClipFactory(published=True)
    url = reverse("inquiries:desk-request", args=[inquiry.pk])
    client.force_login(roles["desk"])
    page = soup(client.get(url))
    assert page.select_one("a[href='mailto:req@example.net']") is not None
    assert {o["value"] for o in page.select("[name=status-status] option")} == {"declined"}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"op": "assign", "assign-assignee": roles["desk"].pk}, follow=True)
    assert "Assigned to desk." in soup(response).select_one(".messages").get_text()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"op": "status", "status-status": "in_progress", "status-message": "On it."})
    client.post(url, {"op": "result", "result-clip": str(clip.number), "result-url": ""})
    client.post(url, {"op": "note", "note-text": "Translator: Hana"})
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.assignee, inquiry.result_clip) == ("in_progress", roles["desk"], clip)
    assert inquiry.notes.get().text == "Translator: Hana" and inquiry.notes.get().author == roles["desk"]
    assert [m["Subject"].split(" |")[0] for m in mailbox] == [
        "Your request is assigned",
        "Your request is in progress",
    ]
    page = soup(client.get(url))
    assert "Translator: Hana" in page.select_one("#notes-title").find_parent("section").get_text()
    assert page.select_one("[name=result-clip]")["value"] == f"#{clip.number}"


def test_a_refused_desk_form_keeps_what_was_typed(client, roles):
    inquiry = InquiryFactory(status="assigned", assignee=roles["desk"])
    url = reverse("inquiries:desk-request", args=[inquiry.pk])
    client.force_login(roles["desk"])
    response = client.post(
        url, {"op": "result", "result-clip": "999999", "result-url": "ftp://files.example/x"}
    )
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one("[name=result-clip]")["value"] == "999999"
    assert "No clip 999999" in page.get_text()
    response = client.post(url, {"op": "status", "status-status": "bogus", "status-message": "Long reply"})
    assert response.status_code == 400
    assert soup(response).select_one("textarea[name=status-message]").get_text().strip() == "Long reply"
    assert Inquiry.objects.get().status == "assigned"


def test_closing_a_translation_report_on_the_desk(client, roles, mailbox, django_capture_on_commit_callbacks):
    report = TranslationReportFactory(reporter_email="reader@example.com")
    url = reverse("inquiries:desk-report", args=[report.pk])
    client.force_login(roles["desk"])
    page = soup(client.get(url))
    assert report.quoted_english in page.select_one(".english").get_text()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "corrected", "message": "Fixed, thank you."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "corrected" and report.history.first().history_user == roles["desk"]
    (message,) = mailbox
    assert message["To"] == "reader@example.com"
    assert "Fixed, thank you." in message.get_body(preferencelist=("plain",)).get_content()
    again = client.post(url, {"status": "dismissed", "message": ""})
    assert again.status_code == 400 and "already corrected" in soup(again).get_text()


def test_desk_and_status_pages_keep_the_strict_csp(client, roles):
    inquiry = InquiryFactory(details="<script>alert(1)</script>")
    report = TranslationReportFactory(note="<img src=x onerror=alert(1)>")
    client.force_login(roles["desk"])
    urls = [
        reverse("inquiries:desk"),
        reverse("inquiries:desk-request", args=[inquiry.pk]),
        reverse("inquiries:desk-report", args=[report.pk]),
        reverse("inquiries:status", args=[inquiry.status_token]),
    ]
    for url in urls:
        response = client.get(url)
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
        page = soup(response)
        assert all(s.get("src") and not s.string for s in page.find_all("script")), url
        assert not page.find_all("style") and not page.find_all(attrs={"style": True}), url
        assert not any(a.startswith("on") for tag in page.find_all(True) for a in tag.attrs), url
        assert b"<script>alert" not in response.content and b"<img src=x" not in response.content, url
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"], url


def test_the_admin_shows_requests_read_only_and_points_to_the_desk(client, roles):
    inquiry = InquiryFactory()
    client.force_login(roles["admin"])
    assert client.get(reverse("admin:inquiries_inquiry_add")).status_code == 403
    page = client.get(reverse("admin:inquiries_inquiry_change", args=[inquiry.pk]))
    assert b'name="_save"' not in page.content
    assert soup(page).select_one(f"a[href='{inquiry.get_absolute_url()}']") is not None
    changelist = soup(client.get(reverse("admin:inquiries_inquiry_changelist")))
    assert "@" not in changelist.select_one("#changelist").get_text()


def test_each_message_is_shown_once(client, roles):
    inquiry = InquiryFactory()
    report = TranslationReportFactory()
    client.force_login(roles["desk"])
    url = reverse("inquiries:desk-request", args=[inquiry.pk])
    response = client.post(url, {"op": "note", "note-text": "Call them back."}, follow=True)
    assert response.content.decode().count("Note added.") == 1
    url = reverse("inquiries:desk-report", args=[report.pk])
    response = client.post(url, {"status": "dismissed", "message": ""}, follow=True)
    assert response.content.decode().count("Report closed.") == 1


def test_the_history_says_what_each_save_changed(client, roles, django_capture_on_commit_callbacks):
    inquiry = InquiryFactory()
    clip = ClipFactory(published=True)
    url = reverse("inquiries:desk-request", args=[inquiry.pk])
    client.force_login(roles["desk"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"op": "assign", "assign-assignee": roles["desk"].pk})
        client.post(url, {"op": "status", "status-status": "in_progress", "status-message": "On it."})
    result = {"op": "result", "result-clip": str(clip.number), "result-url": ""}
    client.post(url, result)
    client.post(url, result)  # saved again unchanged: no new entry
    assert inquiry.history.count() == 4

    entries = [li.get_text(" ", strip=True) for li in soup(client.get(url)).select(".timeline li")]
    assert len(entries) == 4
    assert f"Result: {clip.reference}" in entries[0] and "In progress" not in entries[0]
    assert [e for e in entries if "In progress" in e] == [entries[1]]
    assert "On it." in entries[1]
    assert "Assigned" in entries[2] and "desk" in entries[2]
    assert "Received" in entries[3] and "by the requester" in entries[3]
