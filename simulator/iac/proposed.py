"""What would exist after apply, and what is not known yet?

Readers of infrastructure-as-code (a Terraform plan, a CloudFormation template) return an
`IacWorld`: the `World` the code would build, the values they could not know offline
(`unknowns`) and the values they made up in a stable way (`placeholders`).

An unknown is never treated as an allow. Where a policy document cannot be known (its JSON
is computed at apply time, it uses `Fn::ImportValue`, it is an AWS managed policy whose
text was not supplied), the World holds a stand-in that denies everything
(`stand_in_policy`), so a flow that depends on it is denied and its explanation names the
unknown; `IacWorld.unknowns_affecting(arn)` tells callers to report "unknown" instead.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..errors import InputError, InputErrors
from ..policy import VERSION_CURRENT, PolicyDocument, PolicyKind, PrincipalBlock, Statement
from ..world import World

STAND_IN_SID = "UnknownUntilDeployed"
STAND_IN_PREFIX = "unknown: "


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Unknown(_Frozen):
    """A value the reader could not know: computed at apply time, imported from another
    stack, a parameter without a value, a condition it cannot evaluate, a policy that is not
    in the file.

    `address` is the Terraform resource address or the CloudFormation logical id;
    `attribute` the attribute or property path within it (`assume_role_policy`,
    `Properties.Policies[0].PolicyDocument.Statement[1].Resource`); `affects` the ARNs
    (roles, users, buckets, managed policies) or account ids whose decisions depend on it,
    or the bare name of a principal the file names but does not define (its path, hence its
    ARN, is not known); `stand_in` what the World holds instead.
    """

    address: str
    attribute: str
    reason: str
    affects: tuple[str, ...] = ()
    stand_in: str = ""

    @property
    def where(self) -> str:
        return ".".join(p for p in (self.address, self.attribute) if p)

    def describe(self) -> str:
        """One line: where, why, what stands in, what it affects."""
        stand_in = f"; until then: {self.stand_in}" if self.stand_in else ""
        affects = f" (affects {', '.join(self.affects)})" if self.affects else ""
        return f"{self.where} is unknown until deploy: {self.reason}{stand_in}{affects}"


class Placeholder(_Frozen):
    """A value made up in a stable way where the real one exists only after deploy: an ARN
    derived from name, path and account, a generated name (`<stack>-<LogicalId>`), an
    attachment whose target was found through the configuration's references."""

    address: str
    attribute: str
    value: str
    derived_from: str


class IacWorld(_Frozen):
    """The World a plan or template would build, with what is unknown and what is made up."""

    source: str
    world: World
    unknowns: tuple[Unknown, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()

    @property
    def complete(self) -> bool:
        """True when nothing the World depends on was unknown."""
        return not self.unknowns

    def unknowns_affecting(self, *names: str) -> tuple[Unknown, ...]:
        """The unknowns whose `affects` names any of `names` (ARNs or account ids)."""
        wanted = set(names)
        return tuple(u for u in self.unknowns if wanted.intersection(u.affects))

    def placeholder(self, address: str, attribute: str) -> Placeholder | None:
        for p in self.placeholders:
            if p.address == address and p.attribute == attribute:
                return p
        return None


def stand_in_place(policy: str, sid: str | None) -> str | None:
    """The unknown (`address.attribute`) a deciding statement stands in for, or None when
    the statement is a real one."""
    if sid == STAND_IN_SID and policy.startswith(STAND_IN_PREFIX):
        return policy.removeprefix(STAND_IN_PREFIX)
    return None


def stand_in_policy(kind: PolicyKind, name: str) -> PolicyDocument:
    """A document that denies every action (to every principal, on every resource), put
    where a policy of `kind` exists but its text is unknown."""
    resource = None if kind is PolicyKind.trust else ("*",)
    principal = PrincipalBlock(everyone=True) if kind.names_principals else None
    statement = Statement(index=0, sid=STAND_IN_SID, effect="Deny", principal=principal,
                          action=("*",), resource=resource)
    return PolicyDocument(name=name, kind=kind, version=VERSION_CURRENT,
                          statements=(statement,))


class Ledger:
    """What a reader noted while it worked: unknowns (merged per place), placeholders and
    input errors. Not data: a reader's notebook, turned into an IacWorld at the end."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._unknowns: dict[tuple[str, str], Unknown] = {}
        self._placeholders: dict[tuple[str, str], Placeholder] = {}
        self._errors: list[InputError] = []

    def unknown(self, address: str, attribute: str, reason: str,
                affects: tuple[str, ...] = (), stand_in: str = "") -> None:
        key = (address, attribute)
        old = self._unknowns.get(key)
        if old is not None:
            merged = old.affects + tuple(a for a in affects if a not in old.affects)
            self._unknowns[key] = old.model_copy(
                update={"affects": merged, "stand_in": old.stand_in or stand_in})
            return
        self._unknowns[key] = Unknown(address=address, attribute=attribute, reason=reason,
                                      affects=affects, stand_in=stand_in)

    def placeholder(self, address: str, attribute: str, value: str, derived_from: str) -> None:
        self._placeholders.setdefault(
            (address, attribute),
            Placeholder(address=address, attribute=attribute, value=value,
                        derived_from=derived_from))

    def error(self, message: str, location: str) -> None:
        self._errors.append(InputError(message, source=self.source, location=location))

    def add_error(self, exc: InputError) -> None:
        self._errors.append(exc if exc.source else exc.within(self.source))

    def raise_errors(self) -> None:
        if len(self._errors) == 1:
            raise self._errors[0]
        if self._errors:
            raise InputErrors(self._errors)

    def result(self, world: World) -> IacWorld:
        self.raise_errors()
        return IacWorld(source=self.source, world=world,
                        unknowns=tuple(self._unknowns.values()),
                        placeholders=tuple(self._placeholders.values()))
