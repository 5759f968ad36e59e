# What the authentication, access and tenancy tests share: JWK sets for
# signing keys, API key entries of a runtime config, a stateless tools/list
# POST that shows whether credentials pass, an MCP client that presents them,
# the audit log's records, and a server start that must fail on its config.

import hashlib
import json
import subprocess

import httpx2 as httpx
from jwt.algorithms import ECAlgorithm
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

PROTOCOL = "2026-07-28"


def public_jwk(private_key, kid):
    """The public half of an ES256 signing key as a JWK, named `kid`."""
    jwk = ECAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    jwk.update({"kid": kid, "alg": "ES256", "use": "sig"})
    return jwk


def write_jwks(path, *keys_by_kid):
    """Writes a JWK set of `(kid, private key)` pairs' public halves."""
    path.write_text(json.dumps({"keys": [public_jwk(key, kid) for kid, key in keys_by_kid]}), encoding="utf-8")
    return path


def api_key_entries(keys, indent="    "):
    """`auth.api_keys` entries (YAML lines) for principal → key."""
    return "\n".join(
        f"{indent}- {{principal: {principal}, sha256: {hashlib.sha256(key.encode()).hexdigest()}}}"
        for principal, key in keys.items()
    )


def post_tools_list(url, authorization=None, params=None, extra_headers=None):
    """A stateless 2026-07-28 tools/list: it needs no session, so a 200 means
    the credentials were accepted and nothing else was in the way."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": PROTOCOL,
        "Mcp-Method": "tools/list",
    }
    if authorization is not None:
        headers["Authorization"] = authorization
    headers.update(extra_headers or {})
    meta = {"io.modelcontextprotocol/protocolVersion": PROTOCOL, "io.modelcontextprotocol/clientCapabilities": {}}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}}
    return httpx.post(url, headers=headers, params=params, json=body, timeout=30)


def sse_result(response):
    """The JSON-RPC message of a response sent as one server-sent event."""
    [data] = [line[len("data: "):] for line in response.text.splitlines() if line.startswith("data: ")]
    return json.loads(data)


def client(url, authorization, extra_headers=None, mode="auto"):
    """The official MCP client, presenting `authorization` on every request."""
    headers = {"Authorization": authorization, **(extra_headers or {})}
    transport = streamable_http_client(url, http_client=create_mcp_http_client(headers=headers))
    return Client(transport, mode=mode, read_timeout_seconds=30)


def audit_records(path):
    """The records of an audit log, in file order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def serve_http_once(binary, config):
    """Runs `serve --transport http` with `config`, for a config the server
    must refuse: it exits rather than serving."""
    return subprocess.run(
        [str(binary), "serve", "--transport", "http", "--bind", "127.0.0.1:0", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )


def assert_verifies_until_one_byte_changes(binary, log, records, copy, needle):
    """`audit verify` accepts a copy of `log` (holding `records` records), then
    rejects it once one byte of the first `needle` in it is changed."""
    copy.write_bytes(log.read_bytes())
    verify = [str(binary), "audit", "verify", str(copy)]
    verified = subprocess.run(verify, capture_output=True, text=True, timeout=30)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{records} records" in verified.stdout

    data = bytearray(copy.read_bytes())
    at = data.index(needle)
    data[at] = ord("X") if data[at] != ord("X") else ord("Y")
    copy.write_bytes(bytes(data))
    broken = subprocess.run(verify, capture_output=True, text=True, timeout=30)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "breaks" in broken.stdout
