"""Interface language: the LMS launch's locale, then the browser's, then the default."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_babel import Babel

from .config import RTL_LOCALES, SUPPORTED_LOCALES

_BY_LANGUAGE = {code.split("_")[0]: code for code in SUPPORTED_LOCALES if "_" not in code}


#: Each language by its own name, as a language menu shows it.
LANGUAGE_NAMES = {
    "en": "English", "sr": "Српски", "sr_Latn": "Srpski", "pt": "Português", "fr": "Français",
    "es": "Español", "ar": "العربية",
}


_LATIN = dict(zip(
    "абвгдђежзијклљмнњопрстћуфхцчџш",
    "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š".split(),
))


def to_latin(text: str) -> str:
    """Transliterate Serbian Cyrillic to Serbian Latin; other characters stay as they are."""
    out: list[str] = []
    for index, char in enumerate(text):
        latin = _LATIN.get(char.lower())
        if latin is None:
            out.append(char)
        elif not char.isupper():
            out.append(latin)
        elif len(latin) == 1:
            out.append(latin.upper())
        else:
            # Љ is "LJ" inside a word in capitals, "Lj" at the start of a capitalised word.
            neighbours = text[index + 1:index + 2] + text[max(index - 1, 0):index]
            out.append(latin.upper() if any(c.isupper() for c in neighbours) else latin.capitalize())
    return "".join(out)


def normalise_locale(tag: str | None) -> str | None:
    """Map a BCP 47 or POSIX tag ('pt-BR', 'sr_Latn_RS', 'en_US.UTF-8') to a supported locale."""
    if not tag or not isinstance(tag, str):
        return None
    parts = [p for p in tag.split(".")[0].replace("-", "_").split("_") if p]
    if not parts:
        return None
    language = parts[0].lower()
    if language == "sr" and any(p.lower() == "latn" for p in parts[1:]):
        return "sr_Latn"
    return _BY_LANGUAGE.get(language)


def select_locale() -> str:
    launch = g.get("launch")
    chosen = g.get("chosen_locale")
    for candidate in (chosen, launch.locale if launch else None):
        found = normalise_locale(candidate)
        if found:
            return found
    for tag, _quality in request.accept_languages:
        found = normalise_locale(tag)
        if found:
            return found
    return current_app.config["DEFAULT_LOCALE"]


def text_direction(locale: str) -> str:
    return "rtl" if str(locale).split("_")[0] in RTL_LOCALES else "ltr"


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = app.config["TRANSLATIONS_DIR"]
    Babel(app, locale_selector=select_locale)
