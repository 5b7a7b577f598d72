"""Do the access rules a reviewer writes down hold in this world? Graph assertions.

Two kinds, each answered for the whole world rather than for one flow:

- `OnlyPrincipals` ("only these principals may read bucket X"): every way to perform the
  action on the resource goes through a principal of `principals` (ARNs, glob patterns
  such as `arn:aws:iam::444455556666:role/etl-*`, or 12-digit account ids meaning any
  principal of that account). An offender is a principal outside the list that can do it
  itself, or that can reach, by assuming roles, a principal outside the list that can.
  A principal that reaches the data only through a listed principal is not an offender:
  the listed principal is the gate.
- `NoExternalAssume` ("no principal outside the organization may assume role Y"): no
  principal of an account outside the organization (the scenario's, or `org_id`'s) and
  outside `accounts` can obtain a session of the role, directly or through a chain of
  roles. Service principals (ec2.amazonaws.com) are not outsiders; principals named by a
  policy but absent from the world (an account root, `*`) are.

Answers come from the world's graph (simulator.graph): `simulator.questions.who_can` for
OnlyPrincipals, `simulator.assumers.assumers` (AssumeRole chains with the ExternalId, MFA,
... the trust requires supplied, PassRole, instance profiles) for NoExternalAssume. Every
offender comes with a shortest chain and the deciding statements of each step. An
assertion holds exactly when no offender exists: for OnlyPrincipals, when every principal
that may act directly is listed; the offenders also name the unlisted principals whose
shortest chain reaches the data without passing a listed one. The role's own account is
always inside; web identity and SAML principals count as their provider's account.

In a scenario file (docs/scenarios.md), `parse_assertions` reads:

    assertions:
      - only:
          action: s3:GetObject
          resource: arn:aws:s3:::customer-lake/*
          principals: [arn:aws:iam::444455556666:role/doris-s3]
      - no_external_assume:
          role: arn:aws:iam::444455556666:role/doris-s3
          accounts: ["111122223333"]     # optional: accounts that also count as inside
          org_id: o-a1b2c3d4e5           # optional: defaults to the scenario's organization
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from .arn import is_account_id
from .assertion_specs import NoExternalAssume, OnlyPrincipals, parse_assertions
from .assumers import assumers
from .errors import InputError
from .graph import WorldGraph, build_graph
from .graph_model import NodeKind
from .questions import Hop, who_can
from .results import StatementRef
from .wildcard import glob_match
from .world import World


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Step(_Frozen):
    """One step of an offender's path: `source` becomes `target` (or, last, does the
    action on the resource), with the statements that allowed it and what the call had to
    carry (ExternalId, MFA, ...)."""

    source: str
    target: str
    action: str
    deciding: tuple[StatementRef, ...] = ()
    requires: tuple[str, ...] = ()


class Offender(_Frozen):
    """A principal that breaks the assertion, and one shortest path by which it does."""

    principal: str
    external: bool = False
    chain: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()

    @property
    def path(self) -> str:
        return " -> ".join(self.chain or (self.principal,))


class AssertionResult(_Frozen):
    """Whether an assertion holds in one scenario's world; `offenders` when it does not.
    `location` is the assertion's key path in the scenario file (`assertions[1]`)."""

    name: str
    kind: str
    scenario: str = ""
    location: str = ""
    holds: bool
    offenders: tuple[Offender, ...] = ()
    message: str = ""


def _steps(hops: Sequence[Hop]) -> tuple[Step, ...]:
    return tuple(Step(source=h.source, target=h.target, action=h.action,
                      deciding=h.decision.deciding if h.decision else (),
                      requires=tuple(r.label for r in h.requires)) for h in hops)


def _offender(principal: str, hops: Sequence[Hop], external: bool) -> Offender:
    chain = (principal, *(h.target for h in hops))
    return Offender(principal=principal, external=external, chain=chain, steps=_steps(hops))


def _listed(patterns: Sequence[str], principal: str, account: str | None) -> bool:
    return any(p == account if is_account_id(p) else glob_match(p, principal)
               for p in patterns)


def _only(graph: WorldGraph, a: OnlyPrincipals) -> tuple[Offender, ...]:
    answer = who_can(graph, a.action, a.resource)
    out = []
    for entry in answer.principals():
        actors = [entry.principal, *(h.target for h in entry.chain[:-1])]
        if any(_listed(a.principals, p, graph.node(p).account) for p in actors):
            continue
        out.append(_offender(entry.principal, entry.chain, entry.external))
    return tuple(out)


def _inside(world: World, a: NoExternalAssume) -> set[str]:
    inside = set(a.accounts) | {a.role.split(":")[4]}
    org = world.organization
    if org is not None and a.org_id in (None, org.id):
        inside.update(acct.id for acct in world.accounts.values() if acct.ou_path is not None)
        if org.management_account:
            inside.add(org.management_account)
    return inside


def _no_external(graph: WorldGraph, a: NoExternalAssume) -> tuple[Offender, ...]:
    inside = _inside(graph.world, a)
    out = []
    for principal, hops in sorted(assumers(graph, a.role).items()):
        node = graph.node(principal)
        if node.kind is NodeKind.service or node.account in inside:
            continue
        out.append(_offender(principal, hops, True))
    return tuple(out)


def check_assertion(world: World, assertion: OnlyPrincipals | NoExternalAssume, *,
                    scenario: str = "", graph: WorldGraph | None = None) -> AssertionResult:
    """Evaluate one assertion on a world (or on its graph, when already built)."""
    graph = graph or build_graph(world)
    if isinstance(assertion, OnlyPrincipals):
        offenders = _only(graph, assertion)
    else:
        if assertion.role not in world.roles_by_arn:
            raise InputError(f"role {assertion.role} is not declared under roles:",
                             location=assertion.location)
        offenders = _no_external(graph, assertion)
    message = "holds" if not offenders else f"{len(offenders)} offender(s): " + "; ".join(
        o.path for o in offenders)
    return AssertionResult(name=assertion.name, kind=assertion.kind, scenario=scenario,
                           location=assertion.location, holds=not offenders,
                           offenders=offenders, message=message)


def check_assertions(world: World, assertions: Sequence[OnlyPrincipals | NoExternalAssume],
                     scenario: str = "") -> tuple[AssertionResult, ...]:
    """Evaluate every assertion of a scenario on one graph of its world."""
    if not assertions:
        return ()
    graph = build_graph(world)
    return tuple(check_assertion(world, a, scenario=scenario, graph=graph)
                 for a in assertions)


__all__ = ["AssertionResult", "NoExternalAssume", "Offender", "OnlyPrincipals", "Step",
           "check_assertion", "check_assertions", "parse_assertions"]
