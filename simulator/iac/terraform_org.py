"""Where do the plan's SCPs and RCPs attach, and what does the organization look like?

Reads `aws_organizations_policy` (types SERVICE_CONTROL_POLICY and RESOURCE_CONTROL_POLICY;
other policy types do not authorize requests), `aws_organizations_policy_attachment`
(target: a root `r-...`, an OU `ou-...` or a 12-digit account), and, when present,
`aws_organizations_organization`, `aws_organizations_organizational_unit` and
`aws_organizations_account` to place OUs and accounts in the tree.
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/organizations_policy_attachment

A plan shows only what it manages. AWS attaches FullAWSAccess to the root, every OU and
every account when SCPs are enabled, and an SCP must allow at every level:
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html
so every level this reader creates holds FullAWSAccess (recorded as a placeholder) besides
what the plan attaches. An account whose OU is not in the plan is placed under the root
(placeholder); an attachment whose policy is not in the plan gets a deny-everything
stand-in (its text is unknown).
"""

from __future__ import annotations

from ..arn import is_account_id
from ..policy import PolicyDocument, PolicyKind, parse_policy
from ..world import Account, Organization, OrgLevel
from .assembly import Policies
from .drafts import Drafts, PolicyText
from .terraform_plan import PlannedResource
from .terraform_values import AFTER_APPLY, Values

FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
_FULL_AWS_ACCESS = {"Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
_KINDS = {"SERVICE_CONTROL_POLICY": PolicyKind.scp, "RESOURCE_CONTROL_POLICY": PolicyKind.rcp}
_OU = "aws_organizations_organizational_unit"
_ACCOUNT = "aws_organizations_account"


class _Tree:
    def __init__(self, v: Values, docs: Policies) -> None:
        self.v = v
        self.docs = docs
        self.ous = {r.address: r for r in v.plan.of_type(_OU)}
        self.accounts = {r.address: r for r in v.plan.of_type(_ACCOUNT)}
        self.levels: dict[str, dict[PolicyKind, list[PolicyDocument]]] = {}
        self.account_docs: dict[str, dict[PolicyKind, list[PolicyDocument]]] = {}
        self.account_paths: dict[str, str] = {}

    def ou_path(self, ou: PlannedResource, depth: int = 0) -> str:
        name = self.v.name(ou)
        parent = self.v.known(ou, "parent_id")
        if isinstance(parent, str) and parent.startswith("r-"):
            return f"root/{name}"
        linked = self.v.plan.linked(ou, "parent_id", [_OU])
        if not linked and isinstance(parent, str):
            linked = [o for o in self.ous.values() if self.v.known(o, "id") == parent]
        if linked and depth < 10:
            return f"{self.ou_path(linked[0], depth + 1)}/{name}"
        self.v.ledger.placeholder(ou.address, "parent_id", "root",
                                  "the parent OU is not in the plan: placed under the root")
        return f"root/{name}"

    def target(self, att: PlannedResource) -> tuple[str, str] | None:
        """("level", path) or ("account", id) of an attachment's target."""
        target = self.v.known(att, "target_id")
        if isinstance(target, str) and is_account_id(target):
            return ("account", target)
        if isinstance(target, str) and target.startswith("r-"):
            return ("level", "root")
        linked = self.v.plan.linked(att, "target_id", [_OU, _ACCOUNT])
        if not linked and isinstance(target, str):
            linked = [o for o in self.ous.values() if self.v.known(o, "id") == target]
        if linked and linked[0].type == _OU:
            return ("level", self.ou_path(linked[0]))
        if linked:
            account = self.v.known(linked[0], "id")
            if isinstance(account, str) and is_account_id(account):
                return ("account", account)
        if isinstance(target, str) and target.startswith("ou-"):
            self.v.ledger.placeholder(att.address, "target_id", f"root/{target}",
                                      "the OU is not in the plan: placed under the root")
            return ("level", f"root/{target}")
        self.v.ledger.unknown(att.address, "target_id", f"the target is {AFTER_APPLY} or not "
                              f"in the plan", stand_in="the policy is attached nowhere")
        return None

    def policy(self, att: PlannedResource) -> tuple[PolicyKind, PolicyDocument | None] | None:
        policy_id = self.v.known(att, "policy_id")
        if policy_id == FULL_AWS_ACCESS_ID:
            return PolicyKind.scp, parse_policy(_FULL_AWS_ACCESS, name="FullAWSAccess",
                                                kind=PolicyKind.scp)
        policies = self.v.plan.of_type("aws_organizations_policy")
        linked = self.v.plan.linked(att, "policy_id", ["aws_organizations_policy"])
        if not linked and isinstance(policy_id, str):
            linked = [p for p in policies if self.v.known(p, "id") == policy_id]
        if not linked:
            reason = (f"policy {policy_id} is not in the plan" if isinstance(policy_id, str)
                      else f"policy_id is {AFTER_APPLY}")
            return PolicyKind.scp, self.docs.stand_in(att.address, "policy_id", reason,
                                                      PolicyKind.scp, ())
        pol = linked[0]
        kind = _KINDS.get(str(pol.values.get("type") or "SERVICE_CONTROL_POLICY"))
        if kind is None:
            return None
        text: PolicyText = self.v.text(pol, "content", self.v.name(pol))
        return kind, self.docs.policy(text, kind, ())

    def attach(self, att: PlannedResource) -> None:
        policy = self.policy(att)
        target = self.target(att)
        if policy is None or target is None:
            return
        doc = policy[1]
        if doc is None:
            return
        kind = policy[0]
        where, key = target
        docs = self.levels if where == "level" else self.account_docs
        docs.setdefault(key, {}).setdefault(kind, []).append(doc)

    def place_accounts(self) -> None:
        for acct in self.accounts.values():
            account = self.v.known(acct, "id")
            parent = self.v.known(acct, "parent_id")
            if not isinstance(account, str):
                continue
            linked = self.v.plan.linked(acct, "parent_id", [_OU])
            if not linked and isinstance(parent, str):
                linked = [o for o in self.ous.values() if self.v.known(o, "id") == parent]
            self.account_paths[account] = self.ou_path(linked[0]) if linked else "root"
        for account in self.account_docs:
            if account not in self.account_paths:
                self.account_paths[account] = "root"
                self.v.ledger.placeholder(account, "ou_path", "root",
                                          "the account's OU is not in the plan: placed under "
                                          "the root")


def _with_full_access(where: str, attached: dict[PolicyKind, list[PolicyDocument]],
                      v: Values) -> tuple[tuple[PolicyDocument, ...], tuple[PolicyDocument, ...]]:
    scps = list(attached.get(PolicyKind.scp, []))
    if not any(d.name == "FullAWSAccess" for d in scps):
        v.ledger.placeholder(where, "FullAWSAccess", FULL_AWS_ACCESS_ID,
                             "AWS attaches FullAWSAccess at every level by default")
        scps.insert(0, parse_policy(_FULL_AWS_ACCESS, name="FullAWSAccess", kind=PolicyKind.scp))
    return tuple(scps), tuple(attached.get(PolicyKind.rcp, []))


def organization(v: Values, drafts: Drafts) -> tuple[Organization | None, dict[str, Account]]:
    """The organization levels and accounts the plan's SCP/RCP attachments describe."""
    attachments = v.plan.of_type("aws_organizations_policy_attachment")
    if not attachments:
        return None, {}
    tree = _Tree(v, Policies(drafts, v.ledger, {}))
    for att in attachments:
        tree.attach(att)
    tree.place_accounts()
    paths = {"root"} | set(tree.levels) | set(tree.account_paths.values())
    for path in list(paths):
        parts = path.split("/")
        paths.update("/".join(parts[:i]) for i in range(1, len(parts)))
    levels = {}
    for path in sorted(paths):
        scps, rcps = _with_full_access(path, tree.levels.get(path, {}), v)
        levels[path] = OrgLevel(name=path.rsplit("/", 1)[-1], scps=scps, rcps=rcps)
    accounts = {}
    for account, path in tree.account_paths.items():
        scps, rcps = _with_full_access(account, tree.account_docs.get(account, {}), v)
        accounts[account] = Account(id=account, ou_path=path, scps=scps, rcps=rcps)
    return Organization(id=_org_id(v), management_account=_management(v), levels=levels), accounts


def _org(v: Values) -> PlannedResource | None:
    found = v.plan.of_type("aws_organizations_organization") or \
        v.plan.of_type("aws_organizations_organization", mode="data")
    return found[0] if found else None


def _org_id(v: Values) -> str:
    org = _org(v)
    org_id = v.known(org, "id") if org else None
    if isinstance(org_id, str) and org_id:
        return org_id
    v.ledger.placeholder("aws_organizations_organization", "id", "o-exampleorgid",
                         "the organization id is not in the plan")
    return "o-exampleorgid"


def _management(v: Values) -> str | None:
    org = _org(v)
    account = v.known(org, "master_account_id") if org else None
    return account if isinstance(account, str) and account else None
