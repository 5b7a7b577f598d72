"""Which policy document does a scenario's policy reference mean?

A reference is one of:
- a mapping: the JSON policy document written as YAML (or JSON) in place;
- a string ending in `.json`: a file beside the scenario, read through the caller's
  `read_file` (which resolves the path and raises InputError for a missing file);
- any other string: the name of an entry of `policies:` (managed policies, defined once and
  attached by name), or a built-in: `FullAWSAccess`, the SCP AWS attaches to every root, OU
  and account by default (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html),
  and `RCPFullAWSAccess`, the RCP AWS attaches likewise
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).

Every document is parsed with `parse_policy` for the kind of place it is attached to (a
trust policy, an SCP, ...), so a Principal in an identity policy or a Resource in a trust
policy is reported where it is referenced.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from typing import Any

from .account_data_fields import Problems
from .errors import InputError
from .policy import PolicyDocument, PolicyKind, parse_policy

FULL_AWS_ACCESS = "FullAWSAccess"
RCP_FULL_AWS_ACCESS = "RCPFullAWSAccess"
_BUILTIN: dict[str, tuple[PolicyKind, dict[str, Any]]] = {
    FULL_AWS_ACCESS: (PolicyKind.scp, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    RCP_FULL_AWS_ACCESS: (PolicyKind.rcp, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}),
}


def is_file(ref: Any) -> bool:
    return isinstance(ref, str) and ref.lower().endswith(".json")


class PolicyRefs:
    """Resolves the policy references of one scenario file; problems go to `problems`."""

    def __init__(self, named: Mapping[str, Any], source: str,
                 read_file: Callable[[str], str], problems: Problems) -> None:
        self.named = named
        self.source = source
        self.read_file = read_file
        self.problems = problems
        self.used: set[str] = set()
        self._files: dict[str, str | InputError] = {}
        self._docs: dict[tuple[str, PolicyKind], PolicyDocument | None] = {}

    def _read(self, path: str, location: str) -> str | None:
        if path not in self._files:
            try:
                self._files[path] = self.read_file(path)
            except InputError as exc:
                self._files[path] = exc
        found = self._files[path]
        if isinstance(found, InputError):
            self.problems.error(found.message, self.source, location)
            return None
        return found

    def _parse(self, raw: Any, name: str, kind: PolicyKind, location: str,
               file: str | None) -> PolicyDocument | None:
        try:
            return parse_policy(raw, name=name, kind=kind, source=self.source,
                                location=location)
        except InputError as exc:
            message = f"{exc.message} (in {file})" if file else exc.message
            self.problems.error(message, self.source, exc.location)
            return None

    def document(self, ref: Any, *, name: str, kind: PolicyKind,
                 location: str) -> PolicyDocument | None:
        """The document `ref` means, parsed as `kind`; None after reporting a problem.
        `name` names inline and file documents; named ones are "managed NAME" (or
        "scp NAME", "rcp NAME")."""
        if isinstance(ref, dict):
            return self._parse(ref, name, kind, location, None)
        if is_file(ref):
            text = self._read(ref, location)
            return None if text is None else self._parse(text, name, kind, location, ref)
        return self.by_name(str(ref), kind, location)

    def by_name(self, name: str, kind: PolicyKind, location: str) -> PolicyDocument | None:
        """The entry `name` of `policies:` (or a built-in), parsed as `kind`."""
        label = f"{kind.value} {name}" if kind in (PolicyKind.scp, PolicyKind.rcp) else \
            f"managed {name}"
        if name in self.named:
            self.used.add(name)
            key = (name, kind)
            if key not in self._docs:
                self._docs[key] = self._named(name, label, kind)
            return self._docs[key]
        if name in _BUILTIN and _BUILTIN[name][0] is kind:
            return parse_policy(_BUILTIN[name][1], name=label, kind=kind)
        self._no_such_name(name, location, [*self.named, *_BUILTIN])
        return None

    def _no_such_name(self, name: str, location: str, candidates: list[str]) -> None:
        close = difflib.get_close_matches(name, candidates, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.problems.error(f"no policy named {name!r} under policies:{hint} (a policy file "
                            f"name ends in .json)", self.source, location)

    def _unparsed(self, ref: Any, location: str) -> dict[str, Any] | str | None:
        """A mapping or a .json file's text; a name here (a named policy naming another) is
        reported."""
        if isinstance(ref, dict):
            return ref
        if is_file(ref):
            return self._read(ref, location)
        self.problems.error("must be a policy document or a file name ending in .json (one "
                            "named policy cannot name another)", self.source, location)
        return None

    def _named(self, name: str, label: str, kind: PolicyKind) -> PolicyDocument | None:
        ref, where = self.named[name], f"policies.{name}"
        raw = self._unparsed(ref, where)
        return None if raw is None else self._parse(raw, label, kind, where,
                                                    ref if is_file(ref) else None)

    def raw(self, ref: Any, location: str) -> dict[str, Any] | str | None:
        """The document `ref` means, unparsed (a mapping, or a file's JSON text) for a reader
        that parses it where it is attached; None after reporting a problem."""
        if isinstance(ref, str) and not is_file(ref):
            if ref not in self.named:
                self._no_such_name(ref, location, list(self.named))
                return None
            self.used.add(ref)
            location, ref = f"policies.{ref}", self.named[ref]
        return self._unparsed(ref, location)

    def text(self, ref: Any) -> str | None:
        """The policy as sent to STS (for the inline session policy's size limit)."""
        if isinstance(ref, str) and ref in self.named:
            ref = self.named[ref]
        if isinstance(ref, dict):
            return json.dumps(ref, separators=(",", ":"))
        found = self._files.get(ref) if is_file(ref) else None
        return found.strip() if isinstance(found, str) else None

    def check_unused(self) -> None:
        """A policy defined but attached nowhere is still checked: as an identity policy, or
        as a resource policy when it names a Principal."""
        for name in self.named:
            if name in self.used:
                continue
            raw = self.named[name]
            if is_file(raw):
                text = self._read(raw, f"policies.{name}")
                named_principal = text is not None and '"Principal"' in text
            else:
                named_principal = '"Principal"' in json.dumps(raw)
            kind = PolicyKind.resource if named_principal else PolicyKind.identity
            self.by_name(name, kind, f"policies.{name}")
