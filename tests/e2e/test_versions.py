# End-to-end tests of versioned `tools/call`: selecting a tool version through
# `_meta`, migrating old arguments to the newest version, deprecation notices,
# and the errors for invalid arguments, unsupported versions and unknown tools.
# Every successful result is also checked to be shaped as its version promises
# (tests/e2e/spec.py); test_result_versions.py covers that shape in depth.

import pytest
from mcp.shared.exceptions import MCPError

import reference
import spec
from calls import call_search as call

pytestmark = pytest.mark.anyio

RESOLVED = "dev.mcpgen/resolvedVersion"
DEPRECATION = "dev.mcpgen/deprecation"
VIOLATIONS = "dev.mcpgen/violations"
VERSION_ERROR = "dev.mcpgen/versionError"
INVALID_PARAMS = -32602

# Chosen so that leaving out the limit, the category or either end of the
# date range each changes which articles come back (checked in the test).
QUERY = "search"
LIMIT = 2
CATEGORY = "news"
DATE_RANGE = {"from": "2024-01-01", "to": "2025-12-31"}


def ids(result):
    """(total, ids) of a successful result, checked against the shape of the
    version it names as resolved."""
    assert not result.is_error, result.content
    return spec.matches(result, result.meta[RESOLVED])


def text(result):
    return "\n".join(block.text for block in result.content)


async def test_v1_arguments_are_migrated_and_answer_like_the_newest(client):
    start, end = DATE_RANGE["from"], DATE_RANGE["to"]
    expected = reference.search(QUERY, limit=LIMIT, category=CATEGORY, date_from=start, date_to=end)
    assert expected == (3, ["a15", "a08"])
    # Had the server dropped any one argument rather than migrating it, other
    # articles would come back: these are what each omission returns.
    dropped = [
        reference.search(QUERY, category=CATEGORY, date_from=start, date_to=end),
        reference.search(QUERY, limit=LIMIT, date_from=start, date_to=end),
        reference.search(QUERY, limit=LIMIT, category=CATEGORY, date_to=end),
        reference.search(QUERY, limit=LIMIT, category=CATEGORY, date_from=start),
    ]
    assert all(shown != expected[1] for _, shown in dropped)

    v1 = await call(
        client,
        {"query": QUERY, "maxResults": LIMIT, "category": CATEGORY, "dateRange": DATE_RANGE},
        version="1.0.0",
    )
    newest_arguments = {"query": QUERY, "limit": LIMIT, "filters": {"category": CATEGORY, "dateRange": DATE_RANGE}}
    v3 = await call(client, newest_arguments, version="3.0.0")
    newest = await call(client, newest_arguments)

    assert v1.meta[RESOLVED] == "1.0.0"
    assert v3.meta[RESOLVED] == "3.0.0"
    assert newest.meta[RESOLVED] == "4.0.0"
    assert ids(v1) == expected
    assert ids(v3) == expected
    assert ids(newest) == expected
    # 1.0.0 and 3.0.0 promise the same result shape, so the same result.
    assert v1.structured_content == v3.structured_content
    assert spec.as_newest(v1.structured_content, "1.0.0") == newest.structured_content


async def test_range_selects_the_newest_matching_version(client):
    # 2.0.0 has `limit` and `sortBy` but still takes `category` at the top.
    result = await call(client, {"query": QUERY, "limit": 3, "sortBy": "date", "category": "product"}, version="^2")
    assert result.meta[RESOLVED] == "2.0.0"
    expected = reference.search(QUERY, limit=3, sort_by="date", category="product")
    assert expected == (4, ["a02", "a24", "a14"])
    assert ids(result) == expected


async def test_v2_without_sort_order_gets_relevance(client):
    result = await call(client, {"query": QUERY, "limit": 3, "category": "product"}, version="2.0.0")
    expected = reference.search(QUERY, limit=3, category="product")
    assert expected != reference.search(QUERY, limit=3, sort_by="date", category="product")
    assert ids(result) == expected


@pytest.mark.parametrize(
    ("selector", "resolved"),
    [
        (None, "4.0.0"),
        ("1.0.0", "1.0.0"),
        ("2.0.0", "2.0.0"),
        ("3.0.0", "3.0.0"),
        ("4.0.0", "4.0.0"),
        ("^1", "1.0.0"),
        ("^2", "2.0.0"),
        ("^3", "3.0.0"),
        ("^4", "4.0.0"),
        (">=1.0.0, <3.0.0", "2.0.0"),
        (">=2.0.0, <4.0.0", "3.0.0"),
        ("*", "4.0.0"),
    ],
)
async def test_result_names_the_resolved_version(client, selector, resolved):
    result = await call(client, {"query": "rust"}, version=selector)
    assert ids(result) == reference.search("rust")
    assert result.meta[RESOLVED] == resolved


@pytest.mark.parametrize("version", ["1.0.0", "2.0.0"])
async def test_deprecated_versions_carry_the_notice(client, version):
    listed = (await client.list_tools()).tools[0].meta["dev.mcpgen/versions"]["deprecated"][version]
    result = await call(client, {"query": "rust"}, version=version)
    assert result.meta[DEPRECATION] == {**listed, "version": version}
    assert result.meta[DEPRECATION]["successor"] == "3.0.0"


@pytest.mark.parametrize("version", [None, "3.0.0", "^3", "4.0.0"])
async def test_undeprecated_versions_carry_no_deprecation(client, version):
    result = await call(client, {"query": "rust"}, version=version)
    assert not result.is_error
    assert DEPRECATION not in (result.meta or {})


async def test_invalid_arguments_name_the_pointer_and_version(client):
    result = await call(client, {"query": "rust", "limit": 0})
    assert result.is_error
    assert "search 4.0.0" in text(result)
    assert "/limit" in text(result)
    assert [v["pointer"] for v in result.meta[VIOLATIONS]] == ["/limit"]
    assert result.meta[RESOLVED] == "4.0.0"


async def test_integral_float_is_an_integer(client):
    # JSON Schema counts 1.0 as an integer, so the typed handler must take it too.
    result = await call(client, {"query": "rust", "limit": 1.0})
    assert ids(result) == reference.search("rust", limit=1)
    result = await call(client, {"query": "rust", "maxResults": 2.0}, version="1.0.0")
    assert ids(result) == reference.search("rust", limit=2)


async def test_every_violation_is_reported(client):
    result = await call(
        client, {"query": "", "limit": 101, "sortBy": "random", "filters": {"category": 5}}, version="3.0.0"
    )
    assert result.is_error
    pointers = {v["pointer"] for v in result.meta[VIOLATIONS]}
    assert pointers == {"/query", "/limit", "/sortBy", "/filters/category"}
    for pointer in pointers:
        assert f"- {pointer}:" in text(result)


async def test_invalid_v1_arguments_are_judged_by_v1(client):
    result = await call(client, {"query": "rust", "maxResults": 0}, version="1.0.0")
    assert result.is_error
    assert "search 1.0.0" in text(result)
    assert "/maxResults" in text(result)
    assert [v["pointer"] for v in result.meta[VIOLATIONS]] == ["/maxResults"]
    assert result.meta[RESOLVED] == "1.0.0"
    assert result.meta[DEPRECATION]["version"] == "1.0.0"


async def test_v1_arguments_without_a_version_are_judged_by_the_newest(client):
    result = await call(client, {"query": "rust", "maxResults": 2})
    assert result.is_error
    assert "search 4.0.0" in text(result)
    assert "maxResults" in text(result)


async def test_v3_arguments_at_v1_are_rejected(client):
    result = await call(client, {"query": "rust", "filters": {"category": CATEGORY}}, version="1.0.0")
    assert result.is_error
    assert "search 1.0.0" in text(result)
    assert "filters" in text(result)


@pytest.mark.parametrize(("selector", "requested"), [("9.0.0", "9.0.0"), ("^5", "^5"), ("1.5.0", "1.5.0"), (2, "2")])
async def test_unsupported_version_is_a_tool_error(client, selector, requested):
    result = await call(client, {"query": "rust"}, version=selector)
    assert result.is_error
    assert result.meta[VERSION_ERROR] == {"requested": requested, "supported": ["1.0.0", "2.0.0", "3.0.0", "4.0.0"]}
    assert requested in text(result)
    assert RESOLVED not in result.meta


async def test_unknown_tool_is_a_protocol_error(client):
    with pytest.raises(MCPError) as raised:
        await client.call_tool("no-such-tool", {"query": "rust"})
    assert raised.value.code == INVALID_PARAMS
    assert "no-such-tool" in raised.value.message
