"""What does a reviewer see of a diff? WorldDiff changes as Problems, for every format.

A change fails the gate (`WorldDiff.fail(on)`) when it widens and `on` is `widen` or
`any`, or narrows and `on` is `any`; such a change is level `error`. Otherwise a widening
is a `warning` and a narrowing a `note`. Rules: `widened_access`, `narrowed_access`. The
statement to blame is a deciding statement of the head side (for a widening, the Allow now
granting; for a narrowing, the Deny now refusing, if any), located in the head scenario
file; without one, the flow's line.
"""

from __future__ import annotations

from ..diff import Change, FailOn, WorldDiff
from .checked import Level, Problem


def fails(change: Change, on: FailOn) -> bool:
    """Whether this change alone fails the gate."""
    return on == "any" or (on == "widen" and change.direction == "widen")


def change_problem(change: Change, on: FailOn = "widen") -> Problem:
    level: Level = "error" if fails(change, on) else (
        "warning" if change.direction == "widen" else "note")
    ref = change.head_deciding[0] if change.head_deciding else None
    subject = f"{change.scenario}/{change.flow} {change.stage}" if change.kind == "stage" \
        else f"{change.scenario}: {change.principal} {change.action} {change.resource}"
    hints = (f"the base was decided by {change.base_deciding[0]}",) \
        if change.base_deciding else ()
    return Problem(kind=change.direction, level=level,
                   rule="widened_access" if change.direction == "widen" else "narrowed_access",
                   subject=subject, message=change.message, hints=hints, source=change.source,
                   scenario=change.scenario, flow=change.flow,
                   policy=ref.policy if ref else None, statement=ref.index if ref else None)


def diff_problems(diff: WorldDiff, on: FailOn = "widen") -> tuple[Problem, ...]:
    """Every change as a problem: widenings first, then narrowings."""
    return tuple(change_problem(c, on) for c in (*diff.widened, *diff.narrowed))
