"""How do the drafted pieces of a template become a World?

Joins what the readers drafted: attachments and memberships to the principals they name,
managed policy ARNs to their documents, bucket policies to their buckets, instance
profiles to their roles. Principals and buckets are found by name, policies by ARN; a
name or ARN that the template does not define is an unknown (the entity exists outside
the template, so what else applies to it cannot be known), a policy text that is unknown
becomes a deny-everything stand-in (`proposed.stand_in_policy`).

Group policies apply to the group's member users:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
Only the bucket owner's account can put a bucket policy, so a policy for a bucket the
template does not create belongs to the template's account:
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PolicyError
from ..policy import PolicyDocument, PolicyKind, parse_policy
from ..world import Account, Bucket, InstanceProfile, OidcProvider, Organization, Role, User, World
from .drafts import AttachmentDraft, Drafts, Link, PolicyText, PrincipalDraft, PrincipalKind
from .proposed import STAND_IN_PREFIX, Ledger, stand_in_policy

_DENY_ALL = "a deny-everything {kind} policy"


class Policies:
    """Parses a template's policy texts; unknown texts become deny-everything stand-ins.
    Managed policies are found by ARN among the drafts, then in `supplied` (ARN -> JSON)."""

    def __init__(self, drafts: Drafts, ledger: Ledger, supplied: Mapping[str, Any]) -> None:
        self.ledger = ledger
        self.supplied = supplied
        self.managed_by_arn = {m.arn: m for m in drafts.managed_policies}

    def stand_in(self, address: str, attribute: str, reason: str, kind: PolicyKind,
                 affects: tuple[str, ...]) -> PolicyDocument:
        self.ledger.unknown(address, attribute, reason, affects,
                            stand_in=_DENY_ALL.format(kind=kind.value))
        where = ".".join(p for p in (address, attribute) if p)
        return stand_in_policy(kind, f"{STAND_IN_PREFIX}{where}")

    def policy(self, text: PolicyText, kind: PolicyKind,
               affects: tuple[str, ...]) -> PolicyDocument | None:
        if text.unknown:
            return self.stand_in(text.address, text.attribute, text.unknown, kind, affects)
        try:
            return parse_policy(text.raw, name=text.name, kind=kind, source=self.ledger.source,
                                location=text.key_path)
        except PolicyError as exc:
            self.ledger.add_error(exc)
            return None

    def managed(self, link: Link, kind: PolicyKind,
                affects: tuple[str, ...]) -> PolicyDocument | None:
        if link.value is None:
            return self.stand_in(link.address, link.attribute, link.unknown, kind, affects)
        draft = self.managed_by_arn.get(link.value)
        if draft is not None:
            return self.policy(draft.text, kind, affects + (draft.arn,))
        if link.value in self.supplied:
            try:
                return parse_policy(self.supplied[link.value], name=link.value, kind=kind,
                                    source=self.ledger.source,
                                    location=f"managed_policies[{link.value}]")
            except PolicyError as exc:
                self.ledger.add_error(exc)
                return None
        reason = (f"managed policy {link.value} is not defined here; supply its document "
                  f"(world_from: managed_policies, or --managed-policy ARN=FILE)")
        return self.stand_in(link.address, link.attribute, reason, kind, affects)



class _Assembly(Policies):
    def __init__(self, drafts: Drafts, ledger: Ledger, supplied: Mapping[str, Any]) -> None:
        super().__init__(drafts, ledger, supplied)
        self.d = drafts
        self.principals: dict[tuple[PrincipalKind, str], PrincipalDraft] = {}
        self.attached: dict[tuple[PrincipalKind, str], list[AttachmentDraft]] = {}
        self.groups_of: dict[str, list[str]] = {}
        for p in drafts.principals:
            self._add_principal(p)

    def _add_principal(self, p: PrincipalDraft) -> None:
        key = (p.kind, p.name.lower())  # IAM names are unique regardless of case
        if key in self.principals:
            other = self.principals[key].address
            self.ledger.error(f"{p.kind} name {p.name!r} is also used by {other}", p.address)
            return
        self.principals[key] = p

    # --- principals -----------------------------------------------------------------------

    def attach(self) -> None:
        for att in self.d.attachments:
            target = att.target
            what = att.managed.value if att.managed else None
            if target.value is None:
                self.ledger.unknown(target.address, target.attribute, target.unknown,
                                    (what,) if what else (),
                                    stand_in="the policy is attached to no one")
                continue
            key = (att.target_kind, target.value.lower())
            if key not in self.principals:
                self.ledger.unknown(
                    att.address, target.attribute,
                    f"{att.target_kind} {target.value!r} is not defined here: what else "
                    f"applies to it is unknown", (target.value,),
                    stand_in=f"the {att.target_kind} is not in the World")
                continue
            self.attached.setdefault(key, []).append(att)
        for m in self.d.memberships:
            for user in m.users:
                if m.group.value is None or user.value is None:
                    bad = m.group if m.group.value is None else user
                    self.ledger.unknown(bad.address, bad.attribute, bad.unknown,
                                        tuple(v for v in (m.group.value, user.value) if v),
                                        stand_in="the membership is not applied")
                    continue
                self.groups_of.setdefault(user.value.lower(), []).append(m.group.value)

    def permissions(self, p: PrincipalDraft, affects: tuple[str, ...]) -> list[PolicyDocument]:
        """Inline, attached and managed policies of `p` (inline ones once per name, managed
        ones once per ARN)."""
        inline = list(p.inline)
        managed = list(p.managed)
        for att in self.attached.get((p.kind, p.name.lower()), []):
            if att.inline is not None:
                inline.append(att.inline)
            if att.managed is not None:
                managed.append(att.managed)
        docs: list[PolicyDocument | None] = []
        names: set[str] = set()
        for text in inline:  # an inline policy name is unique per principal
            if text.unknown or text.name not in names:
                names.add(text.name)
                docs.append(self.policy(text, PolicyKind.identity, affects))
        seen: set[str] = set()
        for link in managed:
            if link.value is not None and link.value in seen:
                continue
            seen.add(link.value or "")
            docs.append(self.managed(link, PolicyKind.identity, affects))
        return [d for d in docs if d is not None]

    def group_permissions(self, user: PrincipalDraft) -> list[PolicyDocument]:
        groups = [g.value for g in user.groups if g.value is not None]
        for g in user.groups:
            if g.value is None:
                self.ledger.unknown(g.address, g.attribute, g.unknown, (user.arn,),
                                    stand_in="the membership is not applied")
        docs: list[PolicyDocument] = []
        for name in groups + self.groups_of.get(user.name.lower(), []):
            group = self.principals.get(("group", name.lower()))
            if group is None:
                self.ledger.unknown(user.address, "groups", f"group {name!r} is not defined "
                                    f"here: its policies are unknown", (user.arn,),
                                    stand_in="the group's policies are not applied")
                continue
            docs.extend(self.permissions(group, (user.arn,)))
        return docs

    def boundary(self, p: PrincipalDraft) -> PolicyDocument | None:
        if p.boundary is None:
            return None
        return self.managed(p.boundary, PolicyKind.boundary, (p.arn,))

    def role(self, p: PrincipalDraft) -> Role | None:
        if p.trust is None:
            return None
        trust = self.policy(p.trust, PolicyKind.trust, (p.arn,))
        if trust is None:
            return None
        return Role(arn=p.arn, id=p.id, trust=trust, policies=tuple(self.permissions(p, (p.arn,))),
                    boundary=self.boundary(p), max_session_duration=p.max_session_duration,
                    tags=p.tags)

    def user(self, p: PrincipalDraft) -> User:
        policies = self.permissions(p, (p.arn,)) + self.group_permissions(p)
        return User(arn=p.arn, id=p.id, policies=tuple(policies), boundary=self.boundary(p),
                    access_keys=p.access_keys, tags=p.tags)

    # --- resources --------------------------------------------------------------------------

    def buckets(self) -> list[Bucket]:
        drafts = {b.name: b for b in self.d.buckets}
        texts: dict[str, PolicyText] = {b.name: b.policy for b in self.d.buckets if b.policy}
        restrict: dict[str, bool] = {}
        owner = self.d.account_id
        for bp in self.d.bucket_policies:
            name = self._bucket_name(bp.bucket, drafts)
            if name is None:
                continue
            if name in texts:
                self.ledger.error(f"bucket {name!r} already has a policy from "
                                  f"{texts[name].address}", bp.address)
                continue
            texts[name] = bp.text
        for pa in self.d.public_access:
            name = self._bucket_name(pa.bucket, drafts)
            if name is not None:
                restrict[name] = pa.restrict_public_buckets
        out = []
        for name in sorted(set(drafts) | set(texts) | set(restrict)):
            account = drafts[name].account if name in drafts else owner
            if account is None:
                self.ledger.error("the bucket's owner account is unknown: pass account_id",
                                  texts[name].address if name in texts else name)
                continue
            arn = f"arn:aws:s3:::{name}"
            text = texts.get(name)
            policy = self.policy(text, PolicyKind.resource, (arn,)) if text else None
            out.append(Bucket(name=name, account=account, policy=policy,
                              restrict_public_buckets=restrict.get(name, True)))
        return out

    def _bucket_name(self, link: Link, drafts: Mapping[str, object]) -> str | None:
        if link.value is None:
            self.ledger.unknown(link.address, link.attribute, link.unknown, (),
                                stand_in="the setting is applied to no bucket")
            return None
        if link.value not in drafts and self.d.account_id is not None:
            self.ledger.placeholder(link.address, "bucket owner", self.d.account_id,
                                    "the bucket is not created here; only its owner's "
                                    "account can set its policy")
        return link.value

    def profiles(self) -> list[InstanceProfile]:
        out = []
        for prof in self.d.profiles:
            role = prof.role
            if role.value is None:
                self.ledger.unknown(role.address, role.attribute, role.unknown, (prof.arn,),
                                    stand_in="the instance profile is not in the World")
                continue
            draft = self.principals.get(("role", role.value.lower()))
            if draft is None:
                self.ledger.unknown(prof.address, role.attribute,
                                    f"role {role.value!r} is not defined here", (prof.arn,),
                                    stand_in="the instance profile is not in the World")
                continue
            out.append(InstanceProfile(arn=prof.arn, role=draft.arn))
        return out


def assemble(drafts: Drafts, ledger: Ledger, *, managed_policies: Mapping[str, Any] | None = None,
             organization: Organization | None = None,
             accounts: Mapping[str, Account] | None = None) -> World:
    """Join the drafts into a World; problems and unknowns go to `ledger`."""
    a = _Assembly(drafts, ledger, managed_policies or {})
    a.attach()
    roles = [a.role(p) for p in drafts.principals if p.kind == "role"]
    users = [a.user(p) for p in drafts.principals if p.kind == "user"]
    all_accounts = dict(accounts or {})
    if drafts.account_id is not None and drafts.account_id not in all_accounts:
        all_accounts[drafts.account_id] = Account(id=drafts.account_id)
    return World(
        name=drafts.name, organization=organization, accounts=all_accounts,
        users=tuple(users), roles=tuple(r for r in roles if r is not None),
        instance_profiles=tuple(a.profiles()),
        oidc_providers=tuple(OidcProvider(arn=o.arn, audiences=o.audiences)
                             for o in drafts.oidc_providers),
        buckets=tuple(a.buckets()))
