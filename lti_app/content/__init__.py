"""MIL CLICKS modules as data: loading, checking and rendering lesson content."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from .components import image_data_uri
from .fields import ContentError
from .loader import Catalogue, ModuleError, load_catalogue, load_module
from .render import inline_markdown, markdown, render_page
from .schema import Image, LessonPage, Module, translatable_strings

__all__ = [
    "Catalogue", "ContentError", "LessonPage", "Module", "ModuleError", "catalogue", "init_app",
    "inline_markdown", "languages", "load_catalogue", "load_module", "markdown", "render_page", "translatable_strings",
]


def init_app(app: Flask, asset_url: Callable[[Image], str] | None = None) -> None:
    """Give templates the Markdown filters and the image URL function content partials use.

    ``asset_url`` turns a module image into a URL; by default images are inlined as data: URIs.
    """
    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters["inline_markdown"] = inline_markdown
    app.jinja_env.globals["asset_url"] = asset_url or image_data_uri


#: The language modules are written in; translations sit in ``<module>/locales/<locale>/``.
from .translate import SOURCE_LANGUAGE  # noqa: E402


def languages(module: Module) -> tuple[str, ...]:
    """Return the languages a module can be read in, its source language first."""
    from ..config import SUPPORTED_LOCALES

    folder = module.folder / "locales"
    found = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name in SUPPORTED_LOCALES) if folder.is_dir() else []
    return (SOURCE_LANGUAGE, *(lang for lang in found if lang != SOURCE_LANGUAGE))


def catalogue() -> Catalogue:
    """Return the current app's catalogue, loading MODULES_DIR on first use."""
    extensions = current_app.extensions
    if "content_catalogue" not in extensions:
        loaded = load_catalogue(current_app.config["MODULES_DIR"])
        for error in loaded.errors:
            current_app.logger.warning("module left out of the catalogue: %s", error)
        extensions["content_catalogue"] = loaded
    return extensions["content_catalogue"]
