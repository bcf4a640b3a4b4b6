"""Author Markdown to sanitised HTML, and lesson pages to HTML."""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import markdown as markdown_lib
import nh3
from flask import current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup

from .schema import Block, LessonPage, MarkdownBlock, Module

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "abbr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitised_html(text: str, extensions: tuple[str, ...] = ("sane_lists", "tables", "fenced_code"),
                   attributes: dict[str, set[str]] | None = None) -> str:
    """Render author Markdown with ``extensions`` and sanitise it; ``attributes`` adds allowed ones."""
    converter = markdown_lib.Markdown(extensions=list(extensions))
    # Authors write Markdown, not HTML: raw HTML then shows as text instead of being interpreted.
    converter.preprocessors.deregister("html_block")
    converter.inlinePatterns.deregister("html")
    # The sanitiser is the real guarantee, whatever a Markdown extension lets through.
    return nh3.clean(
        converter.convert(text),
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={**ALLOWED_ATTRIBUTES, **(attributes or {})},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        # The tool runs inside the LMS's iframe; a link must not replace the lesson.
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


@lru_cache(maxsize=4096)
def _to_html(text: str) -> str:
    return sanitised_html(text)


def markdown(text: object) -> Markup:
    """Render Markdown to sanitised HTML."""
    return Markup(_to_html(str(text)))


def inline_markdown(text: object) -> Markup:
    """Render one paragraph of Markdown without its ``<p>``, for labels and legends."""
    html = _to_html(str(text))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def render_block(block: Block, module: Module) -> Markup:
    if isinstance(block, MarkdownBlock):
        return markdown(block.text)
    return Markup(render_template(f"content/{block.component}.html", block=block, module=module))


#: Rendered lesson bodies kept per process: (page, language) -> HTML, oldest dropped first.
PAGES_KEPT = 128


def render_page(module: Module, page: LessonPage) -> Markup:
    """Render a lesson page's body; its title and practice questions are placed by the caller.

    A body depends only on the page and the language (no launch, no learner), so each
    process renders it once and keeps it.
    """
    kept: OrderedDict = current_app.extensions.setdefault("rendered_pages", OrderedDict())
    key = (id(page), str(get_locale()))
    hit = kept.get(key)
    if hit is not None and hit[0] is page:
        return hit[1]
    html = Markup("\n").join(render_block(block, module) for block in page.blocks)
    kept[key] = (page, html)
    while len(kept) > PAGES_KEPT:
        kept.popitem(last=False)
    return html
