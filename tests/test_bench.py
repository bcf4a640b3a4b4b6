"""The benchmark scripts still work: a tiny run end to end. No timing is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_runs_end_to_end_without_errors(tmp_path):
    out = tmp_path / "bench.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILCLICKS_BENCH_")}
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Full launches" in run.stdout and "Grade delivery" in run.stdout

    results = json.loads(out.read_text())
    assert results["errors"] == 0, run.stdout
    assert {"command", "machine", "config", "baseline", "backends", "duration_s"} <= results.keys()
    assert {"nproc", "cpu_model"} <= results["machine"].keys()

    [baseline_level] = results["baseline"]["launch"]
    assert baseline_level["ok"] == baseline_level["launches"] == 5

    [backend] = results["backends"]
    assert backend["name"] == "sqlite" and backend["errors"] == 0 and not backend["server_log_errors"]
    [level] = backend["launch"]
    assert level["ok"] == level["launches"] == 5 and level["concurrency"] == 2
    assert {"launches_per_s", "latency_ms", "server_cpu_ms_per_launch", "vs_baseline"} <= level.keys()
    assert {"p50", "p95", "p99"} <= level["latency_ms"].keys()
    assert {"launches_per_s", "p95", "server_cpu_ms_per_launch"} <= level["vs_baseline"].keys()

    quiz = backend["quiz"]
    assert quiz["students"] == 2 and quiz["errors"] == 0
    assert quiz["saves"]["saves"] == 2 * quiz["questions_per_student"] > 0
    assert quiz["submissions"]["ok"] == 2
    assert {"saves_per_s", "latency_ms"} <= quiz["saves"].keys()

    grades = backend["grades"]
    for key in ("one_deliverer", "two_deliverers", "half_failing"):
        assert grades[key]["scores"] == 20
        assert grades[key]["every_score_delivered_once"], grades[key]
        assert grades[key]["lms_students_more_than_once"] == 0
    assert grades["half_failing"]["lms_refused_posts"] > 0

    for moment in ("at_start", "after_load"):
        workers = backend["memory"][moment]["workers"]
        assert len(workers) == 2 and all(w["rss_kib"] > 0 for w in workers)
