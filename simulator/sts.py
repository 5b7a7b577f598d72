"""Will STS issue these credentials? The parameter rules STS checks before any policy.

A violation is a validation error (the call fails), not a policy deny:
- DurationSeconds: 900 up to the role's MaxSessionDuration (3600..43200, default 3600); a
  chained session (AssumeRole called with role-session credentials, including instance
  profile and web identity sessions) is capped at one hour and a larger value fails.
  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html (role chaining)
  For a call made with EC2 instance-profile credentials AWS's pages disagree: the role
  chaining entry says applications on EC2 are not role chaining, while STS has been
  reported rejecting DurationSeconds > 3600 there (gitlab-runner issue 38370). trustsim
  applies the cap, the conservative reading, and says so in the stage's message.
- RoleSessionName and SourceIdentity: 2-64 characters of `[\\w+=,.@-]`.
- ExternalId: 2-1224 characters of `[\\w+=,.@:/-]`.
- Session policy: inline policy at most 2048 characters, at most 10 managed policy ARNs.
- Session tags: at most 50. (All: API_AssumeRole.html, request parameters.)
"""

from __future__ import annotations

import json
import re

MIN_DURATION, DEFAULT_DURATION, CHAINED_MAX = 900, 3600, 3600
ROLE_MAX_LIMIT = 43200
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
SESSION_POLICY_MAX = 2048
POLICY_ARNS_MAX = 10
TAGS_MAX = 50
EC2_CHAINING_NOTE = (
    " [AWS documents this ambiguously for EC2 instance-profile credentials: the role "
    "chaining entry of id_roles_terms-and-concepts.html exempts applications on EC2, while "
    "STS has been reported rejecting DurationSeconds > 3600 there (gitlab-runner#38370); "
    "trustsim applies the one-hour cap]")


def duration_problem(duration: int | None, role_max: int, chained: bool) -> tuple[str, str] | None:
    """(code, message) when DurationSeconds would be rejected, else None."""
    wanted = DEFAULT_DURATION if duration is None else duration
    if wanted < MIN_DURATION:
        return ("duration_too_short", f"DurationSeconds {wanted} is below the minimum of "
                                      f"{MIN_DURATION}")
    if chained and wanted > CHAINED_MAX:
        return ("chained_session_over_one_hour",
                f"DurationSeconds {wanted} exceeds the one-hour limit of role chaining (the "
                f"caller holds role-session credentials)")
    if wanted > role_max:
        return ("duration_over_role_maximum", f"DurationSeconds {wanted} exceeds the role's "
                                              f"MaxSessionDuration of {role_max}")
    return None


def session_name_problem(name: str) -> str | None:
    if _SESSION_NAME.match(name):
        return None
    return (f"RoleSessionName {name!r} must be 2-64 characters of letters, digits and "
            f"+=,.@_-")


def source_identity_problem(value: str) -> str | None:
    if _SESSION_NAME.match(value):
        return None
    return f"SourceIdentity {value!r} must be 2-64 characters of letters, digits and +=,.@_-"


def external_id_problem(value: str) -> str | None:
    if _EXTERNAL_ID.match(value):
        return None
    return (f"ExternalId {value!r} must be 2-1224 characters of letters, digits and "
            f"+=,.@:/_- (no spaces)")


def session_policy_problem(text: str | None, document: object, policy_arns: int) -> str | None:
    if policy_arns > POLICY_ARNS_MAX:
        return f"{policy_arns} managed session policies; STS accepts at most {POLICY_ARNS_MAX}"
    if document is None:
        return None
    size = len(text) if text is not None else len(json.dumps(document, separators=(",", ":")))
    if size > SESSION_POLICY_MAX:
        return (f"the inline session policy is {size} characters; STS accepts at most "
                f"{SESSION_POLICY_MAX}")
    return None


def tags_problem(tags: dict[str, str]) -> str | None:
    if len(tags) > TAGS_MAX:
        return f"{len(tags)} session tags; STS accepts at most {TAGS_MAX}"
    return None
