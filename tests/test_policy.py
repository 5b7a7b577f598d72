"""Policy parsing: documents AWS would reject raise PolicyError naming the place; anything
else parses; whatever JSON comes in, nothing but PolicyError escapes, and a parsed document
can always be evaluated.

AWS:
- grammar (Statement an object or a list, values a string or a list of strings):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
- Effect is exactly Allow or Deny:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
- Action xor NotAction, no wildcard in the service prefix:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
- Resource is an ARN (no wildcard in the service segment):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
- no Principal in identity policies; no partial wildcards in principals:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
- no NotPrincipal in role trust policies:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
- condition operators (unknown ones, Null without IfExists, no variables for Numeric/Date,
  no wildcards for Date):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
- Version 2012-10-17 or 2008-10-17; variables only under 2012-10-17:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.decision import PolicySet, decide
from simulator.errors import PolicyError
from simulator.policy import PolicyDocument, PolicyKind, parse_policy
from simulator.request import Request, make_request
from simulator.results import Decision

OK: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
TRUST_OK: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole",
                            "Principal": {"AWS": "111111111111"}}


def policy(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ERRORS: list[Any] = [
    pytest.param(PolicyKind.identity, policy(OK, {**OK, "Effect": "allow"}),
                 "Statement[1].Effect", r'Effect must be exactly "Allow" or "Deny"',
                 id="unknown-effect"),
    pytest.param(PolicyKind.identity, policy({**OK, "Effect": "Permit"}),
                 "Statement[0].Effect", r"got 'Permit'", id="unknown-effect-permit"),
    pytest.param(PolicyKind.identity, policy({**OK, "NotAction": "s3:PutObject"}),
                 "Statement[0]", r"Action or NotAction, not both", id="action-and-notaction"),
    pytest.param(PolicyKind.identity, policy({**OK, "NotResource": "*"}),
                 "Statement[0]", r"Resource or NotResource, not both",
                 id="resource-and-notresource"),
    pytest.param(PolicyKind.identity,
                 policy(OK, {**OK, "Condition": {"StringEqualz": {"aws:username": "a"}}}),
                 "Statement[1].Condition.StringEqualz",
                 r"unknown condition operator 'StringEqualz'", id="unknown-operator"),
    pytest.param(PolicyKind.identity,
                 policy({**OK, "Condition": {"ForSomeValues:StringEquals": {"k": "v"}}}),
                 "Statement[0].Condition.ForSomeValues:StringEquals",
                 r"unknown condition qualifier", id="unknown-qualifier"),
    pytest.param(PolicyKind.identity,
                 policy({**OK, "Condition": {"NullIfExists": {"aws:TokenIssueTime": "true"}}}),
                 "Statement[0].Condition.NullIfExists", r"Null takes no IfExists",
                 id="null-ifexists"),
    pytest.param(PolicyKind.identity,
                 policy({**OK, "Condition": {"NumericLessThan": {
                     "aws:MultiFactorAuthAge": "${aws:PrincipalTag/max}"}}}),
                 "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge",
                 r"variables", id="numeric-variable"),
    pytest.param(PolicyKind.identity,
                 policy({**OK, "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-*"}}}),
                 "Statement[0].Condition.DateLessThan.aws:CurrentTime", r"wildcards",
                 id="date-wildcard"),
    pytest.param(PolicyKind.identity,
                 policy({**OK, "Condition": {"IpAddress": {"aws:SourceIp": "${aws:x}"}}}),
                 "Statement[0].Condition.IpAddress.aws:SourceIp", r"variables",
                 id="ip-variable"),
    pytest.param(PolicyKind.identity, policy({**OK, "Principal": "*"}), "Statement[0]",
                 r"must not name a Principal", id="principal-in-identity"),
    pytest.param(PolicyKind.boundary, policy({**OK, "Principal": {"AWS": "111111111111"}}),
                 "Statement[0]", r"must not name a Principal", id="principal-in-boundary"),
    pytest.param(PolicyKind.trust,
                 policy({"Effect": "Deny", "Action": "sts:AssumeRole",
                         "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:user/a"}}),
                 "Statement[0].NotPrincipal", r"NotPrincipal is not allowed in a role trust",
                 id="notprincipal-in-trust"),
    pytest.param(PolicyKind.trust,
                 policy(TRUST_OK, {**TRUST_OK, "Principal": {
                     "AWS": ["111111111111", "arn:aws:iam::111111111111:user/dev-*"]}}),
                 "Statement[1].Principal.AWS[1]", r"no partial wildcards",
                 id="partial-wildcard-principal"),
    pytest.param(PolicyKind.resource,
                 policy({**OK, "Principal": {"AWS": "arn:aws:iam::*:root"}}),
                 "Statement[0].Principal.AWS[0]", r"no partial wildcards",
                 id="wildcard-account-principal"),
    pytest.param(PolicyKind.trust,
                 policy({**TRUST_OK, "Principal": {"Service": "*.amazonaws.com"}}),
                 "Statement[0].Principal.Service", r"no wildcards", id="wildcard-service"),
    pytest.param(PolicyKind.resource,
                 policy({**OK, "Principal": {"Group": "arn:aws:iam::111111111111:group/g"}}),
                 "Statement[0].Principal.Group", r"unknown principal type 'Group'",
                 id="group-principal"),
    pytest.param(PolicyKind.identity,
                 policy({**OK, "Resource": ["arn:aws:s3:::bucket-a/*", "arn:aws:s3"]}),
                 "Statement[0].Resource[1]", r"not an ARN", id="malformed-resource-arn"),
    pytest.param(PolicyKind.identity, policy({**OK, "Resource": "bucket-a/*"}),
                 "Statement[0].Resource[0]", r"not an ARN", id="resource-not-arn"),
    pytest.param(PolicyKind.identity, policy({**OK, "Resource": "arn:aws:s*:::bucket-a"}),
                 "Statement[0].Resource[0]", r"bad service segment",
                 id="resource-service-wildcard"),
    # RCPs: "Every RCP must include a Version element with the value 2012-10-17"
    # (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html);
    # "SCPs and RCPs do not support NotPrincipal"
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)
    pytest.param(PolicyKind.rcp, {"Statement": [{**OK, "Effect": "Deny", "Principal": "*"}]},
                 "Version", r"resource control policy needs Version 2012-10-17",
                 id="rcp-without-version"),
    pytest.param(PolicyKind.rcp, {"Version": "2008-10-17",
                                  "Statement": [{**OK, "Effect": "Deny", "Principal": "*"}]},
                 "Version", r"needs Version 2012-10-17", id="rcp-version-2008"),
    pytest.param(PolicyKind.rcp, policy({**OK, "Effect": "Deny",
                                         "NotPrincipal": {"AWS": "111111111111"}}),
                 "Statement[0].NotPrincipal", r"not allowed in a resource control policy",
                 id="rcp-notprincipal"),
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    # ("arn:aws:iam::123456789012:u*" is the page's example of a wildcard it does not allow)
    pytest.param(PolicyKind.identity, policy({**OK, "Resource": "arn:aws:iam::123456789012:u*"}),
                 "Statement[0].Resource[0]", r"resource-type word", id="iam-type-word-wildcard"),
    pytest.param(PolicyKind.identity,
                 policy({"Effect": "Deny", "Action": "iam:*",
                         "NotResource": "arn:aws:iam::123456789012:*/admin"}),
                 "Statement[0].NotResource[0]", r"resource-type word",
                 id="iam-type-word-star-before-slash"),
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
    # (variables only after the fifth colon of a Resource ARN)
    pytest.param(PolicyKind.identity,
                 policy({**OK, "Resource": "arn:aws:iam::${aws:PrincipalAccount}:role/x"}),
                 "Statement[0].Resource[0]", r"only in the resource part",
                 id="variable-in-account-segment"),
    pytest.param(PolicyKind.identity, policy({**OK, "Action": ["s3:GetObject", "s*:Get*"]}),
                 "Statement[0].Action[1]", r"wildcard in its service prefix",
                 id="action-service-wildcard"),
    pytest.param(PolicyKind.identity, policy({**OK, "Action": "*:GetObject"}),
                 "Statement[0].Action[0]", r"wildcard in its service prefix",
                 id="action-service-star"),
    pytest.param(PolicyKind.identity, policy({**OK, "Action": "GetObject"}),
                 "Statement[0].Action[0]", r"not service:Action", id="action-no-service"),
    pytest.param(PolicyKind.identity, policy(OK, "Allow s3"), "Statement[1]",
                 r"a statement must be an object, got a string", id="statement-not-object"),
    pytest.param(PolicyKind.identity, policy([OK]), "Statement[0]",
                 r"a statement must be an object, got a list", id="statement-nested-list"),
    pytest.param(PolicyKind.identity, policy({"Effect": "Allow", "Resource": "*"}),
                 "Statement[0]", r"needs Action or NotAction", id="no-action"),
    pytest.param(PolicyKind.identity, policy({"Effect": "Allow", "Action": "s3:*"}),
                 "Statement[0]", r"needs Resource or NotResource", id="no-resource"),
    pytest.param(PolicyKind.trust, policy({**TRUST_OK, "Resource": "*"}), "Statement[0]",
                 r"trust policy has no Resource", id="resource-in-trust"),
    pytest.param(PolicyKind.resource, policy(OK), "Statement[0]", r"needs a Principal",
                 id="rbp-without-principal"),
    pytest.param(PolicyKind.identity, policy({**OK, "Action": []}), "Statement[0].Action",
                 r"must not be an empty list", id="empty-action-list"),
    pytest.param(PolicyKind.identity, policy({**OK, "Resource": 7}), "Statement[0].Resource",
                 r"got a number", id="resource-number"),
    pytest.param(PolicyKind.identity, policy({**OK, "Condition": {"StringEquals": {
                     "aws:username": {"nested": 1}}}}),
                 "Statement[0].Condition.StringEquals.aws:username", r"got an object",
                 id="condition-value-object"),
    pytest.param(PolicyKind.identity, policy({**OK, "Condition": ["StringEquals"]}),
                 "Statement[0].Condition", r"must be an object", id="condition-list"),
    pytest.param(PolicyKind.identity, policy({**OK, "Effect": "Allow", "Foo": 1}),
                 "Statement[0]", r"unknown element 'Foo'", id="unknown-element"),
    pytest.param(PolicyKind.identity, {"Version": "2013-01-01", "Statement": [OK]},
                 "Version", r"Version must be 2012-10-17 or 2008-10-17", id="bad-version"),
    pytest.param(PolicyKind.identity, {"Version": "2012-10-17"}, "",
                 r"needs a Statement", id="no-statement"),
    pytest.param(PolicyKind.identity, ["not", "an", "object"], "",
                 r"must be an object, got a list", id="document-not-object"),
    pytest.param(PolicyKind.identity, '{"Version": "2012-10-17", "Statement": [', "",
                 r"not valid JSON", id="bad-json-text"),
    pytest.param(PolicyKind.identity, "", "", r"not valid JSON", id="empty-json-text"),
]


@pytest.mark.parametrize(("kind", "raw", "location", "message"), ERRORS)
def test_parse_error_location(kind: PolicyKind, raw: Any, location: str,
                              message: str) -> None:
    with pytest.raises(PolicyError, match=message) as info:
        parse_policy(raw, name="p", kind=kind)
    assert info.value.location == location


def test_error_carries_source_and_location_prefix() -> None:
    """Inside a case file the location is prefixed with the key path of the document."""
    raw = policy(OK, {**OK, "Effect": "allow"})
    with pytest.raises(PolicyError) as info:
        parse_policy(raw, name="identity[0]", kind=PolicyKind.identity, source="case-7",
                     location="policies.identity[0]")
    err = info.value
    assert err.source == "case-7"
    assert err.location == "policies.identity[0].Statement[1].Effect"
    assert str(err).startswith("case-7: policies.identity[0].Statement[1].Effect: ")


def test_bad_json_text_location_is_the_document() -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy("{oops", name="p", kind=PolicyKind.identity, location="policies.trust")
    assert info.value.location == "policies.trust"
    assert "line 1 column 2" in info.value.message


@pytest.mark.parametrize("version", [[], ["2012-10-17"], {"v": 1}])
def test_unhashable_version_is_a_policy_error(version: Any) -> None:
    """A Version that is not a string is a malformed document (Version page), which must be
    reported as PolicyError at `Version`, not crash with TypeError."""
    with pytest.raises(PolicyError) as info:
        parse_policy({"Version": version, "Statement": [OK]}, name="p",
                     kind=PolicyKind.identity)
    assert info.value.location == "Version"


def test_valid_shapes() -> None:
    """Statement may be one object; values may be a string or a list; JSON text is read."""
    single = parse_policy({"Version": "2012-10-17", "Statement": OK}, name="p",
                          kind=PolicyKind.identity)
    assert len(single.statements) == 1
    assert single.statements[0].action == ("s3:GetObject",)
    text = parse_policy(json.dumps(policy(OK, {**OK, "Effect": "Deny",
                                               "Action": ["s3:PutObject", "s3:DeleteObject"]})),
                        name="p", kind=PolicyKind.identity)
    assert [s.effect for s in text.statements] == ["Allow", "Deny"]
    assert text.statements[1].action == ("s3:PutObject", "s3:DeleteObject")
    assert text.statements[1].index == 1


@pytest.mark.parametrize("resource", [
    "arn:aws:iam::123456789012:*", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/a?c",
    "arn:aws:iam::123456789012:user/${aws:username}", "arn:aws:s3:::my*/*",
    "arn:aws:s3:::bucket/${aws:username}/*", "arn:aws:sts::123456789012:assumed-role/R/*"])
def test_wildcards_and_variables_where_aws_allows_them(resource: str) -> None:
    """The twins of the type-word and variable-placement errors above."""
    doc = parse_policy(policy({**OK, "Resource": resource}), name="p", kind=PolicyKind.identity)
    assert doc.statements[0].resource == (resource,)


@pytest.mark.parametrize(("version", "enabled"), [("2012-10-17", True), ("2008-10-17", False),
                                                  (None, False)])
def test_variables_only_under_2012_10_17(version: str | None, enabled: bool) -> None:
    raw: dict[str, Any] = {"Statement": [OK]}
    if version:
        raw["Version"] = version
    doc = parse_policy(raw, name="p", kind=PolicyKind.identity)
    assert doc.version == version
    assert doc.variables_enabled is enabled


def test_principal_forms() -> None:
    """`"*"` and `{"AWS": "*"}` are the same principal; account ids, ARNs, Service and
    Federated principals are accepted (Principal element page)."""
    star = parse_policy(policy({**OK, "Principal": "*"}), name="p", kind=PolicyKind.resource)
    aws_star = parse_policy(policy({**OK, "Principal": {"AWS": "*"}}), name="p",
                            kind=PolicyKind.resource)
    assert star.statements[0].principal == aws_star.statements[0].principal
    mixed = parse_policy(policy({**TRUST_OK, "Principal": {
        "AWS": ["111111111111", "arn:aws:iam::222222222222:root",
                "arn:aws:iam::111111111111:role/path/App",
                "arn:aws:sts::111111111111:assumed-role/App/s1"],
        "Service": "ec2.amazonaws.com",
        "Federated": "arn:aws:iam::111111111111:oidc-provider/oidc.example.com"}}),
        name="t", kind=PolicyKind.trust)
    block = mixed.statements[0].principal
    assert block is not None and not block.everyone
    assert len(block.aws) == 4 and block.service == ("ec2.amazonaws.com",)


# ---------------------------------------------------------------------------------------------
# Fuzzing: any JSON value either parses or raises PolicyError; parsed documents evaluate.

INTERESTING = [
    "Allow", "Deny", "allow", "*", "", "s3:GetObject", "s3:*", "S3:get*", "s*:Get",
    "sts:AssumeRole",
    "iam:PassRole", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-a", "arn:aws:s3",
    "arn:aws:iam::111111111111:root", "111111111111", "arn:aws:iam::111111111111:user/alice",
    "arn:aws:iam::111111111111:role/App", "arn:aws:sts::111111111111:assumed-role/App/s1",
    "arn:aws:iam::*:root", "ec2.amazonaws.com", "AROAEXAMPLEID", "2012-10-17", "2008-10-17",
    "${aws:username}", "${aws:PrincipalTag/team, 'x'}", "${*}", "${", "true", "false",
    "10.0.0.0/8", "2001:db8::/64", "2026-01-01T00:00:00Z", "1767225600", "9" * 40, "QUFB",
    "o-abc123", "arn:aws:iam::${aws:PrincipalAccount}:role/*", "a?c",
]
KEYS = [
    "Version", "Statement", "Id", "Sid", "Effect", "Action", "NotAction", "Resource",
    "NotResource", "Principal", "NotPrincipal", "Condition", "AWS", "Service", "Federated",
    "CanonicalUser",
]
OPERATORS = [
    "StringEquals", "StringNotEquals", "StringLike", "StringNotLikeIfExists",
    "StringEqualsIgnoreCase", "NumericLessThan", "NumericEquals", "DateLessThan",
    "DateEquals", "Bool", "BoolIfExists", "BinaryEquals", "IpAddress", "NotIpAddress",
    "ArnLike", "ArnNotEquals", "Null", "NullIfExists", "ForAllValues:StringEquals",
    "ForAnyValue:StringLike", "ForAnyValue:Null", "StringEqualz",
]
CONDITION_KEYS = [
    "aws:username", "aws:SourceIp", "aws:CurrentTime", "aws:PrincipalArn", "aws:TagKeys",
    "aws:MultiFactorAuthPresent", "aws:PrincipalOrgID", "AWS:SOURCEIP", "s3:prefix",
    "sts:ExternalId", "key", "",
]

texts = st.one_of(st.sampled_from(INTERESTING), st.text(max_size=8))
scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                    st.floats(allow_nan=False, allow_infinity=False), texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=5)), children,
                        max_size=4)),
    max_leaves=12)
string_or_list = st.one_of(texts, st.lists(texts, max_size=3), json_values)
principal = st.one_of(
    st.just("*"),
    st.dictionaries(st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "Group"]),
                    string_or_list, max_size=3),
    json_values)
condition = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(OPERATORS), st.text(max_size=6)),
        st.one_of(st.dictionaries(st.sampled_from(CONDITION_KEYS),
                                  st.one_of(scalars, st.lists(scalars, max_size=3)),
                                  max_size=3), json_values),
        max_size=3),
    json_values)
statement = st.fixed_dictionaries(
    {},
    optional={"Sid": st.one_of(texts, json_values),
              "Effect": st.one_of(st.sampled_from(["Allow", "Deny"]), json_values),
              "Action": string_or_list, "NotAction": string_or_list,
              "Resource": string_or_list, "NotResource": string_or_list,
              "Principal": principal, "NotPrincipal": principal, "Condition": condition})
documents = st.one_of(
    st.fixed_dictionaries(
        {"Statement": st.one_of(statement, st.lists(statement, max_size=3), json_values)},
        optional={"Version": st.one_of(st.sampled_from(["2012-10-17", "2008-10-17"]),
                                       json_values),
                  "Id": json_values}),
    json_values)

# statements that are usually valid, so that evaluation gets exercised too
VALID_ACTIONS = ["s3:GetObject", "s3:*", "S3:get*", "sts:AssumeRole", "*", "iam:PassRole",
                 "sts:AssumeRole*", "s3:Get?bject"]
VALID_RESOURCES = ["*", "arn:aws:s3:::bucket-a/*", "arn:aws:s3:::bucket-a/${aws:username}/*",
                   "arn:aws:iam::111111111111:role/*", "arn:aws:s3:::bucket-a/${*}",
                   "arn:aws:s3:::bucket-?/*", "arn:aws:s3:::bucket-a/${aws:PrincipalTag/t, 'x'}"]
VALID_PRINCIPALS: list[Any] = [
    "*", {"AWS": "*"}, {"AWS": "111111111111"}, {"AWS": "arn:aws:iam::111111111111:user/alice"},
    {"AWS": "arn:aws:iam::222222222222:role/App"}, {"Service": "ec2.amazonaws.com"},
    {"AWS": ["arn:aws:iam::111111111111:root", "AROAEXAMPLEID"]},
    {"AWS": "arn:aws:sts::222222222222:assumed-role/App/s1"},
]
valid_list = st.one_of(st.sampled_from(VALID_ACTIONS),
                       st.lists(st.sampled_from(VALID_ACTIONS), min_size=1, max_size=3))
VALID_OPERATORS = [op for op in OPERATORS
                   if op not in ("NullIfExists", "ForAnyValue:Null", "StringEqualz")]
valid_condition = st.dictionaries(
    st.sampled_from(VALID_OPERATORS),
    st.dictionaries(st.sampled_from(CONDITION_KEYS[:-1]),
                    st.one_of(st.sampled_from(INTERESTING),
                              st.lists(st.sampled_from(INTERESTING), min_size=1, max_size=3)),
                    min_size=1, max_size=2),
    min_size=1, max_size=3)


@st.composite
def valid_statement(draw: st.DrawFn, kind: PolicyKind) -> dict[str, Any]:
    """A statement that is valid for `kind` in most draws."""
    out: dict[str, Any] = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    out[draw(st.sampled_from(["Action", "NotAction"]))] = draw(valid_list)
    if kind is not PolicyKind.trust:
        out[draw(st.sampled_from(["Resource", "NotResource"]))] = draw(
            st.sampled_from(VALID_RESOURCES))
    if kind.names_principals:
        name = "Principal" if kind is PolicyKind.trust else draw(
            st.sampled_from(["Principal", "Principal", "NotPrincipal"]))
        out[name] = draw(st.sampled_from(VALID_PRINCIPALS))
    if draw(st.booleans()):
        out["Condition"] = draw(valid_condition)
    return out


def documents_for(kind: PolicyKind) -> st.SearchStrategy[Any]:
    good = st.fixed_dictionaries(
        {"Statement": st.lists(valid_statement(kind), min_size=1, max_size=4)},
        optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17"])})
    return st.one_of(good, documents)


USER = make_request("arn:aws:iam::111111111111:user/alice", "s3:GetObject",
                    "arn:aws:s3:::bucket-a/alice/report.csv",
                    principal_account="111111111111", resource_account="111111111111",
                    context={"aws:SourceIp": "10.1.2.3", "aws:CurrentTime": "2025-06-01T00:00:00Z",
                             "aws:TagKeys": ["a", "b"], "aws:MultiFactorAuthPresent": "true",
                             "s3:prefix": "x", "key": "QUFB"})
SESSION = make_request("arn:aws:sts::222222222222:assumed-role/App/s1", "sts:AssumeRole",
                       "arn:aws:iam::111111111111:role/Target",
                       context={"sts:ExternalId": "abc", "aws:PrincipalOrgID": "o-abc123"})
SERVICE = make_request("ec2.amazonaws.com", "sts:AssumeRole",
                       "arn:aws:iam::111111111111:role/Target")


def policy_set(kind: PolicyKind, doc: PolicyDocument) -> PolicySet:
    if kind is PolicyKind.identity:
        return PolicySet(identity=(doc,))
    if kind in (PolicyKind.resource, PolicyKind.trust):
        return PolicySet(resource=doc)
    if kind is PolicyKind.boundary:
        return PolicySet(boundary=doc)
    if kind is PolicyKind.session:
        return PolicySet(session=doc)
    if kind is PolicyKind.scp:
        return PolicySet(scp=((doc,),))
    return PolicySet(rcp=((doc,),))


def parse_or_policy_error(raw: Any, kind: PolicyKind) -> PolicyDocument | None:
    try:
        return parse_policy(raw, name="fuzz", kind=kind)
    except PolicyError as exc:
        assert exc.message
        return None


kinds_and_documents = st.sampled_from(list(PolicyKind)).flatmap(
    lambda kind: st.tuples(st.just(kind), documents_for(kind)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds_and_documents)
def test_any_json_parses_or_raises_policy_error(kind_and_raw: tuple[PolicyKind, Any]) -> None:
    kind, raw = kind_and_raw
    doc = parse_or_policy_error(raw, kind)
    # the same document as JSON text behaves the same way
    from_text = parse_or_policy_error(json.dumps(raw), kind)
    assert (doc is None) is (from_text is None)
    if doc is None:
        return
    assert isinstance(doc, PolicyDocument)
    requests: list[Request] = [USER, SESSION, SERVICE]
    for request in requests:
        for trace in (False, True):
            result = decide(request, policy_set(kind, doc), trace=trace)
            assert result.decision in set(Decision)


# Missing context keys: the keys a condition of a statement that could apply (its Action
# matches) referenced but the request lacked; spelled as the policy wrote them, once each
# (condition key names are case-insensitive: "Condition element", IAM User Guide,
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
MISSING_DOC = policy(
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"StringEquals": {"s3:ExistingObjectTag/Team": "data"}}},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
     "Condition": {"StringEquals": {"S3:existingobjecttag/team": "ops"}}},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
     "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}})


@pytest.mark.parametrize("trace", [False, True])
def test_missing_context_lists_relevant_keys_as_written(trace: bool) -> None:
    doc = parse_policy(MISSING_DOC, name="p", kind=PolicyKind.identity)
    request = make_request("arn:aws:iam::111111111111:user/alice", "s3:GetObject",
                           "arn:aws:s3:::bucket/key")
    result = decide(request, PolicySet(identity=(doc,)), trace=trace)
    assert result.decision is Decision.implicit_deny
    assert result.missing_context == ("s3:ExistingObjectTag/Team",)


def test_traced_condition_check_keeps_the_key_as_written() -> None:
    doc = parse_policy(MISSING_DOC, name="p", kind=PolicyKind.identity)
    request = make_request("arn:aws:iam::111111111111:user/alice", "s3:GetObject",
                           "arn:aws:s3:::bucket/key",
                           context={"s3:existingobjecttag/team": "data"})
    result = decide(request, PolicySet(identity=(doc,)), trace=True)
    assert result.decision is Decision.allow
    first = result.policies[0].statements[0].checks[-1].conditions
    assert first is not None
    assert (first[0].key, first[0].request_values) == ("s3:ExistingObjectTag/Team", ("data",))


def test_trace_covers_the_statements_the_action_reaches_and_counts_the_rest() -> None:
    """A statement whose Action does not match the action cannot apply (evaluation logic,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html):
    a trace explains the others and counts it; `trace_all` explains it too."""
    doc = parse_policy(MISSING_DOC, name="p", kind=PolicyKind.identity)
    request = make_request("arn:aws:iam::111111111111:user/alice", "s3:GetObject",
                           "arn:aws:s3:::bucket/key")
    reached = decide(request, PolicySet(identity=(doc,)), trace=True).policies[0]
    assert [s.ref.index for s in reached.statements] == [0, 1]
    assert reached.not_traced == 1
    every = decide(request, PolicySet(identity=(doc,)), trace_all=True).policies[0]
    assert [s.ref.index for s in every.statements] == [0, 1, 2]
    assert every.not_traced == 0
    third = every.statements[2]
    assert third.failed is not None and third.failed.reason == "action_mismatch"
    assert (reached.decision, reached.statements) == (every.decision, every.statements[:2])
