"""Content translations: one PO catalog per language beside the English, applied string by string.

A module's translations are ``modules/<id>/locales/<locale>.po``; the Pact's are
``modules/pact.<locale>.po``. Each entry's ``msgctxt`` is the string's stable path (see
``schema.translatable_strings``), its ``msgid`` the English and its ``msgstr`` the translation.
A translation is used only when it is filled in, not fuzzy, and made from the English as it is
now; anything else shows in English. Serbian Latin is derived from Serbian Cyrillic.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from ..config import SUPPORTED_LOCALES
from ..i18n import to_latin
from .components import default_initials, parse_blocks
from .fields import ContentError, Where
from .schema import LessonPage, Post, item_path, translatable_fields, translatable_strings

SOURCE_LANGUAGE = "en"
#: Locales derived from another by a one-to-one script change, never translated by hand.
DERIVED = {"sr_Latn": ("sr", to_latin)}
#: Locales a translator writes a catalog for.
TRANSLATED_LOCALES = tuple(lang for lang in SUPPORTED_LOCALES if lang != SOURCE_LANGUAGE and lang not in DERIVED)
PAGE_NOTE = (
    "A whole lesson page in Markdown. Translate the text and the text fields inside ```component blocks; "
    "keep the blocks, their keys, handles, numbers, URLs and image files as they are."
)


@dataclass(frozen=True)
class Coverage:
    """How much of one item's text a language has."""

    translated: int
    total: int
    #: Entries whose English changed since they were translated.
    stale: int = 0
    fuzzy: int = 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.translated == self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.translated / self.total)


def module_po(folder: Path, locale: str) -> Path:
    return folder / "locales" / f"{locale}.po"


def pact_po(modules_dir: Path, locale: str) -> Path:
    return modules_dir / f"pact.{locale}.po"


def template(strings: dict[str, str], project: str) -> Catalog:
    """Return the catalog a translator starts from: every English string under its path."""
    catalog = Catalog(project=project, copyright_holder="MIL CLICKS for LMS contributors", fuzzy=False)
    for path, text in strings.items():
        notes = (PAGE_NOTE,) if path.startswith("pages.") and path.endswith(".body") else ()
        catalog.add(text, context=path, auto_comments=notes)
    return catalog


def update_po(path: Path, strings: dict[str, str], locale: str, project: str) -> None:
    """Create or refresh ``path`` so it has every current string; changed English turns fuzzy."""
    source = template(strings, project)
    if path.is_file():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=_babel_locale(locale))
        catalog.update(source, no_fuzzy_matching=True)
        # A changed English string keeps its old translation for reference, marked fuzzy.
        old = {m.context: m for m in catalog.obsolete.values()}
        for message in catalog:
            previous = old.get(message.context)
            if message.id and not message.string and previous is not None and previous.string:
                message.string = previous.string
                message.flags.add("fuzzy")
                message.previous_id = [previous.id]
        catalog.obsolete.clear()
    else:
        catalog = Catalog(locale=_babel_locale(locale), project=project, fuzzy=False,
                          copyright_holder="MIL CLICKS for LMS contributors")
        catalog.update(source, no_fuzzy_matching=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, include_previous=True)
    path.write_bytes(buffer.getvalue())


def _babel_locale(locale: str) -> str:
    return locale.replace("sr_Latn", "sr_Latn_RS")


def read_translations(path: Path, strings: dict[str, str]) -> tuple[dict[str, str], Coverage]:
    """Return the usable translations in ``path`` by string path, and the coverage they give."""
    usable: dict[str, str] = {}
    stale = fuzzy = 0
    if path.is_file():
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            english = strings.get(message.context or "")
            if english is None or not message.string:
                continue
            if message.fuzzy:
                fuzzy += 1
            elif message.id != english:
                stale += 1
            else:
                usable[message.context] = message.string
    return usable, Coverage(len(usable), len(strings), stale, fuzzy)


def translations_for(po: Path, strings: dict[str, str], locale: str) -> tuple[dict[str, str], Coverage]:
    """Return the usable translations of ``strings`` into ``locale``, deriving where it is derived."""
    if locale in DERIVED:
        base, convert = DERIVED[locale]
        usable, coverage = read_translations(po.with_name(po.name.replace(locale, base)), strings)
        return {path: convert(text) for path, text in usable.items()}, coverage
    return read_translations(po, strings)


def apply(obj: Any, usable: dict[str, str], where: Where, prefix: str = "") -> Any:
    """Return ``obj`` with each translatable string replaced by its translation, where one exists.

    A translated lesson page whose components do not match the English is left in English, and
    the problem is recorded at ``where``.
    """
    changes: dict[str, Any] = {}
    for name, path, value in translatable_fields(obj, prefix):
        if isinstance(value, str) and path in usable:
            changes[name] = usable[path]
        elif is_dataclass(value):
            changes[name] = apply(value, usable, where, path)
        elif isinstance(value, tuple) and value:
            changes[name] = tuple(
                usable.get(item_path(path, index, item), item) if isinstance(item, str)
                else apply(item, usable, where, item_path(path, index, item))
                for index, item in enumerate(value)
            )
    if isinstance(obj, LessonPage) and "body" in changes:
        changes.update(_page_body(obj, changes["body"], where.child(f"{prefix}.body")))
    if isinstance(obj, Post) and "display_name" in changes:
        changes["initials"] = default_initials(changes["display_name"]) or obj.initials
    return replace(obj, **changes) if changes else obj


def _page_body(page: LessonPage, body: str, where: Where) -> dict[str, Any]:
    before = len(where.errors)
    blocks = parse_blocks(body, where, 1)
    english, translated = skeleton(page.blocks), skeleton(blocks)
    if len(where.errors) == before and english == translated:
        return {"body": body, "blocks": blocks}
    if len(where.errors) == before:
        first = next((i for i, (a, b) in enumerate(zip(english, translated)) if a != b), min(len(english), len(translated)))
        kind = page.blocks[first].component if first < len(page.blocks) else "an extra block"
        where.error(
            f"from block {first + 1} ({kind}) on, the translated page differs from the English: a component block, "
            "a key, a handle, a number, a URL or an image was added, removed or changed, so the page shows in English.",
            "Keep every ```component block of the English, in the same order, with the same keys, and change only its text.",
        )
    return {"body": page.body, "blocks": page.blocks}


def skeleton(obj: Any) -> Any:
    """Return what a translation must keep: the kinds, ids, numbers, flags, handles and URLs."""
    if isinstance(obj, tuple):
        return tuple(skeleton(item) for item in obj)
    if not is_dataclass(obj):
        return obj
    kept: list[Any] = [type(obj).__name__]
    for spec in fields(obj):
        if spec.metadata.get("skeleton") is False:
            continue
        value = getattr(obj, spec.name)
        if spec.metadata.get("translate"):
            if is_dataclass(value) or (isinstance(value, tuple) and value and not isinstance(value[0], str)):
                kept.append((spec.name, skeleton(value)))
        else:
            kept.append((spec.name, skeleton(value)))
    return tuple(kept)


def coverage_of(obj: Any, po: Path, locale: str) -> Coverage:
    return translations_for(po, translatable_strings(obj), locale)[1]


def translate(obj: Any, po: Path, locale: str) -> tuple[Any, Coverage, list[ContentError]]:
    """Return ``obj`` in ``locale`` (English where a string has no usable translation)."""
    strings = translatable_strings(obj)
    usable, coverage = translations_for(po, strings, locale)
    errors: list[ContentError] = []
    shown = po if locale not in DERIVED else po.with_name(po.name.replace(locale, DERIVED[locale][0]))
    # Components resolve image files from the folder the English sits in.
    folder = shown.parent.parent if shown.parent.name == "locales" else shown.parent
    where = Where(folder, str(shown.relative_to(folder)), errors)
    translated = apply(obj, usable, where) if usable else obj
    if errors:
        coverage = replace(coverage, translated=coverage.translated - len(errors))
    return translated, coverage, errors
