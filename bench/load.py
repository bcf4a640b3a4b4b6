"""Closed-loop load: N simulated students at once, each starting the next job when done."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from .browser import Outcome


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "mean": float("nan"), "max": float("nan")}
    return {
        "p50": round(percentile(seconds, 50) * 1000, 1),
        "p95": round(percentile(seconds, 95) * 1000, 1),
        "p99": round(percentile(seconds, 99) * 1000, 1),
        "mean": round(sum(seconds) / len(seconds) * 1000, 1),
        "max": round(max(seconds) * 1000, 1),
    }


@dataclass
class Run:
    """What one closed-loop run did and what it cost."""

    concurrency: int
    outcomes: list[Outcome] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def errors(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok)

    def error_kinds(self) -> dict[str, int]:
        return dict(Counter(o.error for o in self.outcomes if not o.ok).most_common(10))

    def summary(self, unit: str, one: str) -> dict[str, object]:
        """Figures for ``unit`` (e.g. "launches"), CPU per ``one`` (e.g. "launch")."""
        ok = self.ok
        done = len(ok)
        result: dict[str, object] = {
            "concurrency": self.concurrency,
            unit: len(self.outcomes),
            "ok": done,
            "errors": self.errors,
            "error_kinds": self.error_kinds(),
            "resent_requests": sum(o.retries for o in self.outcomes),
            "wall_s": round(self.wall_s, 3),
            f"{unit}_per_s": round(done / self.wall_s, 2) if self.wall_s else 0.0,
            "latency_ms": latency_ms([o.seconds for o in ok]),
        }
        steps = sorted({name for o in ok for name in o.steps})
        if steps:
            result["steps_p50_ms"] = {name: round(percentile([o.steps[name] for o in ok if name in o.steps], 50) * 1000, 1)
                                      for name in steps}
        for name, seconds in self.cpu_s.items():
            result[f"{name}_cpu_ms_per_{one}"] = round(seconds * 1000 / done, 2) if done else None
        return result


def closed_loop(concurrency: int, total: int, job: Callable[[int], Outcome],
                meters: dict[str, Callable[[], float]]) -> Run:
    """Run ``job(0..total-1)`` on ``concurrency`` threads; ``meters`` read CPU seconds before and after."""
    run = Run(concurrency)
    lock = threading.Lock()
    next_job = [0]

    def student() -> None:
        while True:
            with lock:
                index = next_job[0]
                next_job[0] += 1
            if index >= total:
                return
            try:
                outcome = job(index)
            except Exception as exc:  # a bug in a flow must show as an error, not hang the run
                outcome = Outcome(False, 0.0, error=f"{type(exc).__name__}: {exc}")
            with lock:
                run.outcomes.append(outcome)

    before = {name: meter() for name, meter in meters.items()}
    threads = [threading.Thread(target=student, name=f"student-{n}", daemon=True) for n in range(min(concurrency, total))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.wall_s = time.perf_counter() - started
    run.cpu_s = {name: meter() - before[name] for name, meter in meters.items()}
    return run
