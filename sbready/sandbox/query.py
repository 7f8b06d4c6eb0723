"""The query language of SB list GETs: skip/take paging, sortField and the OData filter subset.

Field names in filters and sorts match case-insensitively: the filtering guide writes
`id eq cff8fd69-...` for the field `Id`. The sort comes as the spec's `sortField` or as the
pagination guide's `sort=FieldName+Ascending`; both are served and `ListQuery.sort_parameter`
records which name the app used (which one AFAS's server honours is not documented).

Supported filter grammar (AFAS documents "an OData 4.01 subset"; this is the part we accept):

    expression := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "(" expression ")" | Field "eq" value
    value      := 'single quoted' ('' escapes a quote) | guid (bare or quoted) | number
                  | true | false | null

Everything else (ne, gt, ge, lt, le, not, has, in, functions such as contains(), upper-case
operators) is rejected with a QueryError that names the unsupported part.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

DEFAULT_TAKE = 100  # SB's documented example value; used when `take` is absent
# AFAS's documented sortField example on every list GET is "InternalId ascending", a field no
# response schema has: we read it as SB's internal record order, which every endpoint sorts on.
RECORD_ORDER_FIELD = "InternalId"

_UNSUPPORTED_OPERATORS = {"ne", "gt", "ge", "lt", "le", "not", "has", "in", "add", "sub", "mul",
                          "div", "mod"}
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_TOKEN = re.compile(
    rf"""\s*(?:
      (?P<guid>{_GUID})(?![\w-])
    | (?P<string>'(?:[^']|'')*')
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![\w.])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<paren>[()])
    | (?P<junk>\S)
    )""",
    re.VERBOSE,
)
_GUID_ONLY = re.compile(rf"^{_GUID}$")


class QueryError(ValueError):
    """A query parameter SB would refuse; the message names what is wrong and what is allowed."""


class FilterError(QueryError):
    """A filter SB cannot read (SB answers "Ongeldig gebruikersfilter."; ours says why)."""


@dataclass(frozen=True)
class Guid:
    """A guid literal (bare or quoted in the filter); compared case-insensitively."""

    value: str


FilterValue = str | Guid | int | float | Decimal | bool | None


@dataclass(frozen=True)
class Equals:
    """`Field eq value`."""

    field: str
    value: FilterValue


@dataclass(frozen=True)
class AllOf:
    """Terms joined with `and`."""

    terms: tuple[FilterNode, ...]


@dataclass(frozen=True)
class AnyOf:
    """Terms joined with `or`."""

    terms: tuple[FilterNode, ...]


FilterNode = Equals | AllOf | AnyOf


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            break  # only trailing whitespace is left
        kind = match.lastgroup or "junk"
        token_text = match.group(kind)
        tokens.append(_Token(kind, token_text, match.start(kind)))
        position = match.end()
    return tokens


def _refuse_junk(token: _Token) -> None:
    if token.kind == "junk":  # reported when reached, so earlier problems are named first
        raise QueryError(
            f"filter: unexpected character {token.text!r} at position {token.position}; "
            "use Field eq value joined with and/or, strings in single quotes"
        )


class _FilterParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def parse(self) -> FilterNode:
        if not self.tokens:
            raise QueryError("filter is empty; use e.g. filter=Name eq 'Jansen'")
        node = self._expression()
        if self.index < len(self.tokens):
            token = self.tokens[self.index]
            _refuse_junk(token)
            raise QueryError(
                f"filter: unexpected {token.text!r} at position {token.position}; "
                "terms must be joined with 'and' or 'or'"
            )
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _next(self, expected: str) -> _Token:
        token = self._peek()
        if token is None:
            raise QueryError(f"filter ends early; expected {expected}")
        self.index += 1
        _refuse_junk(token)
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "name" and token.text == word:
            self.index += 1
            return True
        return False

    def _expression(self) -> FilterNode:
        terms = [self._term()]
        while self._keyword("or"):
            terms.append(self._term())
        return terms[0] if len(terms) == 1 else AnyOf(tuple(terms))

    def _term(self) -> FilterNode:
        factors = [self._factor()]
        while self._keyword("and"):
            factors.append(self._factor())
        return factors[0] if len(factors) == 1 else AllOf(tuple(factors))

    def _factor(self) -> FilterNode:
        token = self._next("a field name or '('")
        if token.kind == "paren" and token.text == "(":
            node = self._expression()
            closing = self._next("')'")
            if closing.text != ")":
                raise QueryError(f"filter: expected ')' at position {closing.position}")
            return node
        if token.kind != "name":
            raise QueryError(
                f"filter: expected a field name at position {token.position}, got {token.text!r}"
            )
        following = self._peek()
        if following is not None and following.text == "(":
            raise QueryError(
                f"filter: function {token.text}() is not supported; only 'Field eq value' "
                "with and/or and parentheses"
            )
        if token.text.lower() in _UNSUPPORTED_OPERATORS | {"and", "or", "eq"}:
            raise QueryError(
                f"filter: expected a field name at position {token.position}, got {token.text!r}"
            )
        operator = self._next(f"'eq' after {token.text}")
        if operator.text != "eq":
            if operator.text.lower() in _UNSUPPORTED_OPERATORS:
                raise QueryError(
                    f"filter: operator '{operator.text}' is not supported; only 'eq' "
                    "(joined with and/or)"
                )
            if operator.text.lower() == "eq":
                raise QueryError("filter: operators are lower case; write 'eq'")
            raise QueryError(
                f"filter: expected 'eq' after {token.text} at position {operator.position}, "
                f"got {operator.text!r}"
            )
        return Equals(token.text, self._value())

    def _value(self) -> FilterValue:
        token = self._next("a value")
        if token.kind == "string":
            inner = token.text[1:-1].replace("''", "'")
            return Guid(inner.lower()) if _GUID_ONLY.match(inner) else inner
        if token.kind == "guid":
            return Guid(token.text.lower())
        if token.kind == "number":
            return _number(token.text)
        if token.kind == "name" and token.text in ("true", "false"):
            return token.text == "true"
        if token.kind == "name" and token.text == "null":
            return None
        raise QueryError(
            f"filter: {token.text!r} at position {token.position} is not a value; use "
            "'quoted text', a guid, a number, true, false or null"
        )


def _number(text: str) -> int | Decimal:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return Decimal(text)


def parse_filter(text: str) -> FilterNode:
    """Parse an SB filter expression; raise FilterError naming what is unsupported or wrong."""
    try:
        return _FilterParser(text).parse()
    except FilterError:
        raise
    except QueryError as error:
        raise FilterError(str(error)) from error


def canonical_fields(node: FilterNode, fields: Mapping[str, str]) -> FilterNode:
    """The filter with field names spelt as the response has them (`fields`: lower -> name)."""
    if isinstance(node, Equals):
        return Equals(fields.get(node.field.lower(), node.field), node.value)
    terms = tuple(canonical_fields(term, fields) for term in node.terms)
    return AllOf(terms) if isinstance(node, AllOf) else AnyOf(terms)


def _literal(value: FilterValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Guid):
        return value.value
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def render_filter(node: FilterNode) -> str:
    """Write a filter back as text (parse_filter(render_filter(n)) == n)."""
    if isinstance(node, Equals):
        return f"{node.field} eq {_literal(node.value)}"
    joiner = " and " if isinstance(node, AllOf) else " or "
    return joiner.join(f"({render_filter(term)})" for term in node.terms)


def filter_fields(node: FilterNode) -> set[str]:
    """The field names a filter refers to."""
    if isinstance(node, Equals):
        return {node.field}
    return set().union(*(filter_fields(term) for term in node.terms))


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _matches(record_value: Any, wanted: FilterValue) -> bool:
    if wanted is None:
        return record_value is None
    if record_value is None:
        return False
    if isinstance(wanted, bool):
        # SB types many flags as strings ("true"); accept both spellings
        return record_value is wanted or str(record_value).lower() == str(wanted).lower()
    if isinstance(wanted, Guid):
        return str(record_value).lower() == wanted.value
    if isinstance(wanted, str):
        return isinstance(record_value, str) and record_value == wanted
    have = _as_decimal(record_value)
    return have is not None and have == Decimal(str(wanted))


Predicate = Callable[[Mapping[str, Any]], bool]


def compile_filter(node: FilterNode) -> Predicate:
    """A fast predicate over one record (a mapping of field name to value)."""
    if isinstance(node, Equals):
        field_name, wanted = node.field, node.value
        return lambda record: _matches(record.get(field_name), wanted)
    parts = [compile_filter(term) for term in node.terms]
    if isinstance(node, AllOf):
        return lambda record: all(part(record) for part in parts)
    return lambda record: any(part(record) for part in parts)


@dataclass(frozen=True)
class SortOrder:
    """`sortField=Field ascending|descending`."""

    field: str
    descending: bool = False


def parse_sort(text: str) -> SortOrder:
    """Parse sortField ("Field", "Field ascending", "Field descending"; the guide's
    "Field+Ascending" also when the '+' arrives encoded as %2B)."""
    parts = text.replace("+", " ").split()
    if not parts or len(parts) > 2:
        raise QueryError(
            f"sortField {text!r} is not 'Field [ascending|descending]', e.g. 'Id ascending'"
        )
    if len(parts) == 2 and parts[1].lower() not in ("ascending", "descending"):
        raise QueryError(
            f"sortField direction {parts[1]!r} is not supported; use ascending or descending"
        )
    return SortOrder(parts[0], len(parts) == 2 and parts[1].lower() == "descending")


def _non_negative_int(name: str, text: str) -> int:
    if not re.fullmatch(r"\d{1,18}", text.strip()):
        raise QueryError(f"{name} must be a whole number >= 0, got {text!r}; e.g. {name}=100")
    return int(text)


SORT_PARAMETERS = ("sortField", "sort")  # the spec's name first, then the guides'


@dataclass(frozen=True)
class ListQuery:
    """The parsed query of one list GET."""

    skip: int = 0
    take: int = DEFAULT_TAKE
    sort: SortOrder | None = None
    filter: FilterNode | None = None
    tracking_token: str | None = None
    sort_parameter: str | None = None  # the name the app used: "sortField", "sort", ...


def _lookup(query: Mapping[str, str], name: str) -> str | None:
    found = _named(query, name)
    return query[found] if found is not None else None


def _named(query: Mapping[str, str], name: str) -> str | None:
    """The key of `query` that is `name` (case-insensitive), as the app spelt it."""
    if name in query:
        return name
    lowered = name.lower()
    return next((key for key in query if key.lower() == lowered), None)


def parse_list_query(query: Mapping[str, str], fields: Sequence[str]) -> ListQuery:
    """Parse skip/take/sortField (or sort)/filter/TrackingToken, checking field names against
    `fields` case-insensitively (and answering them in the response's spelling)."""
    allowed = ", ".join(sorted(fields)) or "(none)"
    spelt = {name.lower(): name for name in fields}
    skip_text, take_text = _lookup(query, "skip"), _lookup(query, "take")
    skip = _non_negative_int("skip", skip_text) if skip_text is not None else 0
    take = _non_negative_int("take", take_text) if take_text is not None else DEFAULT_TAKE
    sort = None
    sort_parameter = next((key for key in (_named(query, name) for name in SORT_PARAMETERS)
                           if key is not None), None)
    if sort_parameter is not None:
        sort = parse_sort(query[sort_parameter])
        if sort.field.lower() in spelt:
            sort = SortOrder(spelt[sort.field.lower()], sort.descending)
        elif sort.field.lower() != RECORD_ORDER_FIELD.lower():
            raise QueryError(f"{sort_parameter}: unknown field {sort.field!r}; fields "
                             f"allowed: {allowed}")
        else:
            sort = SortOrder(RECORD_ORDER_FIELD, sort.descending)
    node = None
    filter_text = _lookup(query, "filter")
    if filter_text is not None:
        node = canonical_fields(parse_filter(filter_text), spelt)
        unknown = sorted(filter_fields(node) - set(fields))
        if unknown:
            raise FilterError(
                f"filter: unknown field {', '.join(unknown)}; fields allowed: {allowed}"
            )
    return ListQuery(skip, take, sort, node, _lookup(query, "TrackingToken"), sort_parameter)


def sort_key(field_name: str) -> Callable[[Mapping[str, Any]], tuple[int, Any]]:
    """A total order over mixed values: None first, then numbers, then text (case-insensitive)."""

    def key(record: Mapping[str, Any]) -> tuple[int, Any]:
        value = record.get(field_name)
        if value is None:
            return (0, 0)
        if isinstance(value, bool):
            return (1, int(value))
        if isinstance(value, int | float | Decimal):
            return (2, Decimal(str(value)))
        if isinstance(value, str):
            return (3, value.lower())
        return (4, str(value))

    return key


def is_guid(text: str) -> bool:
    """True for a canonical 8-4-4-4-12 guid."""
    try:
        uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        return False
    return bool(_GUID_ONLY.match(text))
