"""Every language is complete: the interface catalogs, the modules, the Pact, the guides, the glossaries."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from lti_app.config import SUPPORTED_LOCALES
from lti_app.content.check import check_modules
from lti_app.i18n import catalog_path, derive_catalog, interface_problems

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
#: Teacher guides are written in these languages (Serbian Latin is derived from Serbian).
GUIDE_LOCALES = ("en", "sr", "pt", "fr")


def test_every_interface_string_is_translated_in_every_language():
    assert interface_problems(TRANSLATIONS) == []


def test_the_template_holds_every_string_the_code_uses(tmp_path):
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "--omit-header", "-o", str(fresh), str(ROOT),
    ])

    def ids(path: Path) -> set:
        with path.open("rb") as handle:
            return {(m.context, str(m.id)) for m in read_po(handle) if m.id}

    assert ids(fresh) == ids(TRANSLATIONS / "messages.pot"), "run 'milclicks translations update'"


def test_the_check_finds_a_missing_a_fuzzy_and_a_broken_string(tmp_path):
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder)
    path = catalog_path(folder, "fr")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    messages = [m for m in catalog if m.id and isinstance(m.id, str)]
    formatted = next(m for m in messages[2:] if "%(" in m.id)
    messages[0].string = ""
    messages[1].flags.add("fuzzy")
    formatted.string = formatted.string.replace("%(", "%(wrong")
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())
    problems = interface_problems(folder)
    assert any(p.startswith("fr: not translated") for p in problems)
    assert any(p.startswith("fr: fuzzy") for p in problems)
    assert any(p.startswith(f"fr: {formatted.id!r}") for p in problems)


def test_serbian_latin_is_the_transliteration_of_serbian():
    assert catalog_path(TRANSLATIONS, "sr_Latn").read_bytes() == derive_catalog(TRANSLATIONS, "sr_Latn")


def test_every_module_and_the_pact_are_complete_in_every_language():
    ok, lines = check_modules(ROOT / "modules", ROOT / "teacher_guides")
    incomplete = [line for line in lines if "languages:" in line and line.count("100%") != len(SUPPORTED_LOCALES) - 1]
    assert ok and not incomplete, "\n".join(incomplete + [line for line in lines if line.startswith("error")])


def test_every_guide_is_written_in_every_guide_language():
    english = {p.name for p in (ROOT / "teacher_guides" / "en").glob("*.md")}
    for locale in GUIDE_LOCALES:
        assert {p.name for p in (ROOT / "teacher_guides" / locale).glob("*.md")} == english, locale


@pytest.mark.parametrize("locale", [loc for loc in SUPPORTED_LOCALES if loc not in ("en", "sr_Latn")])
def test_each_language_has_a_glossary_of_every_key_term(locale):
    terms = yaml.safe_load((TRANSLATIONS / "glossary" / "terms.yaml").read_text(encoding="utf-8"))["terms"]
    glossary = yaml.safe_load((TRANSLATIONS / "glossary" / f"{locale}.yaml").read_text(encoding="utf-8"))
    assert glossary["locale"] == locale
    assert list(glossary["terms"]) == list(terms)
    assert all(str(entry.get("term", "")).strip() for entry in glossary["terms"].values())
