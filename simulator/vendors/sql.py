"""What do the words, strings and property lists of a product's SQL statement say?

Just enough SQL to read the statements products take AWS settings in (Doris
`CREATE REPOSITORY ... PROPERTIES ("k" = "v", ...)`, SingleStore
`CREATE PIPELINE ... CREDENTIALS '{...}'`): words, quoted strings ('...' or "...", with
backslash escapes and doubled quotes), `backticked` names, punctuation; `-- ...` and
`/* ... */` comments are skipped. Nothing is executed or interpreted beyond that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

TokenKind = Literal["word", "string", "name", "punct"]
_PUNCT = "(),=;"


class SqlError(ValueError):
    """The statement cannot be read; the message says where."""


class Token(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: TokenKind
    text: str
    at: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def _quoted(sql: str, start: int) -> tuple[str, int]:
    """The text of the string starting at `start` (a quote), and the index after it."""
    quote, out, i = sql[start], [], start + 1
    while i < len(sql):
        c = sql[i]
        if c == "\\" and quote != "`" and i + 1 < len(sql):
            out.append(sql[i + 1])
            i += 2
        elif c == quote and sql[i + 1:i + 2] == quote:
            out.append(quote)
            i += 2
        elif c == quote:
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise SqlError(f"the string opened at character {start + 1} is never closed")


def tokenize(sql: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(sql):
        c = sql[i]
        if c.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = len(sql) if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise SqlError(f"the comment opened at character {i + 1} is never closed")
            i = end + 2
        elif c in "'\"`":
            text, end = _quoted(sql, i)
            tokens.append(Token(kind="name" if c == "`" else "string", text=text, at=i))
            i = end
        elif c in _PUNCT:
            tokens.append(Token(kind="punct", text=c, at=i))
            i += 1
        else:
            start = i
            while i < len(sql) and not sql[i].isspace() and sql[i] not in _PUNCT + "'\"`":
                i += 1
            tokens.append(Token(kind="word", text=sql[start:i], at=start))
    return tokens


def find_words(tokens: Sequence[Token], *words: str, start: int = 0) -> int:
    """Index of the first run of `words` (case-insensitive) at or after `start`, or -1."""
    n = len(words)
    for i in range(start, len(tokens) - n + 1):
        if all(tokens[i + k].is_word(w.upper()) for k, w in enumerate(words)):
            return i
    return -1


def _expect(tokens: Sequence[Token], i: int, what: str) -> Token:
    if i >= len(tokens):
        raise SqlError(f"the statement ends where {what} was expected")
    return tokens[i]


def string_at(tokens: Sequence[Token], i: int, what: str) -> str:
    token = _expect(tokens, i, what)
    if token.kind != "string":
        raise SqlError(f"expected {what} (a quoted string) at character {token.at + 1}, "
                       f"found {token.text!r}")
    return token.text


def name_at(tokens: Sequence[Token], i: int, what: str) -> str:
    token = _expect(tokens, i, what)
    if token.kind == "punct":
        raise SqlError(f"expected {what} at character {token.at + 1}, found {token.text!r}")
    return token.text


def properties(tokens: Sequence[Token], i: int) -> tuple[dict[str, str], int]:
    """Read `( "key" = "value", ... )` starting at index `i` (the opening parenthesis).

    Keys are returned lower-cased (products read them case-insensitively); returns the
    mapping and the index after the closing parenthesis."""
    opening = _expect(tokens, i, "(")
    if opening.text != "(":
        raise SqlError(f"expected ( at character {opening.at + 1}, found {opening.text!r}")
    out: dict[str, str] = {}
    i += 1
    while True:
        token = _expect(tokens, i, "a property or )")
        if token.text == ")" and token.kind == "punct":
            return out, i + 1
        key = string_at(tokens, i, "a property name")
        if _expect(tokens, i + 1, "=").text != "=":
            raise SqlError(f"expected = after property {key!r}")
        value = string_at(tokens, i + 2, f"the value of {key!r}")
        if key.lower() in out:
            raise SqlError(f"property {key!r} is given twice")
        out[key.lower()] = value
        i += 3
        following = _expect(tokens, i, ", or )")
        if following.kind != "punct" or following.text not in ",)":
            raise SqlError(f"expected , or ) at character {following.at + 1}, found "
                           f"{following.text!r}")
        if following.text == ",":
            i += 1
