"""Interface language: the LMS launch's locale, then the browser's, then the default."""

from __future__ import annotations

import io
from pathlib import Path

from babel import support
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Blueprint, Flask, abort, current_app, g, redirect, request, url_for
from flask_babel import Babel, Domain, get_locale, gettext

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


#: Locales whose catalog is made from another's by transliteration: locale -> (base, function).
DERIVED_CATALOGS = {"sr_Latn": ("sr", to_latin)}


def catalog_path(translations_dir: Path | str, locale: str) -> Path:
    return Path(translations_dir) / locale / "LC_MESSAGES" / "messages.po"


def load_translations(translations_dir: Path | str, locale: str) -> support.NullTranslations:
    """Compile a locale's PO catalog in memory; fuzzy entries are left out, as gettext does."""
    path = catalog_path(translations_dir, locale)
    if not path.is_file():
        return support.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return support.Translations(compiled)


def derive_catalog(translations_dir: Path | str, locale: str) -> bytes:
    """Return the PO catalog of a derived locale, made from its base locale's catalog."""
    base, convert = DERIVED_CATALOGS[locale]
    with catalog_path(translations_dir, base).open("rb") as handle:
        source = read_po(handle, locale=base)
    derived = Catalog(locale=locale, project=source.project, version=source.version,
                      copyright_holder=source.copyright_holder, creation_date=source.creation_date,
                      revision_date=source.revision_date, fuzzy=False)
    for message in source:
        if not message.id:
            continue
        text = message.string
        converted = tuple(convert(part) for part in text) if isinstance(text, (list, tuple)) else convert(text or "")
        derived.add(message.id, converted, context=message.context, flags=message.flags,
                    auto_comments=message.auto_comments, user_comments=message.user_comments)
    out = io.BytesIO()
    write_po(out, derived, width=76, omit_header=False)
    return out.getvalue()


def interface_problems(translations_dir: Path | str) -> list[str]:
    """Return every interface string that is missing, empty, fuzzy or broken in a language's catalog."""
    folder = Path(translations_dir)
    with (folder / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    problems: list[str] = []
    for locale in SUPPORTED_LOCALES:
        if locale == "en":
            continue
        path = catalog_path(folder, locale)
        if not path.is_file():
            problems.append(f"{locale}: there is no {path}.")
            continue
        if locale in DERIVED_CATALOGS and path.read_bytes() != derive_catalog(folder, locale):
            problems.append(f"{locale}: {path} is out of date; run 'milclicks translations update'.")
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        found = set()
        for message in catalog:
            if not message.id:
                continue
            key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
            found.add(key)
            strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
            if message.fuzzy:
                problems.append(f"{locale}: fuzzy: {key[1]!r}")
            elif not all(strings):
                problems.append(f"{locale}: not translated: {key[1]!r}")
            else:
                problems += [f"{locale}: {key[1]!r}: {error}" for error in _format_errors(catalog, message)]
        problems += [f"{locale}: missing: {msgid!r}" for _ctx, msgid in sorted(wanted - found, key=str)]
    return problems


def _format_errors(catalog: Catalog, message) -> list[str]:
    from babel.messages.checkers import checkers

    errors = []
    for check in checkers:
        try:
            check(catalog, message)
        except Exception as exc:  # babel raises TranslationError with the reason
            errors.append(str(exc))
    return errors


class PoDomain(Domain):
    """Read the PO catalogs themselves, so a compiled catalog can never be missing or stale."""

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        key = str(locale)
        cache = self.get_translations_cache(None)
        if key not in cache:
            cache[key] = load_translations(self.translation_directories[0], key)
        return cache[key]


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = app.config["TRANSLATIONS_DIR"]
    babel = Babel(app, locale_selector=select_locale)
    babel.domain_instance = PoDomain()
    app.register_blueprint(bp)
    app.context_processor(language_menu)


bp = Blueprint("language", __name__)


@bp.post("/l/<launch_id>/language")
def choose(launch_id: str):
    """Switch the interface and the content to another language for the rest of this launch."""
    from .activity.views import csrf_token
    from .lti.launch import choose_locale, load_launch

    launch = load_launch(launch_id)
    if request.form.get("csrf") != csrf_token(launch):
        abort(400, gettext("The form was not sent from this activity's page. Go back, reload the page and try again."))
    locale = request.form.get("locale", "")
    if locale not in SUPPORTED_LOCALES:
        abort(400, gettext("Unknown language %(code)s. Choose one from the menu.", code=locale[:20]))
    choose_locale(launch, locale)
    back = request.form.get("next", "")
    # Only back to a page of this launch, never elsewhere.
    if not back.startswith(f"/l/{launch.id}/") or "//" in back or "\\" in back:
        back = url_for("activity.home", launch_id=launch.id)
    return redirect(back, 303)


def language_menu() -> dict[str, object]:
    """What the header's language menu needs."""
    return {"language_menu": [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LOCALES]}
