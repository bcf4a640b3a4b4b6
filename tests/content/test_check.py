"""The module checker authors run before publishing."""

import subprocess
import sys
from pathlib import Path

from lti_app.content.check import check_modules, main

ROOT = Path(__file__).resolve().parents[2]


def test_real_modules_pass_the_check():
    ok, lines = check_modules(ROOT / "modules")
    assert ok
    assert any(line.startswith("ok     lateral-reading: 5 pages") for line in lines)
    assert lines[-1].endswith("0 problem(s) found.")


def test_a_broken_module_fails_the_check_with_its_file_and_fix(tmp_path):
    folder = tmp_path / "modules" / "half-done"
    folder.mkdir(parents=True)
    (folder / "module.yaml").write_text("schema_version: 1\nid: half-done\n")
    ok, lines = check_modules(tmp_path / "modules")
    assert not ok
    assert "error  modules/half-done/module.yaml: missing 'title'. Add 'title:' here" in "\n".join(lines)
    assert "error  modules/half-done/quiz.yaml: the module has no quiz.yaml." in "\n".join(lines)
    assert lines[-1].startswith("0 module(s) loaded")


def test_command_prints_the_report_and_exits_1_on_problems(tmp_path, capsys):
    (tmp_path / "modules" / "empty").mkdir(parents=True)
    assert main([str(tmp_path / "modules")]) == 1
    assert "modules/empty/module.yaml: the module has no module.yaml." in capsys.readouterr().out
    assert main([str(ROOT / "modules")]) == 0


def test_command_runs_as_a_module():
    run = subprocess.run(
        [sys.executable, "-m", "lti_app.content.check", str(ROOT / "modules")],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "0 problem(s) found." in run.stdout
