"""In Chromium with default settings, the tool launches inside a cross-site LMS iframe.

The platform is on 127.0.0.1 and the tool on localhost: two different sites, so every
cookie the tool sets inside the iframe is a third-party cookie.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.platform import INSTRUCTOR

pytestmark = pytest.mark.browser


def tool_frame(page, live):
    page.wait_for_function(
        "() => { const f = document.getElementById('tool'); return f && f.contentWindow && true; }"
    )
    return page.frame_locator("#tool")


def test_embedded_launch_with_partitioned_cookie(page, live, platform):
    hint = platform.prepare(sub="student-embedded")
    page.goto(f"{platform.url}/course/{hint}")
    frame = tool_frame(page, live)
    title = frame.locator(".module-title")
    title.wait_for(timeout=15000)
    assert title.inner_text() == "Lateral reading and click restraint"
    assert "Page 1 of 5" in frame.locator("main").inner_text()
    screenshot(page, "embedded-launch")


def test_an_embedded_teacher_launch_lands_on_the_teacher_view(page, live, platform):
    hint = platform.prepare(roles=INSTRUCTOR)
    page.goto(f"{platform.url}/course/{hint}")
    frame = tool_frame(page, live)
    frame.locator("h1", has_text="Lateral reading and click restraint").wait_for(timeout=15000)
    assert "Preview as a student" in frame.locator("main").inner_text()


def test_embedded_launch_through_platform_storage_when_cookies_are_lost(page, live, platform):
    # Lose every cookie on the way to the launch, as a browser that blocks them all would.
    posts = []

    def lose_cookies(route, request):
        posts.append(request.post_data_json or request.post_data)
        page.context.clear_cookies()
        route.continue_()

    page.route(f"{live.url}/lti/launch", lose_cookies)
    hint = platform.prepare()
    page.goto(f"{platform.url}/course/{hint}?storage=1")
    title = tool_frame(page, live).locator(".module-title")
    title.wait_for(timeout=15000)
    assert title.inner_text() == "Lateral reading and click restraint"
    # First the platform's form post, then the tool's own confirmation after reading storage.
    assert len(posts) == 2 and "storage_check" in str(posts[1])


def test_without_cookies_or_storage_the_new_window_fallback_works(page, live, platform):
    def lose_cookies_in_frame(route, request):
        # Only inside the LMS page: the new window is first-party and keeps its cookies.
        if request.frame.parent_frame is not None:
            page.context.clear_cookies()
        route.continue_()

    page.route(f"{live.url}/lti/launch", lose_cookies_in_frame)
    hint = platform.prepare()
    page.goto(f"{platform.url}/course/{hint}")
    frame = tool_frame(page, live)
    button = frame.get_by_role("link", name="Open the activity in a new window")
    button.wait_for(timeout=15000)
    with page.context.expect_page() as popup_info:
        button.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    popup.locator(".module-title").wait_for(timeout=15000)
    assert popup.locator(".module-title").inner_text() == "Lateral reading and click restraint"
