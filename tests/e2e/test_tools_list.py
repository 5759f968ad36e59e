# End-to-end tests of the tool listing: what `tools/list` shows over each
# transport and era, and that `search tools` prints the same thing.

import json

import anyio
import pytest

import spec

pytestmark = pytest.mark.anyio

VERSIONS = "dev.mcpgen/versions"


async def test_the_era_is_the_one_asked_for(client, request):
    _, era = request.node.callspec.params["client"]
    assert client.protocol_version == era
    if era == "2025-11-25":
        assert client.session.initialize_result is not None
    else:
        # Connected by server/discover, with no initialize handshake at all.
        assert client.session.discover_result is not None
        assert client.session.initialize_result is None
    assert client.server_info.name == "search"
    assert client.server_capabilities.tools is not None


async def test_lists_the_search_tool_with_its_newest_schema(client):
    listing = await client.list_tools()
    # In spec order; the default principal may call both tools.
    assert [tool.name for tool in listing.tools] == ["search", "article"]
    tool = listing.tools[0]
    assert tool.title == "Search articles"
    assert tool.annotations.read_only_hint is True

    schema = tool.input_schema
    assert schema["required"] == ["query"]
    assert set(schema["properties"]) == {"query", "limit", "sortBy", "filters"}
    assert schema["properties"]["sortBy"]["enum"] == ["relevance", "date"]
    filters = schema["properties"]["filters"]
    assert set(filters["properties"]) == {"category", "dateRange"}
    assert set(filters["properties"]["dateRange"]["properties"]) == {"from", "to"}
    # 3.0.0 moved these under filters; the old spellings must be gone.
    assert not {"maxResults", "category", "dateRange"} & set(schema["properties"])

    # 4.0.0 renamed `total` and each result's `url`. A caller may pick an
    # older version per call, so the advertised output schema admits every
    # version's results: 4.0.0's first, then the older shape.
    assert schema == spec.input_schema("4.0.0")
    assert tool.output_schema["type"] == "object"
    newest, older = tool.output_schema["anyOf"]
    assert newest == spec.output_schema("4.0.0")
    assert newest["required"] == ["totalCount", "results"]
    assert "link" in newest["properties"]["results"]["items"]["required"]
    assert older == spec.output_schema("1.0.0") == spec.output_schema("3.0.0")


async def test_listing_meta_names_every_version_and_its_deprecation(client):
    tool = (await client.list_tools()).tools[0]
    versions = tool.meta[VERSIONS]
    assert versions["current"] == "4.0.0"
    assert versions["newest"] == "4.0.0"
    assert versions["supported"] == ["1.0.0", "2.0.0", "3.0.0", "4.0.0"]
    assert set(versions["deprecated"]) == {"1.0.0", "2.0.0"}
    assert versions["deprecated"]["1.0.0"] == {
        "message": "search 1.x is deprecated; `maxResults` is now `limit` and filters moved under `filters` (3.0.0).",
        "since": "2026-03-01",
        "sunset": "2027-06-01",
        "successor": "3.0.0",
    }
    v2 = versions["deprecated"]["2.0.0"]
    assert (v2["since"], v2["sunset"], v2["successor"]) == ("2026-09-01", "2027-06-01", "3.0.0")
    assert "filters" in v2["message"]


async def test_tools_command_prints_what_tools_list_serves(client, binary):
    printed = await anyio.run_process([str(binary), "tools"])
    served = [
        tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in (await client.list_tools()).tools
    ]
    assert json.loads(printed.stdout) == served
