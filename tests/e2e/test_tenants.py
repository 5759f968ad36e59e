# End-to-end tests of tenant isolation in the `search` example over HTTP with
# the official Python MCP client. Principals of three tenants make randomized,
# interleaved calls at once; nothing one tenant's calls leave behind (read
# counts in tenant storage, the tenant's config, rate-limit buckets, audit
# records) reaches another tenant. A tenant whose config breaks the spec's
# `tenant_config`, or that the server does not know, is refused on its own.

import json
import os
import random
from collections import Counter, defaultdict

import anyio
import pytest
from mcp.shared.exceptions import MCPError

import spec
from credentials import api_key_entries, audit_records, client
from servers import HttpServer

pytestmark = pytest.mark.anyio

RESOURCE = "https://mcp.example.test/mcp"
TENANT_OF = {principal["id"]: principal["tenant"] for principal in spec.SPEC["access"]["principals"]}
KEYS = {principal: f"key-{principal}-" + "x" * 32 for principal in TENANT_OF}
# What each tenant's config cuts article bodies to (none for acme).
EXCERPT = {tenant["id"]: tenant.get("config", {}).get("excerpt_chars") for tenant in spec.SPEC["tenants"]}
ARTICLES = ("a01", "a02", "a03")
BODIES = {
    article["id"]: article["body"]
    for article in json.loads((spec.SPEC_PATH.parent / "data" / "corpus.json").read_text(encoding="utf-8"))
}
RATE_LIMITED = -32029


def write_config(directory, extra=""):
    keys = api_key_entries(KEYS)
    config = directory / "runtime.yaml"
    config.write_text(
        f"auth:\n  resource: {RESOURCE}\n  api_keys:\n{keys}\naudit:\n  path: {directory / 'audit.jsonl'}\n  mode: strict\n{extra}",
        encoding="utf-8",
    )
    return config


def serve(binary, directory, extra=""):
    served = HttpServer(binary, directory / "stderr.log", config=write_config(directory, extra))
    served.audit_log = directory / "audit.jsonl"
    return served


def connect(server, principal):
    return client(server.url, f"Bearer {KEYS[principal]}")


@pytest.fixture
def server(binary, tmp_path):
    served = serve(binary, tmp_path)
    yield served
    assert served.stop() == 0, served.stderr()


async def test_interleaved_calls_of_many_tenants_never_cross(server):
    seed = int(os.environ.get("MCPGEN_TEST_SEED", random.randrange(2**32)))
    where = f"(seed {seed}; rerun with MCPGEN_TEST_SEED={seed})"
    rng = random.Random(seed)
    readers = ["alice", "bob", "frank"]  # acme, globex, initech: may read articles
    searchers = ["carol", "erin", "dave"]  # acme, globex (metered), initech
    plans = {
        principal: [
            ("article", {"id": rng.choice(ARTICLES)}) if principal in readers and rng.random() < 0.7 else ("search", {"query": rng.choice(["rust", "search", "news", "data"])})
            for _ in range(rng.randint(15, 30))
        ]
        for principal in readers + searchers
    }
    pauses = {principal: [rng.random() / 200 for _ in plan] for principal, plan in plans.items()}
    answers = defaultdict(list)  # principal → [(tool, arguments, result or error code)]

    async def worker(principal):
        async with connect(server, principal) as client:
            for (tool, arguments), pause in zip(plans[principal], pauses[principal]):
                await anyio.sleep(pause)
                try:
                    result = await client.call_tool(tool, arguments)
                    assert not result.is_error, (principal, tool, result, where)
                    answers[principal].append((tool, arguments, result.structured_content))
                except MCPError as error:
                    answers[principal].append((tool, arguments, error.code))

    async with anyio.create_task_group() as group:
        for principal in plans:
            group.start_soon(worker, principal)

    # Storage: each tenant's read counts of an article are 1..n over its own
    # reads, whatever the other tenants did in between.
    reads = defaultdict(list)
    for principal, calls in answers.items():
        for tool, arguments, outcome in calls:
            if tool == "article":
                reads[(TENANT_OF[principal], arguments["id"])].append(outcome["reads"])
                # Config: the body is cut by the caller's tenant's config only.
                full = BODIES[arguments["id"]]
                limit = EXCERPT[TENANT_OF[principal]]
                assert outcome["body"] == (full if limit is None else full[:limit]), (principal, outcome, where)
    expected = Counter((TENANT_OF[p], a["id"]) for p, plan in plans.items() for tool, a in plan if tool == "article")
    assert {key: sorted(counts) for key, counts in reads.items()} == {key: list(range(1, n + 1)) for key, n in expected.items()}, where

    # Rate limits: only erin's own bucket ever runs dry.
    for principal, calls in answers.items():
        limited = [outcome for _, _, outcome in calls if outcome == RATE_LIMITED]
        if principal != "erin":
            assert not limited, (principal, where)
        assert all(not isinstance(outcome, int) or outcome == RATE_LIMITED for _, _, outcome in calls), (principal, where)

    # Audit: every call is recorded under its caller's tenant, with the
    # arguments that caller sent.
    log = audit_records(server.audit_log)
    calls = [r for r in log if r["method"] == "tools/call"]
    assert len(calls) == sum(len(plan) for plan in plans.values()), where
    for record in calls:
        assert record["tenant"] == TENANT_OF[record["principal"]], (record, where)
    recorded = Counter((r["principal"], r["arguments"]["id"]) for r in calls if r["tool"] == "article")
    sent = Counter((p, a["id"]) for p, plan in plans.items() for tool, a in plan if tool == "article")
    assert recorded == sent, where


async def test_a_tenant_with_a_broken_config_is_refused_alone(binary, tmp_path):
    # globex's excerpt_chars must be a positive integer (the spec's
    # tenant_config); the runtime config breaks it.
    served = serve(binary, tmp_path, "tenants:\n  globex:\n    config: { excerpt_chars: lots }\n")
    try:
        assert "tenant `globex` will be refused" in served.stderr()
        async with connect(served, "bob") as client:
            with pytest.raises(MCPError) as listing:
                await client.list_tools()
            with pytest.raises(MCPError) as calling:
                await client.call_tool("search", {"query": "rust"})
        for refused in (listing.value, calling.value):
            assert refused.message == "tenant `globex` cannot be served: its configuration is invalid"
            assert "lots" not in refused.message
        async with connect(served, "alice") as client:
            assert not (await client.call_tool("search", {"query": "rust"})).is_error
        # A runtime config can also set a tenant's config within the schema.
    finally:
        assert served.stop() == 0, served.stderr()
    outcomes = [(r.get("principal"), r["method"], r["outcome"]) for r in audit_records(served.audit_log)]
    assert ("bob", "tools/call", "protocol_error") in outcomes
    assert ("alice", "tools/call", "ok") in outcomes


async def test_the_runtime_config_overrides_a_tenants_config(binary, tmp_path):
    served = serve(binary, tmp_path, "tenants:\n  globex:\n    config: { excerpt_chars: 10 }\n")
    try:
        async with connect(served, "bob") as client:
            result = await client.call_tool("article", {"id": "a01"})
        assert len(result.structured_content["body"]) == 10
    finally:
        assert served.stop() == 0, served.stderr()


async def test_a_tenant_argument_is_not_a_way_in(server):
    # The tenant comes from the credential only; the tool's schema has no
    # `tenant`, so naming one is an invalid call rather than a switch.
    async with connect(server, "bob") as client:
        result = await client.call_tool("article", {"id": "a01", "tenant": "acme"})
    assert result.is_error
    assert "tenant" in result.content[0].text
