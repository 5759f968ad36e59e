# End-to-end tests of version pins from the runtime config (`serve --config`):
# a server whose tenant is pinned, or that falls back to a server-wide pin,
# serves calls without `_meta` at the pinned version (its arguments, its result
# shape) and lists that version's schemas, while a per-call `_meta` version
# still wins. Each deployment runs over stdio and HTTP in both protocol eras.

import json
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest

import reference
import spec
from calls import call_search

pytestmark = pytest.mark.anyio

VERSIONS = "dev.mcpgen/versions"
VIOLATIONS = "dev.mcpgen/violations"

# One config for every deployment, as an operator would write it; only the
# tenant the instance serves differs. The server-wide pin is what a tenant
# without a pin of its own gets.
CONFIG = """\
tenant: {tenant}
principal: {principal}
pins:
  search: "^2"
tenants:
  acme:
    pins:
      search: 1.0.0
  initech:
    pins:
      search: "3.0.0"
"""


@dataclass(frozen=True)
class Deployment:
    tenant: str
    pinned: str
    config: Path


# tenant → the version its calls are served at, and why.
DEPLOYMENTS = {
    "acme": "1.0.0",  # its own pin, over the server-wide one
    "globex": "2.0.0",  # no pin of its own: the server-wide ^2
    "initech": "3.0.0",  # its own pin
}

# A principal of each tenant (the spec's access rules tie each to one).
PRINCIPALS = {"acme": "alice", "globex": "bob", "initech": "dave"}

NARROWED = {"query": "search", "limit": 2, "category": "news", "date_range": {"from": "2024-01-01", "to": "2025-12-31"}}


@pytest.fixture(scope="module", params=sorted(DEPLOYMENTS), ids=lambda tenant: f"{tenant}@{DEPLOYMENTS[tenant]}")
def deployment(request, tmp_path_factory):
    tenant = request.param
    path = tmp_path_factory.mktemp(f"config-{tenant}") / "runtime.yaml"
    path.write_text(CONFIG.format(tenant=tenant, principal=PRINCIPALS[tenant]), encoding="utf-8")
    return Deployment(tenant, DEPLOYMENTS[tenant], path)


@pytest.fixture(scope="module")
def runtime_config(deployment):
    """Every server in this module runs with the deployment's config."""
    return deployment.config


def expected_deprecation(result, version):
    notice = (result.meta or {}).get(spec.DEPRECATION)
    if version in spec.DEPRECATED:
        assert notice is not None and notice["version"] == version
    else:
        assert notice is None


@pytest.mark.parametrize("search", [{"query": "rust"}, NARROWED], ids=["defaults", "narrowed"])
async def test_calls_without_meta_are_served_at_the_pin(client, deployment, search):
    version = deployment.pinned
    expected = reference.search(
        search["query"],
        limit=search.get("limit", 10),
        category=search.get("category"),
        date_from=search.get("date_range", {}).get("from"),
        date_to=search.get("date_range", {}).get("to"),
    )
    # Through the SDK's call_tool, which also checks the result against the
    # output schema tools/list showed this client: the pinned version's.
    result = await call_search(client, spec.arguments(version, **search))
    assert spec.matches(result, version) == expected
    expected_deprecation(result, version)


async def test_arguments_of_other_versions_are_judged_by_the_pin(client, deployment):
    version = deployment.pinned
    other = "4.0.0" if version in ("1.0.0", "2.0.0") else "1.0.0"
    arguments = spec.arguments(other, "rust", limit=2, category="news")
    foreign = set(arguments) - set(spec.input_schema(version)["properties"])
    assert foreign, "the arguments must not be valid at the pinned version"

    result = await call_search(client, arguments)
    assert result.is_error
    text = result.content[0].text
    assert f"search {version}" in text
    for name in foreign:
        assert name in text
    assert result.meta[VIOLATIONS]
    assert result.meta[spec.RESOLVED] == version


@pytest.mark.parametrize("version", spec.VERSIONS)
async def test_meta_wins_over_the_pin(client, deployment, version):
    result = await call_search(client, spec.arguments(version, **NARROWED), version=version)
    assert spec.matches(result, version) == (3, ["a15", "a08"])
    expected_deprecation(result, version)


async def test_tools_list_shows_the_pinned_version(client, deployment):
    version = deployment.pinned
    [tool] = [tool for tool in (await client.list_tools()).tools if tool.name == "search"]
    assert tool.input_schema == spec.input_schema(version)
    # The pinned version's output schema comes first; the other shape any
    # version picked per call returns is admitted too.
    branches = tool.output_schema["anyOf"]
    assert branches[0] == spec.output_schema(version)
    assert {str(b) for b in branches} == {str(spec.output_schema(v)) for v in spec.VERSIONS}
    versions = tool.meta[VERSIONS]
    assert versions["current"] == version
    assert versions["newest"] == spec.NEWEST
    assert versions["supported"] == spec.VERSIONS
    assert sorted(versions["deprecated"]) == spec.DEPRECATED


async def test_tools_command_prints_the_pinned_listing(client, binary, deployment):
    printed = await anyio.run_process([str(binary), "tools", "--config", str(deployment.config)])
    served = [
        tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in (await client.list_tools()).tools
    ]
    listed = json.loads(printed.stdout)
    assert listed == served
    assert listed[0]["_meta"][VERSIONS]["current"] == deployment.pinned
