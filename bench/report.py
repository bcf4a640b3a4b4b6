"""The results as readable tables."""

from __future__ import annotations

import math


def _fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(value) -> str:
    return "-" if value is None else f"x{value:.2f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


def memory_rows(label: str, memory: dict) -> list[list[str]]:
    rows = []
    for moment in ("at_start", "after_warmup", "after_load"):
        snap = memory.get(moment)
        if not snap:
            continue
        workers = snap["workers"]
        rows.append([
            f"{label} {moment.replace('_', ' ')}",
            _mib(snap["master"]["rss_kib"]),
            " / ".join(_mib(w["rss_kib"]) for w in workers),
            " / ".join(_mib(w["peak_rss_kib"]) for w in workers),
            " / ".join(_mib(w.get("pss_kib", 0)) for w in workers),
        ])
    return rows


def render(results: dict) -> str:
    out = []
    m = results["machine"]
    out.append(f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
               f"Python {m['python']}; load average at start {m['loadavg_at_start']}, at end {m.get('loadavg_at_end')}")
    cfg = results["config"]
    out.append(f"Server: gunicorn gthread, {cfg['workers']} workers x {cfg['threads']} threads, on 127.0.0.1; "
               f"the test LMS and the simulated browsers on the same machine.")
    out.append("")

    headers = ["launches", "conc", "n", "err", "resent", "launch/s", "p50 ms", "p95 ms", "p99 ms", "server CPU ms/launch",
               "PG+Redis CPU ms", "LMS CPU ms", "driver CPU ms", "vs baseline: rate", "p95", "CPU"]
    rows = []
    base = results.get("baseline") or {}
    for level in base.get("launch", []):
        rows.append(["baseline (pylti1p3)", str(level["concurrency"]), str(level["launches"]), str(level["errors"]),
                     str(level.get("resent_requests", 0)),
                     _fmt(level["launches_per_s"]), _fmt(level["latency_ms"]["p50"], 0), _fmt(level["latency_ms"]["p95"], 0),
                     _fmt(level["latency_ms"]["p99"], 0), _fmt(level.get("server_cpu_ms_per_launch")), "-",
                     _fmt(level.get("platform_cpu_ms_per_launch")), _fmt(level.get("driver_cpu_ms_per_launch")), "", "", ""])
    for backend in results["backends"]:
        for level in backend["launch"]:
            vs = level.get("vs_baseline") or {}
            rows.append([f"MIL CLICKS, {backend['name']}", str(level["concurrency"]), str(level["launches"]), str(level["errors"]),
                         str(level.get("resent_requests", 0)),
                         _fmt(level["launches_per_s"]), _fmt(level["latency_ms"]["p50"], 0), _fmt(level["latency_ms"]["p95"], 0),
                         _fmt(level["latency_ms"]["p99"], 0), _fmt(level.get("server_cpu_ms_per_launch")),
                         _fmt(level.get("services_cpu_ms_per_launch")), _fmt(level.get("platform_cpu_ms_per_launch")), _fmt(level.get("driver_cpu_ms_per_launch")),
                         _ratio(vs.get("launches_per_s")), _ratio(vs.get("p95")), _ratio(vs.get("server_cpu_ms_per_launch"))])
    out.append("Full launches (login -> LMS auth -> form post -> first page); 'resent': requests a browser sends again"
               " because a kept-alive connection closed before any answer")
    out.append(table(headers, rows))
    out.append("")

    steps = []
    for label, levels in [("baseline", base.get("launch", []))] + [(b["name"], b["launch"]) for b in results["backends"]]:
        for level in levels:
            s = level.get("steps_p50_ms", {})
            steps.append([label, str(level["concurrency"]), *(_fmt(s.get(k)) for k in ("login", "auth", "launch", "first_page"))])
    out.append("Median time per step (ms)")
    out.append(table(["", "conc", "login", "LMS auth", "launch post", "first page"], steps))
    out.append("")

    rows = []
    for backend in results["backends"]:
        for q, pace in ((backend.get("quiz"), "flat out"), ((backend.get("quiz") or {}).get("paced"), "class at work")):
            if q:
                rows.append(_quiz_row(f"{backend['name']}, {pace}", q))
    out.append("Quiz (each save and submission followed by the page it redirects to). Flat out: no pause between"
               " answers. Class at work: every student pauses 1-3 s (a pupil reading) before each answer and the submit")
    out.append(table(["", "students", "at once", "saves", "err", "saves/s", "p50 ms", "p95 ms", "server CPU ms/save",
                      "PG+Redis", "submits", "submits/s", "p50 ms", "p95 ms", "server CPU ms/submit", "PG+Redis"], rows))
    out.append("")
    out += _grades_and_memory(results, base)
    return "\n".join(out)


def _quiz_row(name: str, q: dict) -> list[str]:
    s, sub = q["saves"], q["submissions"]
    return [name, str(q["students"]), str(q["concurrency"]), str(s["saves"]),
            str(q["errors"]), _fmt(s["saves_per_s"]), _fmt(s["latency_ms"]["p50"], 0), _fmt(s["latency_ms"]["p95"], 0),
            _fmt(s.get("server_cpu_ms_per_save")), _fmt(s.get("services_cpu_ms_per_save")),
            str(sub["submissions"]), _fmt(sub["submissions_per_s"]),
            _fmt(sub["latency_ms"]["p50"], 0), _fmt(sub["latency_ms"]["p95"], 0),
            _fmt(sub.get("server_cpu_ms_per_submission")), _fmt(sub.get("services_cpu_ms_per_submission"))]


def _grades_and_memory(results: dict, base: dict) -> list[str]:
    out = []
    rows = []
    for backend in results["backends"]:
        g = backend.get("grades")
        if not g:
            continue
        for key, label in (("one_deliverer", "1 deliverer"), ("two_deliverers", "2 deliverers"),
                           ("half_failing", "2 deliverers, LMS fails 50%")):
            p = g[key]
            rows.append([backend["name"], label, str(p["scores"]), _fmt(p["scores_per_s"]), _fmt(p["wall_s"], 2),
                         str(p["lms_refused_posts"]), str(p["max_tries"]), str(p["needed_more_than_default_tries"]),
                         "yes" if p["every_score_delivered_once"] else "NO",
                         _fmt(p.get("driver_cpu_ms_per_score"), 2), _fmt(p.get("services_cpu_ms_per_score"), 2)])
    out.append("Grade delivery to the LMS's AGS endpoint")
    out.append(table(["", "", "scores", "scores/s", "seconds", "refused posts", "max tries", f"> {10} tries",
                      "each once", "deliverer CPU ms/score", "PG+Redis"], rows))
    out.append("")

    rows = []
    if base.get("memory"):
        rows += memory_rows("baseline", base["memory"])
    for backend in results["backends"]:
        rows += memory_rows(backend["name"], backend["memory"])
    out.append("Memory (MiB): resident set of the gunicorn master and of each worker, each worker's peak, and each"
               " worker's proportional set (shared pages divided among the processes sharing them)")
    out.append(table(["", "master RSS", "worker RSS", "worker peak", "worker PSS"], rows))
    out.append("")
    out.append(f"Errors: {results['errors']}. JSON: {results.get('json_path', '-')}. Took {results['duration_s']:.0f} s.")
    return out
