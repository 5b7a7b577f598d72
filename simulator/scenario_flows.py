"""Which flows does a scenario file ask to replay? Well-formed flow entries -> Flow, checked
against the world.

Checks beyond the shape of each flow:
- names are unique; every role, user, OIDC provider, instance profile and bucket a flow
  names is declared (an undeclared one would be an unknown, never an allow);
- an ExternalId is 2-1224 characters of `[\\w+=,.@:/-]` (also when product settings give
  it): https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html;
- transitive tags are among the hop's tags (same page, TransitiveTagKeys);
- a pass_role hop's instance profile holds the role passed, and the service is a service
  principal (`....amazonaws.com`):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html;
- `expect.stage` names a stage the flow has (`hop3` in a two-hop flow is a typo).
Product settings (`start: {doris: ...}`) are expanded by simulator.vendors; `hops:` and
`access:` written in the flow replace what the settings imply.
"""

from __future__ import annotations

import re
from typing import Any

from .account_data_fields import Problems
from .errors import InputError, InputErrors
from .flows import (
    Access,
    AssumeRoleHop,
    Flow,
    FlowExpect,
    Hop,
    InstanceProfileStart,
    PassRoleHop,
    SessionStart,
    Start,
    UserStart,
    WebIdentityStart,
)
from .policy import PolicyKind
from .results import Decision
from .scenario_flow_format import (
    PRODUCTS,
    RawAccess,
    RawAssumeRoleHop,
    RawExpect,
    RawFlow,
    RawInstanceProfileStart,
    RawSessionStart,
    RawUserStart,
    RawWebIdentityStart,
)
from .scenario_policies import PolicyRefs
from .scenario_sections import Sections
from .sts import external_id_problem
from .vendors import VendorFlow, expand
from .world import World

_STAGE = re.compile(r"^(start|setup|hop(\d+)|access(\d+))(\.[\w-]+)*$")


def _given(**values: Any) -> dict[str, Any]:
    """Only the values given (so that the flow models' defaults apply to the others)."""
    return {k: v for k, v in values.items() if v is not None}


class _Flows:
    def __init__(self, world: World, refs: PolicyRefs, problems: Problems, source: str,
                 broken: frozenset[str]) -> None:
        self.world = world
        self.refs = refs
        self.problems = problems
        self.source = source
        self.broken = broken
        self.world_from = False

    def error(self, message: str, location: str) -> None:
        self.problems.error(message, self.source, location)

    def known(self, arn: str, declared: Any, what: str, section: str, location: str) -> bool:
        if arn in declared or arn in self.broken:
            return True
        also = " or by a world_from file" if self.world_from else ""
        self.error(f"{what} {arn} is not declared under {section}:{also}", location)
        return False

    def start(self, raw: Any, where: str) -> Start | None:
        if isinstance(raw, RawUserStart):
            return UserStart(user=raw.user)
        if isinstance(raw, RawSessionStart):
            s = raw.session
            return SessionStart(role=s.role, tags=s.tags, **_given(
                session_name=s.session_name, source_identity=s.source_identity))
        if isinstance(raw, RawWebIdentityStart):
            w = raw.web_identity
            return WebIdentityStart(provider=w.provider, role=w.role, sub=w.sub, claims=w.claims,
                                    **_given(aud=w.aud, session_name=w.session_name,
                                             duration=w.duration))
        assert isinstance(raw, RawInstanceProfileStart)
        arn, extra = raw.instance_profile, _given(instance_id=raw.instance_id,
                                                  launched_by=raw.launched_by)
        if ":role/" in arn:
            profile = next((p.arn for p in self.world.instance_profiles if p.role == arn), None)
            return InstanceProfileStart(role=arn, profile=profile, **extra)
        found = self.world.profiles_by_arn.get(arn)
        if found is None:
            self.known(arn, (), "instance profile", "instance_profiles",
                       f"{where}.instance_profile")
            return None
        return InstanceProfileStart(role=found.role, profile=arn, **extra)

    def check_start(self, start: Start, where: str, explicit: bool) -> None:
        w = self.world

        def key(*path: str) -> str:
            return ".".join((where, *path)) if explicit else where

        if isinstance(start, UserStart):
            self.known(start.user, w.users_by_arn, "user", "users", key("user"))
        elif isinstance(start, WebIdentityStart):
            self.known(start.provider, w.providers_by_arn, "OIDC provider", "oidc_providers",
                       key("web_identity", "provider"))
            self.known(start.role, w.roles_by_arn, "role", "roles", key("web_identity", "role"))
        elif isinstance(start, SessionStart):
            self.known(start.role, w.roles_by_arn, "role", "roles", key("session", "role"))
        else:
            self.known(start.role, w.roles_by_arn, "role", "roles", key("instance_profile"))
            if start.launched_by:
                self.known(start.launched_by, {**w.users_by_arn, **w.roles_by_arn},
                           "principal", "users: or roles", key("launched_by"))

    def hop(self, raw: Any, flow: str, number: int, where: str) -> Hop:
        if not isinstance(raw, RawAssumeRoleHop):
            return PassRoleHop(role=raw.pass_role, service=raw.service, **_given(
                instance_profile=raw.instance_profile, instance_id=raw.instance_id))
        policy = None
        if raw.session_policy is not None:
            policy = self.refs.document(raw.session_policy, name=f"{flow} hop{number} session "
                                        f"policy", kind=PolicyKind.session,
                                        location=f"{where}.session_policy")
        managed = (self.refs.by_name(name, PolicyKind.session, f"{where}.policy_arns[{i}]")
                   for i, name in enumerate(raw.policy_arns))
        for i, key in enumerate(raw.transitive_tags):
            if key not in raw.tags:
                self.error(f"transitive tag {key!r} is not one of the hop's tags",
                           f"{where}.transitive_tags[{i}]")
        return AssumeRoleHop(
            role=raw.assume_role, session_policy=policy,
            session_policy_text=self.refs.text(raw.session_policy),
            policy_arns=tuple(d for d in managed if d is not None), tags=raw.tags,
            transitive_tags=tuple(raw.transitive_tags), mfa=raw.mfa, context=raw.context,
            **_given(external_id=raw.external_id, session_name=raw.session_name,
                     duration=raw.duration, source_identity=raw.source_identity))

    def check_hop(self, hop: Hop, where: str, explicit: bool) -> None:
        w = self.world

        def key(name: str) -> str:
            return f"{where}.{name}" if explicit else where

        known = self.known(hop.role, w.roles_by_arn, "role", "roles", key(hop.kind))
        if isinstance(hop, AssumeRoleHop):
            problem = external_id_problem(hop.external_id) if hop.external_id else None
            if problem:
                self.error(problem, key("external_id"))
            return
        if not hop.service.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            self.error(f"{hop.service!r} is not a service principal (such as "
                       f"ec2.amazonaws.com)", key("service"))
        if hop.instance_profile is None:
            return
        profile = w.profiles_by_arn.get(hop.instance_profile)
        if profile is None:
            self.known(hop.instance_profile, (), "instance profile", "instance_profiles",
                       key("instance_profile"))
        elif known and profile.role != hop.role:
            self.error(f"instance profile {profile.arn} holds {profile.role}, not "
                       f"{hop.role}", key("instance_profile"))

    def check_access(self, access: Access, where: str) -> None:
        for resource in access.resources:
            if resource.startswith("arn:aws:s3:::"):
                bucket = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
                self.known(bucket, self.world.buckets_by_name, "bucket", "buckets", where)

    def check_stage(self, expect: FlowExpect, flow: Flow, where: str) -> None:
        stage = expect.stage
        if stage is None:
            return
        match = _STAGE.match(stage)
        if match is None:
            self.error(f"{stage!r} is not a stage name (start..., setup.<check>, hopN..., "
                       f"accessN...)", where)
            return
        head, hop, access = match.group(1), match.group(2), match.group(3)
        checks = [c.name for c in flow.setup]
        if hop is not None and not 1 <= int(hop) <= len(flow.hops):
            self.error(f"{stage!r}: the flow has {len(flow.hops)} hop(s)", where)
        elif access is not None and not 1 <= int(access) <= len(flow.access):
            self.error(f"{stage!r}: the flow has {len(flow.access)} access(es)", where)
        elif head == "setup" and stage.split(".")[1:2] and stage.split(".")[1] not in checks:
            self.error(f"{stage!r}: the flow's setup checks are {', '.join(checks) or 'none'}",
                       where)

    def vendor(self, raw: RawFlow, where: str) -> tuple[VendorFlow | None, str]:
        product = next(p for p in PRODUCTS if hasattr(raw.start, p))
        location = f"{where}.start.{product}"
        try:
            return expand(product, getattr(raw.start, product), location), location
        except InputErrors as exc:
            self.problems.errors.extend(e.within(self.source) for e in exc.errors)
        except InputError as exc:
            self.problems.errors.append(exc.within(self.source))
        return None, location

    def flow(self, raw: RawFlow, where: str) -> Flow | None:
        vendor, origin = None, f"{where}.start"
        if any(hasattr(raw.start, p) for p in PRODUCTS):
            vendor, origin = self.vendor(raw, where)
            if vendor is None:
                return None
            start: Start | None = vendor.start
        else:
            start = self.start(raw.start, origin)
        if start is None:
            return None
        self.check_start(start, origin, vendor is None)
        if raw.hops is not None:
            hops = [(self.hop(h, raw.name, n, f"{where}.hops[{n - 1}]"), f"{where}.hops[{n - 1}]")
                    for n, h in enumerate(raw.hops, start=1)]
        else:
            hops = [(h, origin) for h in (vendor.hops if vendor else ())]
        for hop, loc in hops:
            self.check_hop(hop, loc, raw.hops is not None)
        access = ([(_access(a), f"{where}.access[{n}].resource" + ("s" if a.resources else ""))
                   for n, a in enumerate(raw.access)]
                  if raw.access is not None else
                  [(a, origin) for a in (vendor.access if vendor else ())])
        for a, loc in access:
            self.check_access(a, loc)
        flow = Flow(name=raw.name, about=raw.about, start=start, hops=tuple(h for h, _ in hops),
                    access=tuple(a for a, _ in access), expect=_expect(raw.expect),
                    setup=vendor.setup_checks if vendor else ())
        if flow.expect is not None:
            self.check_stage(flow.expect, flow, f"{where}.expect.stage")
        return flow


def _access(raw: RawAccess) -> Access:
    resources = (raw.resource,) if raw.resource is not None else tuple(raw.resources or ())
    return Access(action=raw.action, resources=resources, context=raw.context,
                  expect=Decision(raw.expect) if raw.expect else None)


def _expect(raw: RawExpect | str | None) -> FlowExpect | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return FlowExpect(outcome="allow" if raw == "allow" else "deny")
    return FlowExpect.model_validate(raw.model_dump())


def build_flows(sections: Sections, world: World, refs: PolicyRefs, problems: Problems,
                source: str, broken: frozenset[str]) -> tuple[Flow, ...]:
    """The flows of the file, each checked against `world`; problems go to `problems`."""
    builder = _Flows(world, refs, problems, source, broken)
    builder.world_from = bool(sections.world_from)
    out: list[Flow] = []
    names: dict[str, str] = {}
    for i, raw in sections.flows:
        where = f"flows[{i}]"
        first = names.setdefault(raw.name, where)
        if first != where:
            problems.error(f"flow {raw.name!r} is declared twice (first at {first})", source,
                           f"{where}.name")
        flow = builder.flow(raw, where)
        if flow is not None:
            out.append(flow)
    return tuple(out)
