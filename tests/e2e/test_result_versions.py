# End-to-end tests of results migrated back to the caller's version: a call
# that selects 1.0.0, 2.0.0 or 3.0.0 through `_meta` gets a result shaped as
# that version promises (`total` and `url`, not 4.0.0's `totalCount` and
# `link`), valid against that version's output schema in
# examples/search/mcpgen.yaml, with a text block that serialises it, and with
# the same articles in the same order as the equivalent 4.0.0 call.

import json

import pytest

import reference
import spec
from calls import TOOL_VERSION, call_search

pytestmark = pytest.mark.anyio

OLD_VERSIONS = ["1.0.0", "2.0.0", "3.0.0"]

# Each search as keyword arguments of spec.arguments and reference.search
# (which spell them alike); `expected` pins the reference result, so a broken
# reference cannot make the comparison pass vacuously.
SEARCHES = {
    "defaults": ({"query": "rust"}, None),
    "narrowed": (
        {"query": "search", "limit": 2, "category": "news", "date_range": {"from": "2024-01-01", "to": "2025-12-31"}},
        (3, ["a15", "a08"]),
    ),
    "by-date": ({"query": "search", "limit": 3, "sort_by": "date", "category": "product"}, (4, ["a02", "a24", "a14"])),
    "no-match": ({"query": "zyzzyva"}, (0, [])),
}


def reference_search(search):
    narrowing = dict(search)
    date_range = narrowing.pop("date_range", None) or {}
    return reference.search(
        narrowing.pop("query"),
        limit=narrowing.pop("limit", 10),
        sort_by=narrowing.pop("sort_by", "relevance"),
        category=narrowing.pop("category", None),
        date_from=date_range.get("from"),
        date_to=date_range.get("to"),
    )


@pytest.mark.parametrize(
    ("name", "version"),
    # 1.0.0 has no sort order to ask for.
    [(n, v) for n, (search, _) in SEARCHES.items() for v in OLD_VERSIONS if v != "1.0.0" or "sort_by" not in search],
)
async def test_old_versions_get_the_newest_answer_in_their_own_shape(client, name, version):
    search, pinned = SEARCHES[name]
    expected = reference_search(search)
    if pinned is not None:
        assert expected == pinned

    old = await call_search(client, spec.arguments(version, **search), version=version)
    newest = await call_search(client, spec.arguments("4.0.0", **search))

    assert spec.matches(old, version) == expected
    assert spec.matches(newest, "4.0.0") == expected
    # Field for field the same answer: only the spelling of two keys differs.
    assert spec.as_newest(old.structured_content, version) == newest.structured_content


async def test_v1_result_has_the_v1_field_names(client):
    result = await call_search(client, {"query": "rust", "maxResults": 3}, version="1.0.0")
    structured = spec.checked(result, "1.0.0")
    assert set(structured) == {"total", "results"}
    assert structured["total"] == reference.search("rust")[0]
    assert len(structured["results"]) == 3
    for hit in structured["results"]:
        assert "url" in hit and "link" not in hit
        assert hit["url"] == next(a["url"] for a in reference.CORPUS if a["id"] == hit["id"])


@pytest.mark.parametrize("version", OLD_VERSIONS)
async def test_text_block_is_the_migrated_result_serialised(client, version):
    result = await call_search(client, spec.arguments(version, "rust", limit=2), version=version)
    assert not result.is_error
    # The one text block serialises the structured result; any deprecation
    # notice would be a further block.
    serialised = result.content[0].text
    assert json.loads(serialised) == result.structured_content
    # Byte for byte: compact, keys in the order the migrated result has them.
    assert serialised == json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)
    assert "totalCount" not in serialised
    assert '"link"' not in serialised


@pytest.mark.parametrize("version", OLD_VERSIONS)
async def test_range_selectors_get_the_shape_of_the_version_they_resolve_to(client, version):
    major = f"^{version.split('.')[0]}"
    result = await call_search(client, spec.arguments(version, "rust"), version=major)
    assert spec.matches(result, version) == reference.search("rust")


@pytest.mark.parametrize("version", OLD_VERSIONS)
async def test_tool_errors_at_old_versions_pass_through(client, version):
    # The handler refuses a query without words; there is no result to migrate.
    result = await call_search(client, spec.arguments(version, "?!"), version=version)
    assert result.is_error
    assert result.structured_content is None
    assert "no words" in result.content[0].text
    assert result.meta[spec.RESOLVED] == version


async def test_sdk_call_tool_accepts_a_result_at_a_version_chosen_through_meta(client):
    result = await client.call_tool("search", {"query": "rust"}, meta={TOOL_VERSION: "1.0.0"})
    assert spec.matches(result, "1.0.0") == reference.search("rust")
