"""The README documents every setting the tool reads."""

from pathlib import Path

from lti_app.config import OPTIONS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented():
    missing = [o.env for o in OPTIONS if f"`{o.env}`" not in README]
    assert not missing, f"document these settings in README.md: {missing}"
