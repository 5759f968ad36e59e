# End-to-end tests of the access rules, tenants and audit log of the `search`
# example as its spec declares them, over HTTP with the official Python MCP
# client: each principal holds an API key, and one JWT issuer is trusted. Two
# keys see different tools; a tool a principal may not call answers exactly
# like a tool that does not exist; an expired capability and a tripped rate
# limit refuse calls (the limit recovers); each tenant gets its own config and
# storage; bad tokens get 401. Every request leaves an audit record with the
# real reason of each refusal, and `audit verify` accepts the log until one
# byte of it changes.

import time

import anyio
import jwt
import pytest
from mcp.shared.exceptions import MCPError

import httpx2 as httpx
from credentials import (
    api_key_entries,
    assert_verifies_until_one_byte_changes,
    audit_records,
    client,
    post_tools_list,
    sse_result,
    write_jwks,
)
from servers import HttpServer

pytestmark = pytest.mark.anyio

ISSUER = "https://auth.example.test"
RESOURCE = "https://mcp.example.test/mcp"
KID = "access-1"
PRINCIPALS = ("alice", "bob", "carol", "dave", "erin")
KEYS = {principal: f"key-{principal}-" + principal[0] * 32 for principal in PRINCIPALS}
INVALID_PARAMS = -32602
RATE_LIMITED = -32029


@pytest.fixture(scope="module")
def server(binary, signing_key, tmp_path_factory):
    directory = tmp_path_factory.mktemp("access")
    write_jwks(directory / "jwks.json", (KID, signing_key))
    keys = api_key_entries(KEYS)
    config = directory / "runtime.yaml"
    config.write_text(
        f"""
auth:
  resource: {RESOURCE}
  authorization_servers: [{ISSUER}]
  api_keys:
{keys}
  jwt:
    issuer: {ISSUER}
    jwks_file: {directory / "jwks.json"}
    algorithms: [ES256]
audit:
  path: {directory / "audit.jsonl"}
  mode: strict
""",
        encoding="utf-8",
    )
    served = HttpServer(binary, directory / "stderr.log", config=config)
    served.audit_log = directory / "audit.jsonl"
    yield served
    assert served.stop() == 0, served.stderr()


def connect(server, principal):
    return client(server.url, f"Bearer {KEYS[principal]}")


async def listed(server, principal):
    async with connect(server, principal) as client:
        return [tool.name for tool in (await client.list_tools()).tools]


async def refusal(client, name, arguments):
    with pytest.raises(MCPError) as raised:
        await client.call_tool(name, arguments)
    return raised.value


def records(server):
    return audit_records(server.audit_log)


def calls_of(server, principal, tool):
    return [r for r in records(server) if r.get("principal") == principal and r.get("tool") == tool]


async def test_two_keys_see_different_tools(server):
    assert await listed(server, "alice") == ["search", "article"]
    assert await listed(server, "carol") == ["search"]
    assert await listed(server, "erin") == ["search"]


async def test_a_denied_call_looks_like_an_unknown_tool(server):
    async with connect(server, "carol") as client:
        denied = await refusal(client, "article", {"id": "a01"})
        unknown = await refusal(client, "no_such_tool", {"id": "a01"})
    assert denied.code == unknown.code == INVALID_PARAMS
    assert denied.message == unknown.message.replace("no_such_tool", "article")
    assert denied.data == unknown.data
    # The audit log keeps the real reason.
    [record] = calls_of(server, "carol", "article")
    assert record["tenant"] == "acme"
    assert record["outcome"] == "protocol_error"
    assert record["denial"] == "hidden: `carol` may not see `article`: no rule grants it"



async def test_an_expired_capability_is_refused(server):
    # dave's capability for `article` ended on 2026-01-01: the tool is gone
    # from his listing and a call is refused like an unknown tool's.
    assert await listed(server, "dave") == ["search"]
    async with connect(server, "dave") as client:
        refused = await refusal(client, "article", {"id": "a01"})
        assert refused.code == INVALID_PARAMS
        found = await client.call_tool("search", {"query": "rust"})
        assert not found.is_error
    [record] = calls_of(server, "dave", "article")
    assert record["denial"] == (
        "hidden: `dave` may not see `article`: the capability expired at 2026-01-01T00:00:00Z (principal `dave` capability 0)"
    )


async def test_a_rate_limit_trips_and_recovers(server):
    # erin may search three times every two seconds.
    async with connect(server, "erin") as client:
        for _ in range(3):
            assert not (await client.call_tool("search", {"query": "rust"})).is_error
        limited = await refusal(client, "search", {"query": "rust"})
        assert limited.code == RATE_LIMITED
        assert "retry after" in limited.message
        retry_after_ms = limited.data["retryAfterMs"]
        assert 0 < retry_after_ms <= 2000
        # Another principal of the same tenant is not affected.
        async with connect(server, "bob") as other:
            assert not (await other.call_tool("search", {"query": "rust"})).is_error
        await anyio.sleep(retry_after_ms / 1000 + 0.05)
        assert not (await client.call_tool("search", {"query": "rust"})).is_error
    outcomes = [r["outcome"] for r in calls_of(server, "erin", "search")]
    assert outcomes == ["ok", "ok", "ok", "protocol_error", "ok"], outcomes
    [limited_record] = [r for r in calls_of(server, "erin", "search") if r["outcome"] != "ok"]
    assert limited_record["denial"].startswith("rate limited for ")


async def test_each_tenant_has_its_own_config_and_storage(server):
    async def read(principal):
        async with connect(server, principal) as client:
            result = await client.call_tool("article", {"id": "a02"})
            assert not result.is_error, result
            return result.structured_content

    first, second = await read("alice"), await read("alice")
    # bob is of globex: its reads are counted apart, and its config cuts
    # bodies to 80 characters while acme's leaves them whole.
    other = await read("bob")
    assert (first["reads"], second["reads"], other["reads"]) == (1, 2, 1)
    assert len(first["body"]) > 80
    assert other["body"] == first["body"][:80]


def token(key, **overrides):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": RESOURCE, "sub": "carol", "iat": now, "exp": now + 300, **overrides}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": KID})


BAD_TOKENS = {
    "wrong-audience": lambda key: token(key, aud="https://other.example.test/mcp"),
    "wrong-issuer": lambda key: token(key, iss="https://evil.example.test"),
    "alg-none": lambda key: jwt.encode({"iss": ISSUER, "aud": RESOURCE, "sub": "carol", "exp": int(time.time()) + 300}, None, algorithm="none"),
    "expired": lambda key: token(key, exp=int(time.time()) - 60),
}


def test_bad_tokens_get_401_and_a_good_one_passes(server, signing_key):
    for case, make in BAD_TOKENS.items():
        response = post_tools_list(server.url, f"Bearer {make(signing_key)}")
        assert response.status_code == 401, case
        assert response.headers["www-authenticate"].startswith("Bearer ")
    accepted = post_tools_list(server.url, f"Bearer {token(signing_key)}")
    assert accepted.status_code == 200
    assert [tool["name"] for tool in sse_result(accepted)["result"]["tools"]] == ["search"]


def test_a_request_the_transport_turns_away_is_recorded(server):
    # Not JSON: rmcp answers before any handler runs; the audit log still
    # gets exactly one record of it.
    before = len(records(server))
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tools/call",
        "Authorization": f"Bearer {KEYS['alice']}",
    }
    response = httpx.post(server.url, headers=headers, content=b'{"jsonrpc": "2.0", "id": 1, "method": ', timeout=30)
    assert 400 <= response.status_code < 500, response.text
    [record] = records(server)[before:]
    assert (record["method"], record["outcome"]) == ("tools/call", "rejected")
    assert record["error"]["message"].startswith(f"{response.status_code}: ")


async def test_every_request_is_recorded_and_the_chain_verifies(server, signing_key, binary, tmp_path):
    # Runs last in this module: every request of the tests above is in the log.
    log = records(server)
    refused = [r for r in log if r["outcome"] == "refused"]
    assert len(refused) >= len(BAD_TOKENS), refused
    assert all(r["error"]["message"].startswith("401: invalid credentials") for r in refused)
    assert {r["principal"] for r in log if r.get("principal")} >= set(PRINCIPALS)
    assert all(r["tenant"] == {"alice": "acme", "carol": "acme", "bob": "globex", "erin": "globex", "dave": "initech"}[r["principal"]] for r in log if r.get("principal") in PRINCIPALS)
    text = server.audit_log.read_text(encoding="utf-8")
    for key in KEYS.values():
        assert key not in text

    # One byte changed in a record in the middle: the chain breaks there.
    assert_verifies_until_one_byte_changes(binary, server.audit_log, len(log), tmp_path / "audit.jsonl", b"erin")
