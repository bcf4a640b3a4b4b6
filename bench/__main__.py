"""Run the benchmarks: ``.venv/bin/python -m bench [--quick] [options]`` (or ``bench/run``).

For each backend (the embedded default; PostgreSQL and Redis too when
``MILCLICKS_BENCH_DATABASE_URL`` and ``MILCLICKS_BENCH_STORE_URL`` are set) it starts
``milclicks serve`` on loopback with a fresh data folder, registers the test LMS, and measures
full launches at each concurrency, quiz saves and submissions, grade delivery and memory.
The same launch load goes first to the pylti1p3 baseline. Results: a table on standard output
and JSON in ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import delete

from . import browser as browsers, procs
from .browser import Browser, launch_baseline, launch_tool
from .grades import run_grades
from .load import closed_loop
from .quiz import THINK_SECONDS, run_quiz
from .report import render
from .servers import BaselineServer, PlatformProcess, ToolServer

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MODULE_ID = "lateral-reading"  # the module the test LMS's links open


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny loads to check that everything runs (5 launches at concurrency 2, 2 quiz students, 20 scores)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("MILCLICKS_WORKERS", "2")),
                        help="gunicorn workers for the tool and the baseline (default: the tool's default, 2)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("MILCLICKS_THREADS", "4")),
                        help="threads per worker (default: the tool's default, 4)")
    parser.add_argument("--levels", default="10,50,200", help="concurrent students for the launch runs (default 10,50,200)")
    parser.add_argument("--launches", type=int, default=0,
                        help="launches per concurrency level (default: at least 300, and 5 per student)")
    parser.add_argument("--quiz-students", type=int, default=100, help="students who take the quiz (default 100)")
    parser.add_argument("--quiz-concurrency", type=int, default=50, help="students answering at once (default 50)")
    parser.add_argument("--scores", type=int, default=1000, help="scores per grade delivery pass (default 1000)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the pylti1p3 baseline")
    parser.add_argument("--no-sqlite", action="store_true",
                        help="skip the embedded default (only with the PostgreSQL and Redis pass)")
    parser.add_argument("--no-keepalive", action="store_true",
                        help="a new connection for every request, as behind a reverse proxy (default: browsers' kept-alive connections)")
    parser.add_argument("--out", type=Path, help="JSON file to write (default bench/results/<time>.json)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, databases)")
    args = parser.parse_args(argv)
    if args.quick:
        args.levels, args.launches = "2", 5
        args.quiz_students, args.quiz_concurrency, args.scores = 2, 2, 20
    args.levels = [int(x) for x in str(args.levels).split(",") if x.strip()]
    return args


def launches_for(args: argparse.Namespace, concurrency: int) -> int:
    return args.launches or max(300, 5 * concurrency)


def warmup_count(args: argparse.Namespace) -> int:
    return 2 if args.quick else 20


def launch_runs(args, flow, server, platform: PlatformProcess, label: str, run_id: str,
                memory: dict, meters: dict) -> tuple[list[dict], dict]:
    """Warm up, then the launch load at each concurrency; return the levels and the warm-up."""
    info = platform.info

    def job_for(level: str):
        def job(i: int):
            browser = Browser()
            try:
                outcome = flow(browser, server.url, info, f"bench:{label}-{run_id}-{level}-{i}")
                outcome.retries = browser.retries
                return outcome
            finally:
                browser.close()
        return job

    warm = closed_loop(2, warmup_count(args), job_for("warm"), meters).summary("launches", "launch")
    memory["after_warmup"] = server.memory()
    levels = []
    for concurrency in args.levels:
        run = closed_loop(concurrency, launches_for(args, concurrency), job_for(str(concurrency)), meters)
        levels.append(run.summary("launches", "launch"))
        print(f"  {label}: {concurrency} at once: {levels[-1]['launches_per_s']} launches/s, "
              f"p95 {levels[-1]['latency_ms']['p95']} ms, {levels[-1]['errors']} errors", flush=True)
    return levels, warm


def run_baseline(args, platform: PlatformProcess, workdir: Path, run_id: str) -> dict:
    server = BaselineServer(workdir / "baseline", args.workers, args.threads, platform.info)
    try:
        memory = {"at_start": server.memory()}
        meters = {"server": server.cpu_seconds, "platform": platform.cpu_seconds, "driver": time.process_time}
        levels, warm = launch_runs(args, launch_baseline, server, platform, "baseline", run_id, memory, meters)
        memory["after_load"] = server.memory()
        problems = sorted({line.strip() for line in server.read_log().splitlines()
                           if line.startswith(("pylti1p3.", "Exception", "LtiException"))})
        return {"launch": levels, "warmup": warm, "memory": memory, "server_log_errors": problems[:20],
                "errors": sum(l["errors"] for l in levels) + warm["errors"]}
    finally:
        server.stop()


def reset_external(database_url: str, store_url: str) -> None:
    """Empty a benchmark database and store the way the test suite does (the tool's keys stay)."""
    import lti_app.models  # noqa: F401  (every table in Base.metadata)
    from lti_app.db import Base, make_engine
    from lti_app.migrate import upgrade

    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "tool_keys":
                conn.execute(delete(table))
    engine.dispose()
    if store_url:
        client = redis.Redis.from_url(store_url)
        keys = client.keys("milclicks:*")
        if keys:
            client.delete(*keys)
        client.close()


def quiz_questions(data_dir: Path, database_url: str, store_url: str) -> list:
    from lti_app import content, create_app

    app = create_app({"DATA_DIR": str(data_dir), "DATABASE_URL": database_url, "STORE_URL": store_url,
                      "LOG_LEVEL": "WARNING", "LOG_FORMAT": "text"})
    with app.app_context():
        return list(content.catalogue().get(MODULE_ID).quiz.questions)


def run_backend(args, name: str, database_url: str, store_url: str, platform: PlatformProcess,
                workdir: Path, run_id: str) -> dict:
    data_dir = workdir / name.replace("+", "-")
    data_dir.mkdir(parents=True)
    if database_url:
        reset_external(database_url, store_url)
    platform.reset()
    server = ToolServer(data_dir, args.workers, args.threads, database_url, store_url)
    try:
        server.register(platform.info)
        memory = {"at_start": server.memory()}
        meters = {"server": server.cpu_seconds, "platform": platform.cpu_seconds, "driver": time.process_time}
        services = procs.service_pids(database_url, store_url) if database_url else []
        if services:  # PostgreSQL and Redis on this machine: their CPU is part of the cost
            meters["services"] = lambda: procs.services_cpu_seconds(services)
        levels, warm = launch_runs(args, launch_tool, server, platform, name, run_id, memory, meters)
        questions = quiz_questions(data_dir, database_url, store_url)
        quiz = run_quiz(server.url, platform.info, questions, args.quiz_students, args.quiz_concurrency, meters, run_id)
        # A class at work: as many students as answer at once above, each at a pupil's pace.
        quiz["paced"] = run_quiz(server.url, platform.info, questions, args.quiz_concurrency, args.quiz_concurrency,
                                 meters, run_id, think=(0.0, 0.1) if args.quick else THINK_SECONDS, tag="class")
        print(f"  {name}: quiz: {quiz['saves']['saves_per_s']} saves/s (p95 {quiz['saves']['latency_ms']['p95']} ms), "
              f"{quiz['submissions']['submissions_per_s']} submissions/s, {quiz['errors']} errors", flush=True)
        memory["after_load"] = server.memory()
        grade_meters = {k: v for k, v in meters.items() if k != "server"}
        grades = run_grades(server.url, platform, data_dir, database_url, store_url, args.scores, run_id, grade_meters)
        print(f"  {name}: grades: {grades['one_deliverer']['scores_per_s']} scores/s; 50% failing: "
              f"every score once: {grades['half_failing']['every_score_delivered_once']}", flush=True)
        problems = [line for line in server.read_log().splitlines() if '"level": "ERROR"' in line or "Traceback" in line]
    finally:
        server.stop()
    return {
        "name": name,
        "database": "postgresql" if database_url else "sqlite (embedded default)",
        "store": "redis" if store_url else "database table (embedded default)",
        "launch": levels,
        "warmup": warm,
        "quiz": quiz,
        "grades": grades,
        "memory": memory,
        "server_log_errors": problems[:20],
        "errors": sum(l["errors"] for l in levels) + warm["errors"] + quiz["errors"] + quiz["paced"]["errors"]
                  + grades["errors"],
    }


def add_ratios(results: dict) -> None:
    base = {level["concurrency"]: level for level in (results.get("baseline") or {}).get("launch", [])}
    for backend in results["backends"]:
        for level in backend["launch"]:
            other = base.get(level["concurrency"])
            if not other:
                continue

            def ratio(mine, theirs):
                try:
                    return round(mine / theirs, 3) if mine is not None and theirs else None
                except TypeError:
                    return None

            level["vs_baseline"] = {
                "launches_per_s": ratio(level["launches_per_s"], other["launches_per_s"]),
                "p50": ratio(level["latency_ms"]["p50"], other["latency_ms"]["p50"]),
                "p95": ratio(level["latency_ms"]["p95"], other["latency_ms"]["p95"]),
                "p99": ratio(level["latency_ms"]["p99"], other["latency_ms"]["p99"]),
                "server_cpu_ms_per_launch": ratio(level.get("server_cpu_ms_per_launch"), other.get("server_cpu_ms_per_launch")),
            }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    browsers.KEEPALIVE = not args.no_keepalive
    started = time.time()
    run_id = time.strftime("%Y%m%d-%H%M%S")
    command = os.environ.get("BENCH_COMMAND") or " ".join([".venv/bin/python -m bench", *(argv if argv is not None else sys.argv[1:])])
    results: dict = {
        "command": command,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": procs.machine(),
        "config": {"workers": args.workers, "threads": args.threads, "levels": args.levels,
                   "launches_per_level": {c: launches_for(args, c) for c in args.levels},
                   "quiz_students": args.quiz_students, "quiz_concurrency": args.quiz_concurrency,
                   "scores": args.scores, "quick": args.quick, "module": MODULE_ID,
                   "keepalive": not args.no_keepalive},
        "baseline": None,
        "backends": [],
    }
    backends = [] if args.no_sqlite else [("sqlite", "", "")]
    database_url = os.environ.get("MILCLICKS_BENCH_DATABASE_URL", "")
    store_url = os.environ.get("MILCLICKS_BENCH_STORE_URL", "")
    if database_url or store_url:
        if not (database_url and store_url):
            print("Set both MILCLICKS_BENCH_DATABASE_URL and MILCLICKS_BENCH_STORE_URL for the PostgreSQL and Redis pass.",
                  file=sys.stderr)
            return 2
        backends.append(("postgresql+redis", database_url, store_url))
    if not backends:
        print("Nothing to run: --no-sqlite needs MILCLICKS_BENCH_DATABASE_URL and MILCLICKS_BENCH_STORE_URL.", file=sys.stderr)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="milclicks-bench-"))
    platform = PlatformProcess(workdir / "platform.log")
    try:
        if not args.no_baseline:
            print("== Baseline: pylti1p3's documented Flask tool", flush=True)
            results["baseline"] = run_baseline(args, platform, workdir, run_id)
        for name, db_url, st_url in backends:
            print(f"== MIL CLICKS on {name}", flush=True)
            results["backends"].append(run_backend(args, name, db_url, st_url, platform, workdir, run_id))
    finally:
        platform.stop()
        if args.keep:
            print(f"Scratch folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    add_ratios(results)
    results["machine"]["loadavg_at_end"] = procs.loadavg()
    results["duration_s"] = round(time.time() - started, 1)
    results["errors"] = sum(b["errors"] for b in results["backends"]) + ((results["baseline"] or {}).get("errors") or 0)
    out = args.out or RESULTS_DIR / f"{run_id}{'-quick' if args.quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    results["json_path"] = str(out)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
