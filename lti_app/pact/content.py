"""The Pact's text, read from ``MODULES_DIR/pact.yaml`` into typed objects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..content.fields import ContentError, Fields, Where, read_yaml
from ..content.schema import translatable

PACT_FILE = "pact.yaml"


@dataclass(frozen=True)
class Commitment:
    #: Permanent: signatures store it.
    id: str
    text: str = translatable()
    why: str = translatable()
    #: Ids of the modules that teach it.
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Pact:
    title: str = translatable()
    intro: str = translatable()
    commitments: tuple[Commitment, ...] = translatable()


def _commitment(raw, where: Where) -> Commitment:
    f = Fields(raw, where, required=("id", "text", "why", "modules"))
    return Commitment(id=f.ident(), text=f.line("text"), why=f.paragraph("why"), modules=f.texts("modules"))


def load_pact(modules_dir: Path | str, module_ids: set[str] | None = None) -> tuple[Pact | None, list[ContentError]]:
    """Read the Pact; with ``module_ids``, every module it names must exist."""
    folder = Path(modules_dir)
    errors: list[ContentError] = []
    where = Where(folder, PACT_FILE, errors)
    path = folder / PACT_FILE
    if not path.is_file():
        where.error("there is no pact.yaml.", "Add the Pact's commitments in pact.yaml in the modules folder.")
        return None, errors
    raw = read_yaml(path.read_text(encoding="utf-8"), where)
    if errors:
        return None, errors
    f = Fields(raw, where, required=("schema_version", "title", "intro", "commitments"))
    f.integer("schema_version", 1, minimum=1, maximum=1)
    pact = Pact(title=f.line("title"), intro=f.paragraph("intro"),
                commitments=f.items("commitments", _commitment, minimum=1))
    ids = [c.id for c in pact.commitments]
    if len(set(ids)) != len(ids):
        f.at("commitments").error("a commitment id is used twice.", "Give every commitment its own id.")
    if module_ids is not None:
        for index, commitment in enumerate(pact.commitments):
            for module_id in commitment.modules:
                if module_id not in module_ids:
                    f.at("commitments").child(index).error(
                        f"there is no module '{module_id}'.", "Use the id of a folder under modules/."
                    )
    return (None if errors else pact), errors


def english_pact() -> Pact | None:
    """Return the current app's Pact as written, loading it on first use."""
    extensions = current_app.extensions
    if "pact" not in extensions:
        from ..content import catalogue

        loaded, errors = load_pact(current_app.config["MODULES_DIR"], {m.id for m in catalogue().modules})
        for error in errors:
            current_app.logger.warning("the Pact is not available: %s", error)
        extensions["pact"] = loaded
    return extensions["pact"]


def pact() -> Pact | None:
    """Return the current app's Pact in the request's language."""
    english = english_pact()
    if english is None:
        return None
    from ..content import localized

    return localized(english, _catalogs())


def pact_languages() -> tuple[str, ...]:
    """Return the languages the Pact is fully translated into, English first."""
    from ..content import complete_languages

    english = english_pact()
    return () if english is None else complete_languages(english, _catalogs())


def _catalogs() -> Path:
    """The Pact's translation catalogs, as a path with ``{locale}`` in it."""
    from ..content.translate import pact_po

    return pact_po(Path(current_app.config["MODULES_DIR"]), "{locale}")
