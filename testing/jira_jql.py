"""A small JQL evaluator for the fake Jira: the part of the language `weekly` sends.

AND, OR, NOT, parentheses; =, !=, <, <=, >, >=, IN, NOT IN, IS [NOT] EMPTY; the system fields
below and custom fields by name or cf[id]. ORDER BY is parsed and ignored, because the fake always
answers in key order. Anything else raises JqlError, so a query the fake does not understand fails
loudly instead of quietly matching the wrong issues.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Issue = dict[str, Any]
Predicate = Callable[[Issue], bool]
Getter = Callable[[Issue], list[Any]]  # an issue's comparable values for one field; [] = EMPTY


class JqlError(ValueError):
    """An invalid query, or JQL this fake does not support; str() is the message Jira would send."""


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str  # "=", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"
    values: tuple[str | None, ...]  # None stands for EMPTY / NULL


@dataclass(frozen=True)
class Junction:
    operator: str  # "and" | "or"
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Negation:
    part: Node


Node = Clause | Junction | Negation | None  # None: an empty query, which matches every issue

_TOKEN = re.compile(
    r"""(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<symbol>!=|>=|<=|!~|[=<>~(),])
      | (?P<word>[^\s"'=!<>~(),]+)""",
    re.VERBOSE,
)
_RESERVED = {"and", "or", "not", "in", "is", "order", "by", "empty", "null"}
_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def matches(jql: str, issue: Issue, fields: Sequence[dict[str, Any]]) -> bool:
    """Whether issue matches jql; fields is the /field list, used to resolve custom field names."""
    return compile_jql(jql, fields)(issue)


def compile_jql(jql: str, fields: Sequence[dict[str, Any]]) -> Predicate:
    """Check jql once and return a predicate over issues; JqlError means Jira would answer 400."""
    return _compile(parse(jql), fields)


@functools.lru_cache(maxsize=256)
def parse(jql: str) -> Node:
    """The query's condition, with any ORDER BY parsed and dropped."""
    return _Parser(jql).query()


@dataclass(frozen=True)
class _Token:
    kind: str  # "string" | "symbol" | "word" | "end"
    text: str
    position: int


def _syntax_error(message: str, token: _Token) -> JqlError:
    return JqlError(f"Error in the JQL Query: {message} (line 1, character {token.position + 1})")


def _tokenize(jql: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while True:
        while position < len(jql) and jql[position].isspace():
            position += 1
        if position == len(jql):
            break
        match = _TOKEN.match(jql, position)
        if match is None or match.lastgroup is None:
            raise _syntax_error(
                f"The character '{jql[position]}' is not valid here.", _Token("", "", position)
            )
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "string":
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append(_Token(kind, text, position))
        position = match.end()
    tokens.append(_Token("end", "", len(jql)))
    return tokens


class _Parser:
    """Recursive descent; AND binds tighter than OR, as in Jira."""

    def __init__(self, jql: str) -> None:
        self.tokens = _tokenize(jql)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index = min(self.index + 1, len(self.tokens) - 1)
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "word" and token.text.lower() in words

    def at_symbol(self, symbol: str) -> bool:
        token = self.peek()
        return token.kind == "symbol" and token.text == symbol

    def expect_symbol(self, symbol: str) -> None:
        token = self.take()
        if not (token.kind == "symbol" and token.text == symbol):
            raise _syntax_error(f"Expecting '{symbol}' but got {_describe(token)}.", token)

    def query(self) -> Node:
        node: Node = None
        if not self.at_word("order") and self.peek().kind != "end":
            node = self.or_expression()
        if self.at_word("order"):
            self.order_by()
        token = self.peek()
        if token.kind != "end":
            raise _syntax_error(
                f"Expecting either 'OR' or 'AND' but got {_describe(token)}.", token
            )
        return node

    def order_by(self) -> None:
        self.take()
        if not self.at_word("by"):
            raise _syntax_error(f"Expecting 'by' but got {_describe(self.peek())}.", self.peek())
        self.take()
        while True:
            token = self.take()
            if token.kind not in ("word", "string"):
                raise _syntax_error(f"Expecting a field name but got {_describe(token)}.", token)
            if self.at_word("asc", "desc"):
                self.take()
            if not self.at_symbol(","):
                return
            self.take()

    def or_expression(self) -> Node:
        parts = [self.and_expression()]
        while self.at_word("or"):
            self.take()
            parts.append(self.and_expression())
        return parts[0] if len(parts) == 1 else Junction("or", tuple(parts))

    def and_expression(self) -> Node:
        parts = [self.unary()]
        while self.at_word("and"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Junction("and", tuple(parts))

    def unary(self) -> Node:
        if self.at_word("not"):
            self.take()
            return Negation(self.unary())
        if self.at_symbol("("):
            self.take()
            node = self.or_expression()
            self.expect_symbol(")")
            return node
        return self.clause()

    def clause(self) -> Clause:
        token = self.take()
        if token.kind == "string" or (token.kind == "word" and token.text.lower() not in _RESERVED):
            operator_ = self.operator()
            return Clause(token.text, operator_, self.operands(operator_))
        raise _syntax_error(f"Expecting a field name but got {_describe(token)}.", token)

    def operator(self) -> str:
        token = self.take()
        if token.kind == "symbol" and token.text in ("=", "!=", "<", "<=", ">", ">="):
            return token.text
        word = token.text.lower() if token.kind == "word" else ""
        if word == "in":
            return "in"
        if word == "not" and self.at_word("in"):
            self.take()
            return "not in"
        if word == "is":
            if self.at_word("not"):
                self.take()
                return "is not"
            return "is"
        if token.text in ("~", "!~") or word in ("was", "changed"):
            raise JqlError(f"The fake Jira does not support the operator '{token.text}'.")
        raise _syntax_error(f"Expecting an operator but got {_describe(token)}.", token)

    def operands(self, operator_: str) -> tuple[str | None, ...]:
        if operator_ not in ("in", "not in"):
            value = self.value()
            if operator_ in ("is", "is not") and value is not None:
                raise JqlError(f"The operator '{operator_.upper()}' only accepts EMPTY or NULL.")
            return (value,)
        self.expect_symbol("(")
        values = [self.value()]
        while self.at_symbol(","):
            self.take()
            values.append(self.value())
        self.expect_symbol(")")
        return tuple(values)

    def value(self) -> str | None:
        token = self.take()
        if token.kind == "string":
            return token.text
        if token.kind == "word":
            if self.at_symbol("("):
                raise JqlError(f"The fake Jira does not support the function '{token.text}()'.")
            return None if token.text.lower() in ("empty", "null") else token.text
        raise _syntax_error(f"Expecting a value but got {_describe(token)}.", token)


def _describe(token: _Token) -> str:
    return "the end of the query" if token.kind == "end" else f"'{token.text}'"


def _compile(node: Node, fields: Sequence[dict[str, Any]]) -> Predicate:
    if node is None:
        return lambda issue: True
    if isinstance(node, Negation):
        inner = _compile(node.part, fields)
        return lambda issue: not inner(issue)
    if isinstance(node, Junction):
        parts = [_compile(part, fields) for part in node.parts]
        combine = all if node.operator == "and" else any
        return lambda issue: combine(part(issue) for part in parts)
    return _clause(node, fields)


def _clause(clause: Clause, fields: Sequence[dict[str, Any]]) -> Predicate:
    getter, kind = _resolve(clause.field, fields)
    op = clause.operator
    if op in _ORDERING and kind == "text":
        raise JqlError(f"The operator '{op}' is not supported by the '{clause.field}' field.")
    targets = [_operand(value, kind, clause.field) for value in clause.values if value is not None]
    wants_empty = None in clause.values
    if op in _ORDERING and (wants_empty or len(targets) != 1):
        raise JqlError(f"The operator '{op}' needs one value for the '{clause.field}' field.")

    def predicate(issue: Issue) -> bool:
        have = getter(issue)
        if op == "is":
            return not have
        if op == "is not":
            return bool(have)
        if not have:  # as in Jira, only IS EMPTY (or IN (EMPTY)) matches an empty field
            return op in ("=", "in") and wants_empty
        if op in _ORDERING:
            return any(_ORDERING[op](value, targets[0]) for value in have)
        found = any(value in targets for value in have)
        return found if op in ("=", "in") else not found

    return predicate


def _operand(value: str, kind: str, field_name: str) -> Any:
    if kind == "date":
        return _query_date(value, field_name)
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise JqlError(
                f"'{value}' is not a valid number for the field '{field_name}'."
            ) from None
    return value.casefold()


_QUERY_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?")


def _query_date(value: str, field_name: str) -> str:
    match = _QUERY_DATE.fullmatch(value.strip())
    if match is None:
        if re.fullmatch(r"[-+]?\d+[wdhm]", value.strip()):
            raise JqlError(f"The fake Jira does not support relative dates like '{value}'.")
        raise JqlError(f"Date value '{value}' for field '{field_name}' is invalid.")
    year, month, day, hour, minute = match.groups()
    return f"{year}-{int(month):02}-{int(day):02}T{int(hour or 0):02}:{int(minute or 0):02}"


def _issue_date(value: object) -> list[Any]:
    # Jira compares in the user's zone; the fake treats every stored time as already in it.
    if not isinstance(value, str) or not value:
        return []
    return [f"{value[:10]}T{value[11:16] if len(value) >= 16 else '00:00'}"]


def _texts(value: object) -> list[Any]:
    """Every string a JQL value could match in a field value, casefolded."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        keys = ("key", "name", "value", "displayName", "accountId", "emailAddress", "id")
        return [str(value[k]).casefold() for k in keys if value.get(k) is not None]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [str(value).casefold()]


def _numbers(value: object) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return [float(item) for item in items if isinstance(item, int | float)]


def _system(field_id: str, kind: str = "text", part: str | None = None) -> tuple[Getter, str]:
    def getter(issue: Issue) -> list[Any]:
        value = issue.get("fields", {}).get(field_id)
        if part is not None:
            value = value.get(part) if isinstance(value, dict) else None
        return _issue_date(value) if kind == "date" else _texts(value)

    return getter, kind


def _issue_key(issue: Issue) -> list[Any]:
    return [str(issue.get("key", "")).casefold(), str(issue.get("id", ""))]


_SYSTEM_FIELDS: dict[str, tuple[Getter, str]] = {
    "project": _system("project"),
    "issuetype": _system("issuetype"),
    "type": _system("issuetype"),
    "status": _system("status"),
    "statuscategory": _system("status", part="statusCategory"),
    "resolution": _system("resolution"),
    "priority": _system("priority"),
    "assignee": _system("assignee"),
    "reporter": _system("reporter"),
    "labels": _system("labels"),
    "parent": _system("parent", part="key"),
    "key": (_issue_key, "text"),
    "issuekey": (_issue_key, "text"),
    "id": (_issue_key, "text"),
    "resolved": _system("resolutiondate", "date"),
    "resolutiondate": _system("resolutiondate", "date"),
    "created": _system("created", "date"),
    "createddate": _system("created", "date"),
    "updated": _system("updated", "date"),
    "updateddate": _system("updated", "date"),
    "due": _system("duedate", "date"),
    "duedate": _system("duedate", "date"),
}


def _resolve(name: str, fields: Sequence[dict[str, Any]]) -> tuple[Getter, str]:
    wanted = name.casefold()
    if wanted in _SYSTEM_FIELDS:
        return _SYSTEM_FIELDS[wanted]
    for field in fields:
        names = [field.get("name", ""), *field.get("clauseNames", [])]
        if wanted not in (n.casefold() for n in names):
            continue
        if not field.get("custom"):
            raise JqlError(f"The fake Jira cannot search on the field '{name}'.")
        return _custom(field)
    raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")


def _custom(field: dict[str, Any]) -> tuple[Getter, str]:
    field_id = field["id"]
    schema_type = field.get("schema", {}).get("type")
    kind = {"number": "number", "date": "date", "datetime": "date"}.get(schema_type, "text")
    convert = {"number": _numbers, "date": _issue_date}.get(kind, _texts)
    return (lambda issue: convert(issue.get("fields", {}).get(field_id))), kind
