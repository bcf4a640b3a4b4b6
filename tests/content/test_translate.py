"""Module translations: PO catalogs applied string by string, English wherever one is unusable."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from lti_app.content import load_module, translatable_strings
from lti_app.content.translate import module_po, translate, update_po

MODULES = Path(__file__).resolve().parents[2] / "modules"


def _module(tmp_path: Path):
    folder = tmp_path / "lateral-reading"
    shutil.copytree(MODULES / "lateral-reading", folder, ignore=shutil.ignore_patterns("locales"))
    return load_module(folder)


def _write(path: Path, entries: dict[str, str], fuzzy: set[str] = frozenset(), msgids: dict[str, str] | None = None,
           module=None) -> None:
    strings = translatable_strings(module)
    update_po(path, strings, path.stem, "test")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.context in entries:
            message.string = entries[message.context]
            if message.context in fuzzy:
                message.flags.add("fuzzy")
            if msgids and message.context in msgids:
                message.id = msgids[message.context]
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0)
    path.write_bytes(buffer.getvalue())


def test_translated_strings_replace_the_english_and_the_rest_stays_english(tmp_path):
    module = _module(tmp_path)
    question = module.quiz.questions[0]
    _write(module_po(module.folder, "fr"), {
        "title": "Lecture latérale",
        f"quiz.{question.id}.prompt": "Remets les étapes dans l'ordre.",
        "summary": "Un résumé encore à relire.",
    }, fuzzy={"summary"}, module=module)
    french, coverage, errors = translate(module, module_po(module.folder, "fr"), "fr")
    assert not errors
    assert french.title == "Lecture latérale"
    assert french.quiz.questions[0].prompt == "Remets les étapes dans l'ordre."
    assert french.summary == module.summary  # fuzzy: not used
    assert french.tip == module.tip  # not translated: English shows
    assert coverage.translated == 2 and coverage.fuzzy == 1 and not coverage.complete
    # Structure and answers are the English module's, so scoring is unchanged.
    assert [q.id for q in french.questions()] == [q.id for q in module.questions()]
    assert french.quiz.questions[0].order == question.order


def test_a_translation_of_an_older_english_string_is_not_used(tmp_path):
    module = _module(tmp_path)
    _write(module_po(module.folder, "pt"), {"tip": "Abra uma nova aba."},
           msgids={"tip": "An older tip that has since been rewritten."}, module=module)
    portuguese, coverage, _errors = translate(module, module_po(module.folder, "pt"), "pt")
    assert portuguese.tip == module.tip and coverage.stale == 1


def test_a_page_whose_components_changed_stays_in_english_and_is_reported(tmp_path):
    module = _module(tmp_path)
    hook = module.pages[0]
    broken = hook.body.replace("likes: 18400", "likes: 99").replace("Imagine", "Imagina")
    fine = module.pages[1].body.replace("the", "la")
    _write(module_po(module.folder, "es"), {f"pages.{hook.id}.body": broken,
                                            f"pages.{module.pages[1].id}.body": fine}, module=module)
    spanish, coverage, errors = translate(module, module_po(module.folder, "es"), "es")
    assert spanish.pages[0].body == hook.body and spanish.pages[0].blocks == hook.blocks
    assert spanish.pages[1].body == fine
    assert len(errors) == 1 and "block 2 (post)" in str(errors[0]) and "locales/es.po" in str(errors[0])
    assert coverage.translated == 1


def test_a_translated_account_name_gets_its_own_initials(tmp_path):
    module = _module(tmp_path)
    hook = module.pages[0]
    body = hook.body.replace("display_name: Pure Water Truth", "display_name: Vérité Eau Pure")
    _write(module_po(module.folder, "fr"), {f"pages.{hook.id}.body": body}, module=module)
    french, _coverage, errors = translate(module, module_po(module.folder, "fr"), "fr")
    post = next(b for b in french.pages[0].blocks if b.component == "post")
    assert not errors and post.display_name == "Vérité Eau Pure" and post.initials == "VE"


def test_serbian_latin_is_made_from_serbian_cyrillic(tmp_path):
    module = _module(tmp_path)
    _write(module_po(module.folder, "sr"), {"title": "Латерално читање и уздржано кликање"}, module=module)
    latin, coverage, _errors = translate(module, module_po(module.folder, "sr_Latn"), "sr_Latn")
    assert latin.title == "Lateralno čitanje i uzdržano klikanje"
    assert coverage.translated == 1
    assert not module_po(module.folder, "sr_Latn").exists()  # never written by hand


def test_refreshing_a_catalog_keeps_translations_and_marks_changed_english_fuzzy(tmp_path):
    module = _module(tmp_path)
    path = module_po(module.folder, "fr")
    _write(path, {"title": "Lecture latérale", "tip": "Ouvre un nouvel onglet."}, module=module)
    strings = dict(translatable_strings(module), tip="A rewritten tip.")
    update_po(path, strings, "fr", "test")
    with path.open("rb") as handle:
        catalog = read_po(handle)
    by_path = {m.context: m for m in catalog if m.id}
    assert by_path["title"].string == "Lecture latérale" and not by_path["title"].fuzzy
    assert by_path["tip"].id == "A rewritten tip." and by_path["tip"].fuzzy
    assert by_path["tip"].string == "Ouvre un nouvel onglet."
    assert set(by_path) == set(strings)
