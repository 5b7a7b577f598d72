"""How long does the graph take to build, and to answer who-can, on a large organization?

Generates (seeded) an organization of 200 accounts (3 OUs with SCPs, an RCP data
perimeter on Prod), 10,000 roles, 20,000 role policies (a trust policy and an identity
policy per role), 400 IAM users, 2,000 buckets (a third with bucket policies) and one KMS
key per account. Trust patterns, 50 roles per account:

- 15 EC2 instance roles (instance profile; S3 on the account's buckets; every fifth may
  assume a data role of another account: chains across accounts);
- 8 Lambda roles; 4 deployer roles trusted by the CI role of account 0, one of which may
  pass the account's EC2 roles to EC2;
- 5 vendor roles trusting an external vendor account (20 vendors, outside the world) with
  an ExternalId, some narrowed to the vendor's role by aws:PrincipalArn;
- 5 web identity roles trusting the account's EKS OIDC provider with a `:sub` condition,
  every second one allowed to assume a data role elsewhere (IRSA chaining);
- 10 data roles trusting one named role of another account;
- 3 admin roles trusting the account with an MFA condition, assumed by the users.

Then builds the graph with lazy principal edges (the default) and answers who_can
s3:GetObject on one bucket; a second run does the same with every principal edge decided
up front (eager). Prints wall
and CPU seconds, decide() calls and peak memory (ru_maxrss; `--tracemalloc` adds
tracemalloc's peak, and slows everything down). The generated world is moved out of the
cyclic garbage collector's reach with `gc.freeze()` before timing, as a long-running
caller would: without it, each collection rescans the millions of objects of the world.
Run: `python benchmarks/bench_graph.py [--seed S] [--accounts N] [--tracemalloc]`.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from typing import Any

from simulator.graph import build_graph
from simulator.policy import PolicyDocument, PolicyKind, parse_policy
from simulator.questions import who_can
from simulator.world import (
    Account,
    Bucket,
    InstanceProfile,
    KmsKey,
    OidcProvider,
    Organization,
    OrgLevel,
    Role,
    User,
    World,
)

Json = dict[str, Any]
ORG = "o-bench00001"
OUS = ("root/Prod", "root/Dev", "root/Sandbox")
VENDORS = tuple(f"9{i:011d}" for i in range(1, 21))


def _doc(statements: list[Json], name: str, kind: PolicyKind) -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Statement": statements}, name=name,
                        kind=kind)


def _account(i: int) -> str:
    return f"{100000000000 + i * 1111:012d}"


def _trust(principal: Json, action: str = "sts:AssumeRole",
           condition: Json | None = None) -> list[Json]:
    stmt: Json = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        stmt["Condition"] = condition
    return [stmt]


def _s3(buckets: list[str], write: bool) -> Json:
    actions = ["s3:GetObject", "s3:ListBucket"] + (["s3:PutObject"] if write else [])
    return {"Effect": "Allow", "Action": actions,
            "Resource": [f"arn:aws:s3:::{b}" for b in buckets] +
                        [f"arn:aws:s3:::{b}/*" for b in buckets]}


class Generator:
    def __init__(self, seed: int, accounts: int) -> None:
        self.rng = random.Random(seed)
        self.n = accounts
        self.accounts = [_account(i) for i in range(accounts)]
        self.roles: list[Role] = []
        self.users: list[User] = []
        self.profiles: list[InstanceProfile] = []
        self.buckets: list[Bucket] = []
        self.documents = 0

    def doc(self, statements: list[Json], name: str, kind: PolicyKind) -> PolicyDocument:
        self.documents += 1
        return _doc(statements, name, kind)

    def role(self, account: str, name: str, trust: list[Json],
             statements: list[Json]) -> str:
        arn = f"arn:aws:iam::{account}:role/{name}"
        self.roles.append(Role(arn=arn, trust=self.doc(trust, f"{name}-trust", PolicyKind.trust),
                               policies=(self.doc(statements, f"{name}-policy",
                                                  PolicyKind.identity),)))
        return arn

    def elsewhere(self, i: int) -> str:
        return self.accounts[(i + 1 + self.rng.randrange(self.n - 1)) % self.n]

    def world(self) -> World:
        for i, account in enumerate(self.accounts):
            self._account(i, account)
        full = (self._scp_full(),)  # FullAWSAccess is attached at every level by default
        levels = {"root": OrgLevel(name="root", scps=full),
                  "root/Prod": OrgLevel(name="Prod", scps=full, rcps=(self._perimeter(),)),
                  "root/Dev": OrgLevel(name="Dev", scps=full),
                  "root/Sandbox": OrgLevel(name="Sandbox", scps=(self._sandbox(),))}
        return World(
            name="bench", organization=Organization(id=ORG, management_account=_account(999),
                                                    levels=levels),
            accounts={a: Account(id=a, name=f"acct-{i}", ou_path=OUS[i % 3], scps=full)
                      for i, a in enumerate(self.accounts)},
            users=tuple(self.users), roles=tuple(self.roles),
            instance_profiles=tuple(self.profiles),
            oidc_providers=tuple(OidcProvider(arn=self._oidc(a)) for a in self.accounts),
            buckets=tuple(self.buckets),
            keys=tuple(KmsKey(arn=self._key(a), policy=self._key_policy(a))
                       for a in self.accounts))

    def _scp_full(self) -> PolicyDocument:
        return _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"}], "FullAWSAccess",
                    PolicyKind.scp)

    def _sandbox(self) -> PolicyDocument:
        return _doc([{"Effect": "Allow", "Action": "*", "Resource": "*"},
                     {"Effect": "Deny", "Action": ["s3:DeleteObject", "s3:PutBucketPolicy"],
                      "Resource": "*"}], "sandbox-guardrails", PolicyKind.scp)

    def _perimeter(self) -> PolicyDocument:
        return _doc([{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
                      "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG},
                                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}],
                    "data-perimeter", PolicyKind.rcp)

    def _oidc(self, account: str) -> str:
        return f"arn:aws:iam::{account}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/" \
               f"C{account}"

    def _key(self, account: str) -> str:
        return f"arn:aws:kms:us-east-1:{account}:key/k-{account}"

    def _key_policy(self, account: str) -> PolicyDocument:
        return _doc([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                      "Action": "kms:*", "Resource": "*"}], f"key-{account}",
                    PolicyKind.resource)

    def _account(self, i: int, account: str) -> None:
        rng = self.rng
        names = [f"b{i:03d}-{j}" for j in range(10)]
        ci = f"arn:aws:iam::{self.accounts[0]}:role/ci"
        oidc = self._oidc(account)
        issuer = oidc.split(":oidc-provider/")[1]
        for j in range(15):
            assume = [] if j % 5 else [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                        "Resource": f"arn:aws:iam::{self.elsewhere(i)}:role/"
                                                    f"data-{rng.randrange(10)}"}]
            arn = self.role(account, f"app-ec2-{j}", _trust({"Service": "ec2.amazonaws.com"}),
                            [_s3(rng.sample(names, 2), write=j % 2 == 0), *assume])
            self.profiles.append(InstanceProfile(
                arn=f"arn:aws:iam::{account}:instance-profile/app-ec2-{j}", role=arn))
        for j in range(8):
            self.role(account, f"fn-{j}", _trust({"Service": "lambda.amazonaws.com"}),
                      [_s3(rng.sample(names, 1), write=True)])
        for j in range(4):
            passer = [] if j else [{"Effect": "Allow", "Action": "iam:PassRole",
                                    "Resource": f"arn:aws:iam::{account}:role/app-ec2-*",
                                    "Condition": {"StringEquals": {
                                        "iam:PassedToService": "ec2.amazonaws.com"}}}]
            self.role(account, f"deploy-{j}", _trust({"AWS": ci}),
                      [{"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"},
                       *passer])
        for j in range(5):
            vendor = VENDORS[(i + j) % len(VENDORS)]
            condition: Json = {"StringEquals": {"sts:ExternalId": f"ext-{account}-{j}"}}
            if j == 4:
                condition["ArnLike"] = {"aws:PrincipalArn": f"arn:aws:iam::{vendor}:role/conn-*"}
            self.role(account, f"vendor-{j}", _trust({"AWS": f"arn:aws:iam::{vendor}:root"},
                                                     condition=condition),
                      [_s3(rng.sample(names, 2), write=False)])
        for j in range(5):
            chain = [{"Effect": "Allow", "Action": "sts:AssumeRole",
                      "Resource": f"arn:aws:iam::{self.elsewhere(i)}:role/data-*"}] \
                if j % 2 == 0 else []
            self.role(account, f"irsa-{j}", _trust(
                {"Federated": oidc}, "sts:AssumeRoleWithWebIdentity",
                {"StringEquals": {f"{issuer}:sub": f"system:serviceaccount:ns{j}:app",
                                  f"{issuer}:aud": "sts.amazonaws.com"}}),
                [_s3(rng.sample(names, 1), write=False), *chain])
        for j in range(10):
            other = self.elsewhere(i)
            source = f"arn:aws:iam::{other}:role/app-ec2-{rng.randrange(0, 15, 5)}" \
                if j % 2 else f"arn:aws:iam::{other}:role/irsa-{rng.randrange(0, 5, 2)}"
            self.role(account, f"data-{j}", _trust({"AWS": source}),
                      [_s3(rng.sample(names, 3), write=j < 3)])
        for j in range(3):
            self.role(account, f"admin-{j}", _trust(
                {"AWS": f"arn:aws:iam::{account}:root"},
                condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
        if i == 0:
            self.role(account, "ci", _trust({"Service": "codebuild.amazonaws.com"}),
                      [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Resource": "arn:aws:iam::*:role/deploy-*"}])
        for j in range(2):
            self.users.append(User(arn=f"arn:aws:iam::{account}:user/ops-{j}", policies=(
                _doc([{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Resource": f"arn:aws:iam::{account}:role/admin-*"}],
                     f"ops-{j}", PolicyKind.identity),)))
        for j, name in enumerate(names):
            self.buckets.append(Bucket(name=name, account=account,
                                       policy=self._bucket_policy(i, name) if j % 3 == 0
                                       else None))

    def _bucket_policy(self, i: int, name: str) -> PolicyDocument:
        reader = f"arn:aws:iam::{self.elsewhere(i)}:role/app-ec2-{self.rng.randrange(15)}"
        return _doc([
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Allow", "Principal": {"AWS": reader}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{name}/shared/*"}], f"bucket-{name}",
            PolicyKind.resource)


def _measure(world: World, eager: bool, bucket: str) -> tuple[float, float, float, int, int]:
    """(build seconds, answer seconds, CPU seconds of both, decide() calls, principals)."""
    cpu = time.process_time()
    start = time.perf_counter()
    graph = build_graph(world, eager=eager)
    built = time.perf_counter()
    answer = who_can(graph, "s3:GetObject", f"arn:aws:s3:::{bucket}/*")
    done = time.perf_counter()
    return (built - start, done - built, time.process_time() - cpu, graph.decisions,
            len(answer.principals()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    gen = Generator(args.seed, args.accounts)
    world = gen.world()
    generated = time.perf_counter() - start
    gc.freeze()  # the world is long-lived: keep the cyclic GC from rescanning it
    bucket = f"b{min(7, args.accounts - 1):03d}-3"
    print(f"world: {len(world.accounts)} accounts, {len(world.roles)} roles, "
          f"{len(world.users)} users, {gen.documents} role/user policies, "
          f"{len(world.buckets)} buckets; generated in {generated:.1f} s")
    for eager in (False, True):  # lazy first: it must not profit from the eager run's caches
        build, answer, cpu, calls, found = _measure(world, eager, bucket)
        mode = "eager principal edges" if eager else "lazy principal edges "
        print(f"{mode}: build {build:.2f} s, who_can s3:GetObject {answer:.2f} s, "
              f"total {build + answer:.2f} s wall ({cpu:.2f} s CPU), {calls} decide() calls, "
              f"{found} principals")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = f"peak memory: ru_maxrss {rss:.0f} MiB"
    if args.tracemalloc:
        line += f", tracemalloc peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB"
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
