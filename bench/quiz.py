"""Students answer every quiz question of the module, then submit.

Two passes. Flat out: 50 at a time answer with no pause, which measures how many saves and
submissions the server can take and what queueing does to latency at saturation. A class
at work: 50 students answer at a pupil's pace (a few seconds to read each question, see
``THINK_SECONDS``), which measures the latency a student sees while the whole class works.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import Callable

import requests

from tests.activity.answers import best_form

from .browser import Browser, Failed, Outcome, request_error, expect, launch_tool
from .load import closed_loop, latency_ms


#: A paced student's pause before each answer and before submitting: uniform in this range.
THINK_SECONDS = (1.0, 3.0)


@dataclass
class Student:
    browser: Browser
    base: str
    csrf: str
    attempt: str = ""


def _post_and_follow(student: Student, path: str, data: dict, step: str) -> requests.Response:
    resp = expect(student.browser.request("POST", student.base + path, {"csrf": student.csrf, **data}), step, 303)
    return expect(student.browser.follow(resp, step), step, 200)


def run_quiz(tool_url: str, platform: dict, questions: list, students: int, concurrency: int,
             meters: dict[str, Callable[[], float]], run_id: str, think: tuple[float, float] | None = None,
             tag: str = "quiz") -> dict[str, object]:
    """Launch ``students``, then have them answer (saves) and submit (submissions).

    With ``think`` (seconds, low and high), each student pauses that long before every answer
    and before submitting, and all of them work at once.
    """
    roster: list[Student | None] = [None] * students
    save_times: list[list[float]] = [[] for _ in range(students)]
    rng = random.Random(students)

    def pause() -> None:
        if think:
            time.sleep(rng.uniform(*think))

    def launch(i: int) -> Outcome:
        browser = Browser()
        outcome = launch_tool(browser, tool_url, platform, f"bench:{tag}-{run_id}-{i}")
        outcome.retries = browser.retries
        if outcome.ok:
            csrf = re.search(r'name="csrf" value="([^"]+)"', outcome.page).group(1)
            roster[i] = Student(browser, outcome.page_url.split("/lesson/")[0], csrf)
        return outcome

    def answer_all(i: int) -> Outcome:
        student = roster[i]
        if student is None:
            return Outcome(False, 0.0, error="not launched")
        student.browser.retries = 0
        started = time.perf_counter()
        try:
            page = None
            for question in questions:
                pause()
                t0 = time.perf_counter()
                page = _post_and_follow(student, "/quiz/answer", {"question": question.id, **best_form(question)}, "save")
                if f'is-checked" id="q-{question.id}"' not in page.text:
                    raise Failed("save", "the answer was not kept")
                save_times[i].append(time.perf_counter() - t0)
            match = re.search(r'name="attempt" value="(\d+)"', page.text if page is not None else "")
            if not match:
                raise Failed("save", "no submit form after the last answer")
            student.attempt = match.group(1)
        except Failed as err:
            return Outcome(False, time.perf_counter() - started, error=f"{err.step}: {err.why}")
        except requests.RequestException as err:
            return Outcome(False, time.perf_counter() - started, error=request_error("save", err))
        return Outcome(True, time.perf_counter() - started, retries=student.browser.retries)

    def submit(i: int) -> Outcome:
        student = roster[i]
        if student is None or not student.attempt:
            return Outcome(False, 0.0, error="no attempt to submit")
        student.browser.retries = 0
        pause()
        started = time.perf_counter()
        try:
            page = _post_and_follow(student, "/quiz/submit", {"attempt": student.attempt}, "submit")
            if not page.url.endswith("/result"):
                raise Failed("submit", f"landed on {page.url}")
        except Failed as err:
            return Outcome(False, time.perf_counter() - started, error=f"{err.step}: {err.why}")
        except requests.RequestException as err:
            return Outcome(False, time.perf_counter() - started, error=request_error("submit", err))
        return Outcome(True, time.perf_counter() - started, retries=student.browser.retries)

    launched = closed_loop(concurrency, students, launch, meters)
    at_once = students if think else concurrency
    answered = closed_loop(at_once, students, answer_all, meters)
    submitted = closed_loop(at_once, students, submit, meters)
    for student in roster:
        if student is not None:
            student.browser.close()

    saves = [s for per_student in save_times for s in per_student]
    save_errors = answered.errors
    return {
        "students": students,
        "concurrency": students if think else concurrency,
        "think_s": list(think) if think else None,
        "questions_per_student": len(questions),
        "launch": launched.summary("launches", "launch"),
        "saves": {
            "saves": len(saves),
            "students_with_errors": save_errors,
            "error_kinds": answered.error_kinds(),
            "resent_requests": sum(o.retries for o in answered.outcomes),
            "wall_s": round(answered.wall_s, 3),
            "saves_per_s": round(len(saves) / answered.wall_s, 2) if answered.wall_s else 0.0,
            "latency_ms": latency_ms(saves),
            **{f"{name}_cpu_ms_per_save": round(sec * 1000 / len(saves), 2) if saves else None
               for name, sec in answered.cpu_s.items()},
        },
        "submissions": submitted.summary("submissions", "submission"),
        "errors": launched.errors + save_errors + submitted.errors,
    }
