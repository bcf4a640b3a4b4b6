"""The interface language follows the launch, then the browser, then the default."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask_babel import get_locale, refresh

from lti_app.i18n import normalise_locale, text_direction
from tests.conftest import LaunchDriver
from tests.platform import LTI


@pytest.mark.parametrize(
    "tag, expected",
    [("pt-BR", "pt"), ("fr_CA", "fr"), ("sr-Latn-RS", "sr_Latn"), ("sr_RS", "sr"), ("sr-Cyrl", "sr"),
     ("ar-EG", "ar"), ("en_US.UTF-8", "en"), ("ES", "es"), ("de-DE", None), ("", None), (None, None)],
)
def test_normalise_locale(tag, expected):
    assert normalise_locale(tag) == expected


def test_accept_language_then_default(app):
    with app.test_request_context(headers={"Accept-Language": "de-DE, fr;q=0.8"}):
        assert str(get_locale()) == "fr"
    with app.test_request_context(headers={"Accept-Language": "de-DE"}):
        assert str(get_locale()) == "en"


def test_launch_locale_wins_over_the_browser(driver: LaunchDriver, app):
    launch_id = driver.launch_id(claims={LTI + "launch_presentation": {"locale": "pt-BR"}})
    page = driver.client.get(f"/l/{launch_id}/", headers={"Accept-Language": "fr"}, follow_redirects=True)
    assert '<html lang="pt" dir="ltr">' in page.get_data(as_text=True)


def test_arabic_pages_are_right_to_left(driver: LaunchDriver):
    launch_id = driver.launch_id(claims={LTI + "launch_presentation": {"locale": "ar"}})
    page = driver.client.get(f"/l/{launch_id}/", follow_redirects=True)
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)
    assert text_direction("ar") == "rtl" and text_direction("sr_Latn") == "ltr"


def _lesson(driver: LaunchDriver, locale: str, module_id: str = "how-do-you-know") -> tuple[str, str]:
    claims = {LTI + "launch_presentation": {"locale": locale}, LTI + "custom": {"module_id": module_id}}
    launch_id = driver.launch_id(claims=claims)
    return launch_id, driver.client.get(f"/l/{launch_id}/lesson/1").get_data(as_text=True)


def test_a_french_launch_shows_the_interface_and_the_module_in_french(driver: LaunchDriver, app):
    from lti_app import content

    _launch_id, page = _lesson(driver, "fr-CA")
    with app.test_request_context():
        module = content.catalogue().get("how-do-you-know")
        french = content.localized(module, locale="fr")
    assert '<html lang="fr" dir="ltr">' in page
    assert french.title != module.title and french.title in page
    assert french.pages[0].title in page and module.pages[0].title not in page
    assert "Langue" in page  # the language menu, in French


def test_the_language_menu_switches_for_the_rest_of_the_launch(driver: LaunchDriver):
    launch_id, page = _lesson(driver, "en-GB")
    csrf = _csrf(page)
    resp = driver.client.post(f"/l/{launch_id}/language",
                              data={"csrf": csrf, "locale": "sr_Latn", "next": f"/l/{launch_id}/lesson/1"})
    assert resp.status_code == 303 and resp.headers["Location"] == f"/l/{launch_id}/lesson/1"
    later = driver.client.get(f"/l/{launch_id}/quiz").get_data(as_text=True)
    assert '<html lang="sr-Latn" dir="ltr">' in later
    text = re.sub(r"<select.*?</select>", "", later, flags=re.S)  # the menu names Српски in its own script
    assert not any("\u0400" <= char <= "\u04ff" for char in text)  # Latin script only, no Cyrillic


def test_the_language_menu_refuses_bad_posts(driver: LaunchDriver):
    launch_id, page = _lesson(driver, "en")
    csrf = _csrf(page)
    assert driver.client.post(f"/l/{launch_id}/language", data={"locale": "fr"}).status_code == 400
    bad = driver.client.post(f"/l/{launch_id}/language", data={"csrf": csrf, "locale": "klingon"})
    assert bad.status_code == 400 and "Unknown language" in bad.get_data(as_text=True)
    away = driver.client.post(f"/l/{launch_id}/language",
                              data={"csrf": csrf, "locale": "fr", "next": "//evil.example/x"})
    assert away.status_code == 303 and away.headers["Location"].startswith(f"/l/{launch_id}/")
    other = driver.client.post(f"/l/{launch_id}/language",
                               data={"csrf": csrf, "locale": "fr", "next": "/l/launch-someone-else/lesson/1"})
    assert other.headers["Location"].startswith(f"/l/{launch_id}/")


def test_numbers_are_formatted_for_the_locale(app):
    from flask_babel import format_decimal, format_percent

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert format_percent(0.5) == "50\xa0%"
        assert format_decimal(1234.5) == "1\u202f234,5"
    with app.test_request_context(headers={"Accept-Language": "pt"}):
        assert format_decimal(1234.5) == "1.234,5"


def test_arabic_keeps_handles_and_urls_left_to_right(driver: LaunchDriver):
    _launch_id, page = _lesson(driver, "ar", "lateral-reading")
    assert '<html lang="ar" dir="rtl">' in page
    assert 'dir="ltr">@purewatertruth</bdi>' in page


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)
