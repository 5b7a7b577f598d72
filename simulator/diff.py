"""What does a change to the policies do to access? Old-vs-new, semantically.

`diff_worlds(base, head)` replays every flow on both sides (matched by scenario name and
flow name; each side's flow in each side's world) and reports every stage and access whose
decision changed between allowed and not allowed: newly allowed is `widen`, newly denied
`narrow`. A stage reached on one side only counts as denied on the other (it was not
reached), and `because` names the stage that stopped the chain there.
Changes between two kinds of deny (implicit to explicit) are not access changes.

Then, per scenario present on both sides, who can reach what, on each side's graph
(simulator.graph, simulator.questions): for every bucket of the head world, who can
s3:GetObject and s3:PutObject its objects (`who_can`), and for every role, who can obtain a
session of it (`assumers`: AssumeRole chains, PassRole, instance profiles). A principal
added is `widen`, one removed `narrow`; a principal on both sides whose chain now requires
less (an ExternalId, MFA, a session name no longer asked for) is `widen`, more `narrow`.
This catches what no flow replays: a wildcard that now covers another bucket, a trust that
now names another account, a condition dropped from a trust.

`WorldDiff.fail(on)` is the CI gate: `widen` fails on any widening, `any` on any change,
`none` never. Reading a git revision of a scenario folder is in git_revisions.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .assumers import assumers
from .flows import Flow
from .graph import WorldGraph, build_graph
from .questions import Hop, who_can
from .replay import FlowResult, replay
from .results import StatementRef
from .scenarios import Scenario
from .stages import StageResult
from .world import World

Direction = Literal["widen", "narrow"]
FailOn = Literal["widen", "any", "none"]
NOT_REACHED = "not_reached"
NOT_ALLOWED = "not_allowed"
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject")
ASSUME = "sts:AssumeRole"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Change(_Frozen):
    """One access whose answer changed. `kind` `stage`: a stage of a flow (`stage` its key,
    `base`/`head` its decision on each side, or `not_reached`); `kind` `who_can`: a
    principal added to or removed from who can do `action` on `resource`. `deciding` are
    the statements that decided on each side (the Allows of the allowing side)."""

    direction: Direction
    kind: Literal["stage", "who_can"]
    scenario: str
    source: str | None = None
    flow: str | None = None
    stage: str | None = None
    title: str = ""
    action: str | None = None
    resource: str | None = None
    principal: str | None = None
    base: str
    head: str
    base_reason: str = ""
    head_reason: str = ""
    base_deciding: tuple[StatementRef, ...] = ()
    head_deciding: tuple[StatementRef, ...] = ()
    because: str | None = None
    message: str


class WorldDiff(_Frozen):
    """Every change, the flows compared (`scenario/flow`) and, in `only_in_base` /
    `only_in_head`, the flows and scenarios found on one side only (not compared)."""

    changes: tuple[Change, ...] = ()
    compared: tuple[str, ...] = ()
    only_in_base: tuple[str, ...] = ()
    only_in_head: tuple[str, ...] = ()

    @property
    def flows_compared(self) -> int:
        return len(self.compared)

    @property
    def widened(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.direction == "widen")

    @property
    def narrowed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.direction == "narrow")

    def fail(self, on: FailOn = "widen") -> bool:
        """Whether the CI gate fails: `widen` on a widening, `any` on any change, `none`
        never."""
        if on == "none":
            return False
        return bool(self.widened) if on == "widen" else bool(self.changes)


def _label(stage: StageResult | None) -> str:
    return stage.status.value if stage is not None else NOT_REACHED


def stage_changes(base: FlowResult, head: FlowResult, source: str | None = None
                  ) -> list[Change]:
    """The stages of one flow whose answer flipped between allowed and not allowed."""
    before = {s.key: s for s in base.stages}
    after = {s.key: s for s in head.stages}
    keys = list(after) + [k for k in before if k not in after]
    out: list[Change] = []
    for key in keys:
        b, h = before.get(key), after.get(key)
        was, now = b is not None and b.status.passed, h is not None and h.status.passed
        if was == now:
            continue
        direction: Direction = "widen" if now else "narrow"
        because = head.failed_stage if h is None else base.failed_stage if b is None \
            else None
        shown = h or b
        assert shown is not None
        verb = "now allowed" if now else "now denied"
        why = (h.message if h is not None else f"not reached (the chain stops earlier, at "
               f"{head.failed_stage})")
        out.append(Change(
            direction=direction, kind="stage", scenario=head.scenario, source=source,
            flow=head.flow, stage=key, title=shown.title, base=_label(b), head=_label(h),
            base_reason=b.reason if b else "", head_reason=h.reason if h else "",
            base_deciding=b.deciding if b else (), head_deciding=h.deciding if h else (),
            because=because,
            message=f"{head.scenario}/{head.flow} {key}: {verb} ({_label(b)} -> "
                    f"{_label(h)}): {why}"))
    return out


class _Way(_Frozen):
    """How a principal gets the access: what the chain requires, and its hops."""

    requires: frozenset[str]
    hops: tuple[Hop, ...]


def _deciding(hops: Iterable[Hop]) -> tuple[StatementRef, ...]:
    refs = (r for h in hops if h.decision is not None for r in h.decision.deciding)
    return tuple(dict.fromkeys(refs))


def access_questions(world: World) -> list[tuple[str, str]]:
    """(action, resource) asked of both sides: object reads and writes of every bucket,
    sessions of every role."""
    out = [(a, f"arn:aws:s3:::{b.name}/*") for b in world.buckets for a in OBJECT_ACTIONS]
    return out + [(ASSUME, r.arn) for r in world.roles]


def _ways(graph: WorldGraph, action: str, resource: str) -> dict[str, _Way]:
    if action == ASSUME:
        return {p: _Way(requires=frozenset(r.label for h in hops for r in h.requires),
                        hops=hops) for p, hops in assumers(graph, resource).items()}
    return {e.principal: _Way(requires=frozenset(r.label for r in e.requires), hops=e.chain)
            for e in who_can(graph, action, resource).principals()}


def _access_change(direction: Direction, scenario: Scenario, action: str, resource: str,
                   principal: str, was: _Way | None, now: _Way | None) -> Change:
    verb = {ASSUME: "assume"}.get(action, action)
    if was is not None and now is not None:
        gone, added = sorted(was.requires - now.requires), sorted(now.requires - was.requires)
        detail = "; ".join([*(f"no longer requires {r}" for r in gone),
                            *(f"now requires {r}" for r in added)])
        message = f"{principal} can {verb} {resource}: {detail}"
    else:
        way = now or was
        assert way is not None
        via = " -> ".join([h.source for h in way.hops] + [resource])
        message = (f"{principal} can {'now' if now else 'no longer'} {verb} {resource}"
                   f" (via {via})")
    return Change(direction=direction, kind="who_can", scenario=scenario.name,
                  source=scenario.source, action=action, resource=resource,
                  principal=principal, base="allow" if was else NOT_ALLOWED,
                  head="allow" if now else NOT_ALLOWED,
                  base_deciding=_deciding(was.hops) if was else (),
                  head_deciding=_deciding(now.hops) if now else (), message=message)


def access_changes(old: Scenario, new: Scenario) -> list[Change]:
    """Who gained or lost each access of `access_questions(new.world)`."""
    before, after = build_graph(old.world), build_graph(new.world)
    out: list[Change] = []
    for action, resource in access_questions(new.world):
        was, now = _ways(before, action, resource), _ways(after, action, resource)
        for principal in sorted(set(was) | set(now)):
            w, n = was.get(principal), now.get(principal)
            if w is None or n is None:
                direction: Direction = "widen" if n is not None else "narrow"
            elif n.requires < w.requires:
                direction = "widen"
            elif w.requires < n.requires:
                direction = "narrow"
            else:
                continue
            out.append(_access_change(direction, new, action, resource, principal, w, n))
    return out


def _flows(scenario: Scenario) -> dict[str, Flow]:
    return {f.name: f for f in scenario.flows}


def diff_worlds(base: Sequence[Scenario], head: Sequence[Scenario]) -> WorldDiff:
    """Compare two sets of scenarios (see the module docstring)."""
    before = {s.name: s for s in base}
    after = {s.name: s for s in head}
    changes: list[Change] = []
    only_base = [name for name in before if name not in after]
    only_head = [name for name in after if name not in before]
    compared: list[str] = []
    for name, new in after.items():
        old = before.get(name)
        if old is None:
            continue
        old_flows, new_flows = _flows(old), _flows(new)
        only_base += [f"{name}/{f}" for f in old_flows if f not in new_flows]
        only_head += [f"{name}/{f}" for f in new_flows if f not in old_flows]
        for flow_name, flow in new_flows.items():
            if flow_name not in old_flows:
                continue
            compared.append(f"{name}/{flow_name}")
            changes += stage_changes(replay(old.world, old_flows[flow_name], name),
                                     replay(new.world, flow, name), new.source)
        changes += access_changes(old, new)
    return WorldDiff(changes=tuple(changes), compared=tuple(compared),
                     only_in_base=tuple(only_base), only_in_head=tuple(only_head))
