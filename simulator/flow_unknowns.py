"""Which answers of a flow depend on a value that is unknown until deploy?

A scenario whose world comes partly from infrastructure code (`world_from:`) carries the
unknowns of that code (simulator.iac: a policy computed at apply time, an imported value,
a parameter without a value). Where the unknown is a policy, the World holds a stand-in
that denies everything, so an unknown is never an allow; this module makes the dependence
visible on the results, as data:

- every flow whose principals, roles, instance profiles, buckets or accounts an unknown
  affects gets a note `depends on unknown <address>.<attribute>: <reason>`;
- a stage decided by a stand-in says so in its details (`unknown`), and its hint says
  what to do instead of "narrow the Deny" (the Deny is not in the code);
- a flow whose expectation fails at such a stage gets a mismatch naming the unknown, so
  `expect: allow` denied by an unknown is reported with the unknown named.

`replay_scenario` is the replay every command uses for scenarios (run, explain, check).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .arn import parse_arn
from .errors import ArnError
from .flows import (
    AssumeRoleHop,
    Flow,
    InstanceProfileStart,
    PassRoleHop,
    SessionStart,
    UserStart,
    WebIdentityStart,
)
from .iac.proposed import STAND_IN_PREFIX, Unknown, stand_in_place
from .replay import FlowResult, replay
from .scenarios import Scenario
from .stages import StageResult

_S3 = "arn:aws:s3:::"


def _arns(flow: Flow) -> list[str]:
    start = flow.start
    out: list[str | None] = []
    if isinstance(start, UserStart):
        out.append(start.user)
    elif isinstance(start, SessionStart):
        out.append(start.role)
    elif isinstance(start, InstanceProfileStart):
        out += [start.role, start.profile, start.launched_by]
    elif isinstance(start, WebIdentityStart):
        out += [start.provider, start.role]
    for hop in flow.hops:
        if isinstance(hop, AssumeRoleHop):
            out.append(hop.role)
        elif isinstance(hop, PassRoleHop):
            out += [hop.role, hop.instance_profile]
    for access in flow.access:
        for resource in access.resources:
            out.append(resource)
            if resource.startswith(_S3):
                out.append(_S3 + resource[len(_S3):].split("/", 1)[0])
    return [a for a in out if a]


def touched(flow: Flow) -> frozenset[str]:
    """What a flow's answers depend on, as `Unknown.affects` names it: the ARNs it names
    (an S3 object's bucket too), their accounts, and the names of its roles and users (an
    unknown about an entity the code names but does not define carries its bare name)."""
    names: set[str] = set()
    for arn in _arns(flow):
        names.add(arn)
        try:
            parsed = parse_arn(arn)
        except ArnError:
            continue
        if parsed.account:
            names.add(parsed.account)
        if parsed.service == "iam" and parsed.resource.startswith(("role/", "user/")):
            names.add(parsed.resource.rsplit("/", 1)[-1])
    return frozenset(names)


def unknowns_of(flow: Flow, unknowns: Iterable[Unknown]) -> tuple[Unknown, ...]:
    """The unknowns that affect something the flow touches."""
    names = touched(flow)
    return tuple(u for u in unknowns if names.intersection(u.affects))


def _say(where: str, unknown: Unknown | None) -> str:
    return f"{where}: {unknown.reason}" if unknown else where


def _stand_ins(stage: StageResult) -> list[str]:
    places = (stand_in_place(ref.policy, ref.sid) for ref in stage.deciding)
    return list(dict.fromkeys(p for p in places if p))


def _stage(stage: StageResult, places: list[str],
           by_place: dict[str, Unknown]) -> StageResult:
    said = "; ".join(_say(p, by_place.get(p)) for p in places)
    quoted = tuple(f"'{STAND_IN_PREFIX}{p}'" for p in places)
    hints = tuple(h for h in stage.hints if not any(q in h for q in quoted))
    hints += tuple(f"{p} is unknown until deploy and stands in as a deny-everything "
                   f"policy: the answer is known once it is (apply, or give the value)"
                   for p in places)
    return stage.model_copy(update={"details": {**stage.details, "unknown": said},
                                    "hints": hints})


def note_unknowns(result: FlowResult, flow: Flow,
                  unknowns: Sequence[Unknown]) -> FlowResult:
    """`result` with the unknowns it depends on made visible (see the module docstring)."""
    if not unknowns:
        return result
    by_place = {u.where: u for u in unknowns}
    notes = [f"depends on unknown {_say(u.where, u)}" for u in unknowns_of(flow, unknowns)]
    stages, mismatches = [], list(result.mismatches)
    for stage in result.stages:
        places = _stand_ins(stage)
        if not places:
            stages.append(stage)
            continue
        stages.append(_stage(stage, places, by_place))
        notes += [f"depends on unknown {_say(p, by_place.get(p))}" for p in places]
        failed_here = stage.key == result.failed_stage or (
            stage.expected is not None and stage.expected.value != stage.status.value)
        if result.expectation_met is False and failed_here:
            mismatches += [f"{stage.key} was decided by unknown {p}, a stand-in that denies "
                           f"everything until deploy" for p in places]
    return result.model_copy(update={"stages": tuple(stages),
                                     "mismatches": tuple(mismatches),
                                     "notes": tuple(dict.fromkeys(result.notes + tuple(notes)))})


def replay_scenario(scenario: Scenario, flow: str | None = None) -> list[FlowResult]:
    """Every flow of the scenario (only `flow`, when named) replayed in its world, with
    the unknowns of its world_from files noted."""
    return [note_unknowns(replay(scenario.world, f, scenario.name), f, scenario.unknowns)
            for f in scenario.flows if flow is None or f.name == flow]


def scenario_unknowns(scenarios: Sequence[Scenario]) -> tuple[str, ...]:
    """What the scenarios' plans and templates leave unknown until deploy, one line each."""
    return tuple(f"{s.name}: {u.describe()}" for s in scenarios for u in s.unknowns)
