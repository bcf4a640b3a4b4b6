"""Form data a learner would send for the best answer to any question type."""

from __future__ import annotations


def best_form(question) -> dict[str, str | list[str]]:
    q = question.id
    kind = question.type
    if kind == "single_choice":
        return {q: next(o.id for o in question.options if o.correct)}
    if kind == "multiple_choice":
        return {q: [o.id for o in question.options if o.correct]}
    if kind == "credible_source":
        return {q: next(s.id for s in question.sources if s.correct)}
    if kind == "search_pick":
        return {q: next(r.id for r in question.results if r.grade == "best")}
    if kind == "true_false_reason":
        return {f"{q}.verdict": "true" if question.answer else "false",
                f"{q}.reason": next(r.id for r in question.reasons if r.correct)}
    if kind == "ordering":
        return {f"{q}.{item}": str(position) for position, item in enumerate(question.order, start=1)}
    if kind == "matching":
        return {f"{q}.{item.id}": item.category for item in question.items}
    if kind == "headline_rating":
        return {f"{q}.{h.id}": "4" if h.accurate else "1" for h in question.headlines}
    if kind == "share_decision":
        return {f"{q}.{p.id}": "share" if p.accurate else "skip" for p in question.posts}
    if kind == "confidence":
        return {q: "4"}
    if kind == "reflection":
        return {q: "I would stop, search for who made the post, and ask my friend where it came from before sharing."}
    raise AssertionError(f"no best answer for {kind}")
