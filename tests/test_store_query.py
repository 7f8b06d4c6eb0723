"""The OData filter subset, sortField and paging parameters of SB list GETs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sbready.sandbox.query import (
    DEFAULT_TAKE,
    AllOf,
    AnyOf,
    Equals,
    FilterNode,
    Guid,
    QueryError,
    SortOrder,
    compile_filter,
    parse_filter,
    parse_list_query,
    render_filter,
)

GUID = "0E91DF05-E908-595E-8BA3-C7A359978046"
RECORDS: list[dict[str, Any]] = [
    {"Id": GUID.lower(), "Name": "Bakkerij De Korenschoof B.V.", "Number": "8000", "Amount": 12.5,
     "Active": True, "Note": None},
    {"Id": "4fd31c33-a8b2-5d82-83d5-5fe173e97d8b", "Name": "O'Brien & Zn.", "Number": "8010",
     "Amount": "7.00", "Active": "false", "Note": "x"},
]


def matching(text: str) -> list[str]:
    predicate = compile_filter(parse_filter(text))
    return [r["Number"] for r in RECORDS if predicate(r)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Number eq '8000'", ["8000"]),
        (f"Id eq {GUID}", ["8000"]),  # bare guid, case-insensitive
        (f"Id eq '{GUID.lower()}'", ["8000"]),  # quoted guid
        ("Name eq 'O''Brien & Zn.'", ["8010"]),  # '' escapes a quote
        ("Amount eq 12.5", ["8000"]),
        ("Amount eq 7", ["8010"]),  # a number matches a numeric string
        ("Active eq true", ["8000"]),
        ("Active eq false", ["8010"]),  # flags typed as text
        ("Note eq null", ["8000"]),
        ("Number eq '8000' or Number eq '8010'", ["8000", "8010"]),
        ("Number eq '8000' and Amount eq 7", []),
        ("(Number eq '8000' or Number eq '8010') and Active eq false", ["8010"]),
        ("Number eq '8000' or Number eq '8010' and Active eq true", ["8000"]),  # and binds tighter
    ],
)
def test_every_supported_filter_form_selects_the_right_records(text: str, expected: list[str]):
    assert matching(text) == expected


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Number ne '8000'", "operator 'ne' is not supported"),
        ("Amount gt 5", "operator 'gt' is not supported"),
        ("Amount lt 5", "operator 'lt' is not supported"),
        ("contains(Name, 'Bakker')", "function contains() is not supported"),
        ("Number EQ '8000'", "lower case"),
        ("Number eq", "ends early"),
        ("Number eq '8000' and", "ends early"),
        ("(Number eq '8000'", "expected ')'"),
        ("Number eq '8000')", "unexpected ')'"),
        ("Number eq 'open", "unexpected character"),
        ("Number eq Name", "is not a value"),
        ("", "empty"),
        ("Number eq '1' Number eq '2'", "joined with 'and' or 'or'"),
    ],
)
def test_unsupported_or_broken_filters_are_refused_with_a_message_naming_the_problem(
    text: str, named: str
):
    with pytest.raises(QueryError, match=named.replace("(", r"\(").replace(")", r"\)")):
        parse_filter(text)


def test_list_query_defaults_and_field_checks():
    assert parse_list_query({}, ["Id"]).take == DEFAULT_TAKE == 100
    query = parse_list_query({"skip": "5", "take": "0", "sortField": "Id descending"}, ["Id"])
    assert query.sort is not None
    assert (query.skip, query.take, query.sort.field, query.sort.descending) == (5, 0, "Id", True)
    assert parse_list_query({"sortField": "Id"}, ["Id"]).sort == SortOrder("Id", False)
    for bad in ({"skip": "-1"}, {"take": "ten"}, {"take": "1.5"}, {"skip": "+3"}):
        with pytest.raises(QueryError, match="whole number"):
            parse_list_query(bad, ["Id"])
    with pytest.raises(QueryError, match="unknown field 'Nope'; fields allowed: Id, Name"):
        parse_list_query({"sortField": "Nope ascending"}, ["Id", "Name"])
    with pytest.raises(QueryError, match="direction 'upwards'"):
        parse_list_query({"sortField": "Id upwards"}, ["Id"])
    with pytest.raises(QueryError, match="unknown field Nope; fields allowed: Id"):
        parse_list_query({"filter": "Nope eq 1"}, ["Id"])


_RESERVED = {"and", "or", "eq", "true", "false", "null", "ne", "gt", "ge", "lt", "le", "not",
             "has", "in", "add", "sub", "mul", "div", "mod"}
field_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda name: name.lower() not in _RESERVED)
values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**12, max_value=10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6,
                max_value=10**6).map(lambda d: d if d != d.to_integral_value() else d + Decimal(
                    "0.5")),
    st.uuids().map(lambda u: Guid(str(u))),
    st.text(max_size=20).filter(lambda t: not parse_guid_like(t)),
)


def parse_guid_like(text: str) -> bool:
    from sbready.sandbox.query import is_guid

    return is_guid(text)


filters: st.SearchStrategy[FilterNode] = st.recursive(
    st.builds(Equals, field_names, values),
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda terms: AllOf(tuple(terms))),
        st.lists(inner, min_size=2, max_size=3).map(lambda terms: AnyOf(tuple(terms))),
    ),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None, derandomize=True)  # the same examples in every CI run
@given(filters)
def test_rendered_filters_parse_back_to_the_same_tree(node: FilterNode):
    assert parse_filter(render_filter(node)) == node


@settings(max_examples=300, deadline=None, derandomize=True)  # the same examples in every CI run
@given(st.text(max_size=60))
def test_any_text_either_parses_or_raises_query_error(text: str):
    try:
        node = parse_filter(text)
    except QueryError as error:
        assert str(error)
    else:
        compile_filter(node)({"Id": None})
