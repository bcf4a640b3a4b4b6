"""The README documents every setting the tool reads."""

from pathlib import Path

from lti_app.config import OPTIONS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_setting_is_documented():
    missing = [o.env for o in OPTIONS if f"`{o.env}`" not in README]
    assert not missing, f"document these settings in README.md: {missing}"


def test_troubleshooting_covers_every_launch_error():
    from lti_app.lti.errors import PROBLEMS

    guide = (Path(__file__).resolve().parent.parent / "docs" / "admin" / "troubleshooting.md").read_text()
    missing = [code for code in PROBLEMS if f"### `{code}`" not in guide]
    assert not missing, f"explain these error codes in docs/admin/troubleshooting.md: {missing}"


def test_the_admin_guides_are_linked_from_the_readme():
    for guide in ("docs/admin/install-moodle.md", "docs/admin/install-canvas.md", "docs/admin/troubleshooting.md"):
        assert guide in README, guide
