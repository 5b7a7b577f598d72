"""The exception family for bad input. Only bad input raises; a deny is an answer, not an error.

    TrustsimError            anything trustsim refuses to read
    ├── InputError           one problem at one place: file, location (key path), message
    │   ├── PolicyError      a policy document that AWS would reject (statement index, element)
    │   └── ArnError         a string that is not an ARN of the form the place requires
    └── InputErrors          several InputErrors of one file, reported together

Every error knows where it happened, so the CLI prints one line per problem and exits 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class TrustsimError(Exception):
    """Base class: trustsim could not read or accept its input."""


class InputError(TrustsimError):
    """One problem in the input, with the place it was found.

    `source` names the file (or "<case id>"), `location` is a key path such as
    `Statement[2].Condition.StringEquals`; either may be empty when unknown.
    """

    def __init__(self, message: str, *, source: str = "", location: str = "") -> None:
        self.message = message
        self.source = source
        self.location = location
        super().__init__(self.render())

    def render(self) -> str:
        place = ": ".join(p for p in (self.source, self.location) if p)
        return f"{place}: {self.message}" if place else self.message

    def within(self, source: str = "", prefix: str = "") -> InputError:
        """The same problem, placed inside a larger document (a file, a key path prefix)."""
        location = ".".join(p for p in (prefix, self.location) if p)
        return type(self)(self.message, source=source or self.source, location=location)


class PolicyError(InputError):
    """A policy document AWS would reject: bad JSON shape, unknown Effect, Action with
    NotAction, unknown condition operator, Principal in an identity policy, ..."""


class ArnError(InputError):
    """A string that is not a well-formed ARN where one is required."""


class InputErrors(TrustsimError):
    """Every problem found in one input, reported at once (reviewers fix them in one pass)."""

    def __init__(self, errors: Iterable[InputError]) -> None:
        self.errors: Sequence[InputError] = tuple(errors)
        super().__init__("\n".join(e.render() for e in self.errors))
