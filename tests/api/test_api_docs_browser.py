"""The browsable docs in a real browser, under the site's Content-Security-Policy: Swagger UI loads from
our static files, lists every operation, and runs one, with no policy violation and no outside request."""

import pytest

from factories.archive import ClipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_works_under_the_content_security_policy(page, live_server, settings):
    if "ninja" not in settings.INSTALLED_APPS:  # its template and static files, as in test_api_schema
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "ninja"]
    ClipFactory(title="Interview on the fighting", published=True)
    problems, elsewhere = [], []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto(live_server.url + "/api/docs")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/clips", "/api/clips/{ref}", "/api/people", "/api/topics/{slug}"} <= {
        p.strip() for p in paths
    }
    # Try one out: Swagger UI calls the API from the page, which connect-src 'self' allows.
    page.locator(".opblock-summary-path", has_text="/api/topics").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table tbody .response-col_status")
    assert (
        page.locator(".live-responses-table tbody .response-col_status").first.inner_text().strip() == "200"
    )
    assert problems == []  # a blocked script or style would be reported here
    assert elsewhere == []
