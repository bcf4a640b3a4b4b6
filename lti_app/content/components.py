"""Lesson components: their YAML, how a page body embeds them, and how images reach the page.

A page body embeds a component as a fenced block whose info string is ``component <name>``;
the block's content is the component's YAML::

    ```component post
    display_name: Port Amani Weather Watch
    handle: amaniweather
    time: 2 h
    text: Storm warning for the coast tonight.
    ```

Each component's HTML is the partial ``templates/content/<name>.html``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from .fields import Fields, Where, read_yaml
from .schema import Block, Callout, Figure, Image, MarkdownBlock, Post, SearchPage, SearchResult, Tip

FENCE = re.compile(r"^```[ \t]*component\b[ \t]*(\S*)[ \t]*$")
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(")
HANDLE = re.compile(r"^@?[A-Za-z0-9_.]{1,30}$")
IMAGE_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
CALLOUT_KINDS = ("note", "think", "warning", "safety")
#: Alt texts that say nothing about the picture.
EMPTY_ALT = {"image", "picture", "photo", "img", "graphic", "icon"}


def _image(f: Fields) -> Image:
    src, alt = f.text("src"), f.text("alt")
    folder = f.where.folder.resolve()
    file = (folder / src).resolve()
    if src:
        if not file.is_relative_to(folder):
            f.at("src").error(f"{src!r} is outside the module folder.", "Put the image in the module folder, e.g. images/name.svg.")
        elif file.suffix.lower() not in IMAGE_TYPES:
            f.at("src").error(f"{src!r} is not an image type the tool shows.", f"Use one of: {', '.join(IMAGE_TYPES)}.")
        elif not file.is_file():
            f.at("src").error(f"no file {src!r} in the module folder.", "Check the spelling and the folder of the image file.")
    if alt and (alt.lower().strip(".") in EMPTY_ALT or alt in (src, Path(src).name)):
        f.at("alt").error(
            f"alt text {alt!r} does not describe the image.",
            "Say what the image shows and why it matters, e.g. 'A flooded street with a bus half under water'.",
        )
    return Image(src=src, alt=alt, file=file)


def parse_image(raw: Any, where: Where) -> Image:
    return _image(Fields(raw, where, required=("src", "alt")))


def parse_post(raw: Any, where: Where) -> Post:
    f = Fields(
        raw,
        where,
        required=("display_name", "handle", "time", "text"),
        optional=("initials", "likes", "shares", "sponsored", "image"),
    )
    display_name, handle = f.text("display_name"), f.text("handle")
    if handle and not HANDLE.match(handle):
        f.at("handle").error(
            f"handle {handle!r} is not a valid handle.", "Use up to 30 letters, digits, '_' or '.', e.g. amaniweather."
        )
    initials = f.text("initials") or default_initials(display_name)
    if len(initials) > 3:
        f.at("initials").error(f"initials {initials!r} are too long.", "Use one to three letters.")
    return Post(
        display_name=display_name,
        handle=handle.lstrip("@"),
        initials=initials,
        time=f.text("time"),
        text=f.text("text"),
        likes=f.integer("likes", 0, minimum=0),
        shares=f.integer("shares", 0, minimum=0),
        sponsored=f.flag("sponsored", False),
        image=f.nested("image", parse_image),
    )


def check_url(f: Fields) -> str:
    url = f.text("url")
    if url and any(ch.isspace() for ch in url):
        f.at("url").error(f"url {url!r} contains a space.", "Write the address without spaces, e.g. news.example/storm.")
    return url


def parse_result(raw: Any, where: Where) -> SearchResult:
    f = Fields(raw, where, required=("title", "url", "snippet"), optional=("ad",))
    return SearchResult(title=f.text("title"), url=check_url(f), snippet=f.text("snippet"), ad=f.flag("ad", False))


def parse_search(raw: Any, where: Where) -> SearchPage:
    f = Fields(raw, where, required=("query", "results"))
    return SearchPage(query=f.text("query"), results=f.items("results", parse_result, minimum=1, maximum=10))


def parse_callout(raw: Any, where: Where) -> Callout:
    f = Fields(raw, where, required=("text",), optional=("kind", "title"))
    return Callout(kind=f.choice("kind", CALLOUT_KINDS, "note"), title=f.text("title"), text=f.text("text"))


def parse_figure(raw: Any, where: Where) -> Figure:
    f = Fields(raw, where, required=("src", "alt"), optional=("caption",))
    return Figure(image=_image(f), caption=f.text("caption"))


def parse_tip(raw: Any, where: Where) -> Tip:
    if raw is not None:
        where.error("the tip component takes no fields.", "Leave the block empty; the tip text comes from 'tip' in module.yaml.")
    return Tip()


#: Component name -> parser of its YAML.
COMPONENTS: dict[str, Callable[[Any, Where], Block]] = {
    "post": parse_post,
    "search": parse_search,
    "callout": parse_callout,
    "figure": parse_figure,
    "tip": parse_tip,
}


def default_initials(name: str) -> str:
    """Return the avatar letters for an account name: its first two words' first letters."""
    return "".join(word[0] for word in name.split()[:2]).upper()


def parse_blocks(body: str, where: Where, first_line: int) -> tuple[Block, ...]:
    """Split a page body that starts on ``first_line`` into Markdown runs and parsed components."""
    blocks: list[Block] = []
    markdown: list[str] = []

    def flush() -> None:
        text = "\n".join(markdown).strip("\n")
        if text.strip():
            blocks.append(MarkdownBlock(text))
        markdown.clear()

    lines = body.splitlines()
    index = 0
    while index < len(lines):
        line, number = lines[index], first_line + index
        fence = FENCE.match(line)
        if not fence:
            if MARKDOWN_IMAGE.search(line):
                where.at_line(number).error(
                    "Markdown images are not used in lesson pages.",
                    "Use a 'component figure' block with src and alt, so every image has checked alt text.",
                )
            markdown.append(line)
            index += 1
            continue
        flush()
        name = fence.group(1)
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == "```"), None)
        if end is None:
            where.at_line(number).error("component block is not closed.", "End it with a line containing only ```.")
            break
        parse = COMPONENTS.get(name)
        if parse is None:
            where.at_line(number).error(
                f"unknown component {name!r}." if name else "component block without a name.",
                f"Start the block with ```component NAME, where NAME is one of: {', '.join(COMPONENTS)}.",
            )
        else:
            place = where.child(name, number)
            before = len(where.errors)
            raw = read_yaml("\n".join(lines[index + 1:end]), place, first_line=number + 1)
            if len(where.errors) == before:
                blocks.append(parse(raw, place))
        index = end + 1
    flush()
    return tuple(blocks)


@lru_cache(maxsize=256)
def _data_uri(file: Path) -> str:
    return f"data:{IMAGE_TYPES[file.suffix.lower()]};base64,{base64.b64encode(file.read_bytes()).decode()}"


def image_data_uri(image: Image) -> str:
    """Return the image inlined as a data: URI, so it shows without a route serving module files."""
    return _data_uri(image.file)
