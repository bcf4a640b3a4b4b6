"""The interface language follows the launch, then the browser, then the default."""

from __future__ import annotations

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
