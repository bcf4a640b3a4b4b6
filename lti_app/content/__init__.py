"""MIL CLICKS modules as data: loading, checking and rendering lesson content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, current_app
from flask_babel import get_locale

from ..config import SUPPORTED_LOCALES

from .components import image_data_uri
from .fields import ContentError
from .loader import Catalogue, ModuleError, load_catalogue, load_module
from .render import inline_markdown, markdown, render_page
from .schema import Image, LessonPage, Module, translatable_strings
from .translate import SOURCE_LANGUAGE, coverage_of, module_po, translate

T = TypeVar("T")

__all__ = [
    "Catalogue", "ContentError", "LessonPage", "Module", "ModuleError", "catalogue", "init_app",
    "inline_markdown", "languages", "complete_languages", "load_catalogue", "localized", "localized_catalogue", "load_module", "markdown", "render_page", "translatable_strings",
]


def init_app(app: Flask, asset_url: Callable[[Image], str] | None = None) -> None:
    """Give templates the Markdown filters and the image URL function content partials use.

    ``asset_url`` turns a module image into a URL; by default images are inlined as data: URIs.
    """
    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters["inline_markdown"] = inline_markdown
    app.jinja_env.globals["asset_url"] = asset_url or image_data_uri


def languages(module: Module) -> tuple[str, ...]:
    """Return the languages a module is fully translated into, its source language first."""
    return complete_languages(module, module_po(module.folder, "{locale}"))


def complete_languages(item: object, po: Path) -> tuple[str, ...]:
    """Return English and every language whose catalogs (``po`` with a ``{locale}``) cover ``item``."""
    cache = current_app.extensions.setdefault("content_languages", {})
    if str(po) not in cache:
        cache[str(po)] = (SOURCE_LANGUAGE, *(
            locale for locale in SUPPORTED_LOCALES
            if locale != SOURCE_LANGUAGE and coverage_of(item, Path(str(po).format(locale=locale)), locale).complete
        ))
    return cache[str(po)]


def localized(item: T, po: Path | None = None, locale: str | None = None) -> T:
    """Return a module (or, with its ``po`` pattern, the Pact) in the request's language.

    Strings without a usable translation stay in English; the result is kept for the app's life.
    """
    locale = locale or str(get_locale() or SOURCE_LANGUAGE)
    if locale == SOURCE_LANGUAGE or locale not in SUPPORTED_LOCALES:
        return item
    pattern = po or module_po(item.folder, "{locale}")
    cache = current_app.extensions.setdefault("content_localized", {})
    key = (str(pattern), locale)
    if key not in cache:
        translated, _coverage, errors = translate(item, Path(str(pattern).format(locale=locale)), locale)
        for error in errors:
            current_app.logger.warning("translation not used: %s", error)
        cache[key] = translated
    return cache[key]


def catalogue() -> Catalogue:
    """Return the current app's catalogue, loading MODULES_DIR on first use."""
    extensions = current_app.extensions
    if "content_catalogue" not in extensions:
        loaded = load_catalogue(current_app.config["MODULES_DIR"])
        for error in loaded.errors:
            current_app.logger.warning("module left out of the catalogue: %s", error)
        extensions["content_catalogue"] = loaded
    return extensions["content_catalogue"]


def localized_catalogue(locale: str | None = None) -> Catalogue:
    """Return the catalogue with every module in the request's language."""
    base = catalogue()
    locale = locale or str(get_locale() or SOURCE_LANGUAGE)
    if locale == SOURCE_LANGUAGE or locale not in SUPPORTED_LOCALES:
        return base
    cache = current_app.extensions.setdefault("content_catalogues", {})
    if locale not in cache:
        cache[locale] = Catalogue(tuple(localized(m, locale=locale) for m in base.modules), base.errors)
    return cache[locale]
