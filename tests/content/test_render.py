"""Markdown sanitising, lesson components and their right-to-left-ready styles."""

import re
from pathlib import Path

import pytest

from lti_app import content
from lti_app.content.components import parse_callout, parse_post, parse_search
from lti_app.content.fields import Where
from lti_app.content.render import inline_markdown, markdown, render_block

from .html_checks import Page

ROOT = Path(__file__).resolve().parents[2]


def parsed(parse, raw: dict, folder: Path = ROOT / "modules" / "demo"):
    errors: list = []
    block = parse(raw, Where(folder, "page.md", errors))
    assert errors == []
    return block


@pytest.mark.parametrize(
    "source",
    [
        "Hello <script>alert(1)</script> there",
        '<img src="x" onerror="alert(1)">',
        "<div onclick='steal()'>click</div>",
        "[win a prize](javascript:alert(1))",
        "[win a prize](JaVaScRiPt:alert(1))",
        "<a href=\"javascript:alert(1)\">raw link</a>",
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_markdown_never_lets_script_through(source):
    page = Page(markdown(source))
    assert page.accessibility_problems() == []
    assert not {tag for tag, _ in page.elements} & {"script", "img", "iframe", "div"}


def test_raw_html_shows_as_text_so_authors_see_their_mistake():
    assert "&lt;b&gt;bold&lt;/b&gt;" in markdown("<b>bold</b>")


def test_links_open_in_a_new_tab_without_handing_over_the_lesson():
    [link] = Page(markdown("See [the city notice](https://city.example/notice).")).tags("a")
    assert link == {"href": "https://city.example/notice", "target": "_blank", "rel": "noopener noreferrer"}


def test_markdown_keeps_ordinary_formatting():
    html = markdown("## Steps\n\n1. **Pause**\n2. *Check*\n\n> A quote")
    assert "<h2>Steps</h2>" in html and "<strong>Pause</strong>" in html and "<blockquote>" in html


def test_inline_markdown_has_no_paragraph_around_it():
    assert inline_markdown("Is *this* true?") == "Is <em>this</em> true?"


def test_post_component_is_a_captioned_figure_with_words_for_every_signal(app, tmp_path):
    (tmp_path / "glass.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    post = parsed(
        parse_post,
        {
            "display_name": "Pure Water Truth", "handle": "@purewatertruth", "time": "3 h",
            "text": "Line one\nLine two <b>not bold</b>", "likes": 1, "shares": 2, "sponsored": True,
            "image": {"src": "glass.svg", "alt": "A glass of water with a warning sign"},
        },
        folder=tmp_path,
    )
    html = render_block(post, module=None)
    page = Page(html)
    assert page.accessibility_problems() == []
    assert [tag for tag, _ in page.elements][:2] == ["figure", "article"]
    assert page.tags("figcaption") and "Sponsored" in html
    assert page.tags("article")[0]["aria-label"] == "Post by Pure Water Truth"
    assert page.tags("img")[0]["alt"] == "A glass of water with a warning sign"
    assert page.tags("img")[0]["src"].startswith("data:image/svg+xml;base64,")
    assert "1 like" in html and "2 shares" in html and "@purewatertruth" in html and "PW" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


def test_search_component_labels_ads_in_words(app):
    page_block = parsed(
        parse_search,
        {
            "query": "bridge closed",
            "results": [
                {"title": "Cheap taxis", "url": "taxi.example", "snippet": "Ride now.", "ad": True},
                {"title": "Bridge notice", "url": "city.example/bridge", "snippet": "Dates."},
            ],
        },
    )
    html = render_block(page_block, module=None)
    page = Page(html)
    assert page.accessibility_problems() == []
    assert page.tags("figcaption") and len(page.tags("li")) == 2
    assert html.count(">Ad<") == 1 and 'dir="ltr"' in html


def test_callout_says_its_kind_in_words(app):
    html = render_block(parsed(parse_callout, {"kind": "safety", "text": "Take **breaks**."}), module=None)
    assert "Stay safe online" in html and "<strong>breaks</strong>" in html
    assert Page(html).tags("aside")[0]["aria-label"] == "Stay safe online"


def test_styles_use_logical_properties_only():
    css = (ROOT / "lti_app" / "static" / "content.css").read_text()
    physical = r"(?:margin|padding|border|inset)-(?:left|right)|(?<![\w-])(?:left|right)\s*:|:\s*(?:left|right)\b"
    assert re.findall(physical, css) == []
    assert "margin-inline-start" in css and "border-inline-start" in css
    for folder in ("content", "quiz"):
        for template in (ROOT / "lti_app" / "templates" / folder).rglob("*.html"):
            assert "style=" not in template.read_text(), template.name
