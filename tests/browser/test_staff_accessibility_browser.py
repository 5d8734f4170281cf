"""axe-core on every staff page of clipdesk's own (the Django admin aside), in Chromium, at desktop
and phone sizes: no critical or serious violation.

The pages are filled as staff see them on a working day: a draft with video and lines to check in the
editor, a published clip with pending changes, a find-and-replace preview, an ingest job, the desk's
request and report. axe-core is the copy vendored for the public pages' test; the figures are written
to var/test-artifacts/axe-staff-*.json.
"""

import json
from pathlib import Path

import pytest

from clipdesk.archive import actions as archive_actions
from clipdesk.transcripts import actions
from factories.archive import ClipFactory, UserFactory
from factories.ingest import IngestJobFactory
from factories.inquiries import InquiryFactory, TranslationReportFactory
from factories.media import attach_test_video
from support import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
BLOCKING = {"critical", "serious"}
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def chief(db):
    """A member of staff who may see every staff page."""
    return UserFactory(username="chief-of-desk", is_superuser=True)


@pytest.fixture
def staff_pages(timed_clip, tmp_path, media_root, chief):
    attach_test_video(timed_clip, tmp_path, seconds=8)
    published = ClipFactory(title="Published statement", duration_ms=8000)
    published = archive_actions.publish_clip(published, user=None)
    draft = timed_clip
    line = draft.segments.order_by("position").first()
    draft.segments.filter(pk=line.pk).update(original_origin="machine", english_origin="machine")
    inquiry = InquiryFactory()
    report = TranslationReportFactory()
    job = IngestJobFactory()
    edited = ClipFactory(title="Corrected clip", duration_ms=4000)
    from factories.transcripts import SegmentFactory

    segment = SegmentFactory(clip=edited, position=0, start_ms=0, end_ms=2000, english_text="Hello.")
    edited = archive_actions.publish_clip(edited, user=None)
    actions.edit_segment(segment.pk, user=chief, version=1, english_text="Hello there.")
    return {
        "sign in": "/staff/login/",
        "worklist": "/staff/work/",
        "worklist, drafts": "/staff/work/?status=draft",
        "worklist, import review": "/staff/work/?review=import",
        "draft quality": "/staff/quality/",
        "editor, draft": f"/staff/clips/id:{draft.pk}/edit/",
        "editor, published": f"/staff/clips/id:{published.pk}/edit/",
        "editor, pending correction": f"/staff/clips/id:{edited.pk}/edit/",
        "find and replace": f"/staff/clips/id:{draft.pk}/replace/?language=english&find=Thank&replace=Thanks",
        "find and replace, nothing found": f"/staff/clips/id:{draft.pk}/replace/?language=original&find=zzz",
        "ingest": "/staff/ingest/",
        "ingest job": f"/staff/ingest/{job.pk}/",
        "two-factor": "/staff/two-factor/",
        "desk": "/desk/",
        "desk request": f"/desk/requests/{inquiry.pk}/",
        "desk report": f"/desk/reports/{report.pk}/",
    }


def axe(page) -> list[dict]:
    page.evaluate(AXE_SOURCE)  # by DevTools: the page's CSP stays in force
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ['violations'] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5), count: v.nodes.length,
            }));
        }"""
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violation_on_any_staff_page(
    new_page, live_server, staff_pages, chief, viewport
):
    page = new_page(viewport=viewport)
    found: dict[str, list[dict]] = {}
    for name, url in staff_pages.items():
        if name == "sign in":
            response = page.goto(live_server.url + url)
            login(page, live_server, chief)
        else:
            response = page.goto(live_server.url + url)
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("load")
        found[name] = axe(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = "desktop" if viewport is DESKTOP else "phone"
    (ARTIFACTS / f"axe-staff-{size}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    failures = {
        name: [v for v in violations if v["impact"] in BLOCKING] for name, violations in found.items()
    }
    assert {name: v for name, v in failures.items() if v} == {}
