"""Read rendered HTML the way a browser and a screen reader would, to check it in tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    options: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """Collect elements, form controls, labels and nesting problems of an HTML fragment."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.controls: list[Control] = []
        self.label_for: set[str] = set()
        self.text: list[str] = []
        self.feed(html)
        self.close()
        if self.stack:
            self.problems.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag in ("input", "select", "textarea"):
            self.controls.append(Control(tag, attributes))
        elif tag == "option" and self.controls and self.controls[-1].tag == "select":
            self.controls[-1].options.append(attributes.get("value", ""))
        if tag == "label" and "for" in attributes:
            self.label_for.add(attributes["for"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close {self.stack[-1:] or 'anything'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def accessibility_problems(self) -> list[str]:
        found = list(self.problems)
        ids = [attrs["id"] for _, attrs in self.elements if "id" in attrs]
        found += [f"duplicate id {i}" for i in set(ids) if ids.count(i) > 1]
        for control in self.controls:
            if control.attrs.get("type") != "hidden" and control.attrs.get("id") not in self.label_for:
                found.append(f"{control.tag} {control.attrs.get('name')} has no label")
        found += [f"img without alt: {img.get('src', '')[:40]}" for img in self.tags("img") if not img.get("alt", "").strip()]
        for tag, attrs in self.elements:
            found += [f"<{tag} {name}> handler" for name in attrs if name.startswith("on")]
            if attrs.get("href", "").strip().lower().startswith("javascript:"):
                found.append(f"javascript: link in <{tag}>")
        found += ["<script> element" for tag, _ in self.elements if tag == "script"]
        return found

    def filled_form(self) -> dict[str, list[str]]:
        """Answer every control as a learner clicking through would: first choice, distinct positions."""
        form: dict[str, list[str]] = {}
        selects = 0
        for control in self.controls:
            name = control.attrs["name"]
            if control.tag == "select":
                choices = [value for value in control.options if value]
                form[name] = [choices[selects % len(choices)]]
                selects += 1
            elif control.tag == "textarea":
                form[name] = ["I would open a new tab. " * (int(control.attrs["minlength"]) // 10 + 1)]
            elif name not in form:
                form[name] = [control.attrs["value"]]
        return form
