# End-to-end tests of HTTP authentication: the `search` example served with a
# runtime config holding two API keys (stored as SHA-256 digests) and one JWT
# issuer (a JWK set file). Every refusal is a 401 (403 for a missing scope)
# with a `WWW-Authenticate` challenge pointing at the protected resource
# metadata; accepted credentials reach MCP through the official client, and
# a token's tenant (never a header's) picks the tenant's version pins. Every
# request, refused or not, leaves a record in the strict audit log, whose
# chain `audit verify` accepts until one byte of it changes.

import hashlib
import json
import time
import uuid

import httpx2 as httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from credentials import (
    assert_verifies_until_one_byte_changes,
    audit_records,
    client,
    post_tools_list,
    serve_http_once,
    write_jwks,
)
from servers import HttpServer

pytestmark = pytest.mark.anyio

ISSUER = "https://auth.example.test"
# The canonical URI of the endpoint, as clients know it (behind a proxy, say);
# tokens name it in `aud`, and the metadata document lives under its origin.
RESOURCE = "https://mcp.example.test/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource/mcp"
KEYS = {"alice": "k-alice-" + "a" * 32, "bob": "k-bob-" + "b" * 32}
KID = "signing-1"


@pytest.fixture(scope="module")
def other_key():
    """A key the server does not know."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def server(binary, signing_key, tmp_path_factory):
    directory = tmp_path_factory.mktemp("auth")
    write_jwks(directory / "jwks.json", (KID, signing_key))
    config = directory / "runtime.yaml"
    config.write_text(
        f"""
tenants:
  acme:
    pins:
      search: 1.0.0
auth:
  resource: {RESOURCE}
  authorization_servers: [{ISSUER}]
  scopes: [search]
  api_keys:
    - principal: alice
      tenant: acme
      sha256: {hashlib.sha256(KEYS["alice"].encode()).hexdigest()}
      scopes: [search]
    - principal: bob
      sha256: {hashlib.sha256(KEYS["bob"].encode()).hexdigest()}
      scopes: [other]
  jwt:
    issuer: {ISSUER}
    jwks_file: {directory / "jwks.json"}
    algorithms: [ES256]
    leeway_seconds: 5
    tenant_claim: tenant
audit:
  path: {directory / "audit.jsonl"}
  mode: strict
""",
        encoding="utf-8",
    )
    served = HttpServer(binary, directory / "stderr.log", config=config)
    served.audit_log = directory / "audit.jsonl"
    yield served
    code = served.stop()
    assert code == 0, served.stderr()


def token(server, key, **overrides):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": RESOURCE,
        "sub": "carol",
        "tenant": "acme",
        "scope": "search",
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": KID})


def post(server, authorization=None, params=None, extra_headers=None):
    return post_tools_list(server.url, authorization, params, extra_headers)


def assert_challenged(response, server, status=401, error=None):
    assert response.status_code == status, response.text
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="https://mcp.example.test{METADATA_PATH}"' in challenge
    assert 'scope="search"' in challenge
    if error is None:
        assert "error=" not in challenge
    else:
        assert f'error="{error}"' in challenge


def test_the_metadata_names_the_resource_and_its_issuers(server):
    document = httpx.get(server.url.replace("/mcp", METADATA_PATH), timeout=30).json()
    assert document["resource"] == RESOURCE
    assert document["authorization_servers"] == [ISSUER]
    assert document["scopes_supported"] == ["search"]


def test_a_request_without_credentials_is_challenged(server):
    assert_challenged(post(server), server)


def test_a_token_in_the_query_string_does_not_count(server, signing_key):
    good = token(server, signing_key)
    assert_challenged(post(server, params={"access_token": good}), server)


@pytest.mark.parametrize(
    "authorization",
    ["Basic YWxpY2U6eA==", "Bearer", "k-alice", "Bearer k-alice-wrong", "Bearer " + hashlib.sha256(KEYS["alice"].encode()).hexdigest()],
    ids=["basic", "empty-bearer", "no-scheme", "unknown-key", "the-stored-digest"],
)
def test_malformed_or_unknown_credentials_are_invalid(server, authorization):
    assert_challenged(post(server, authorization), server, error="invalid_token")


def test_an_api_key_without_the_scope_is_forbidden(server):
    assert_challenged(post(server, f"Bearer {KEYS['bob']}"), server, status=403, error="insufficient_scope")


def test_an_api_key_with_the_scope_passes(server):
    assert post(server, f"Bearer {KEYS['alice']}").status_code == 200


def test_a_valid_token_passes(server, signing_key):
    assert post(server, f"Bearer {token(server, signing_key)}").status_code == 200


def unsigned(claims):
    """A token with `alg: none` and no signature."""
    return jwt.encode(claims, None, algorithm="none")


BAD_TOKENS = {
    "wrong-audience": lambda s, k, o: token(s, k, aud="https://other.example.test/mcp"),
    "no-audience": lambda s, k, o: token(s, k, aud=None),
    "wrong-issuer": lambda s, k, o: token(s, k, iss="https://evil.example.test"),
    "issuer-with-trailing-slash": lambda s, k, o: token(s, k, iss=ISSUER + "/"),
    "expired": lambda s, k, o: token(s, k, exp=int(time.time()) - 60),
    "not-yet-valid": lambda s, k, o: token(s, k, nbf=int(time.time()) + 600),
    "no-expiry": lambda s, k, o: token(s, k, exp=None),
    "alg-none": lambda s, k, o: unsigned({"iss": ISSUER, "aud": RESOURCE, "sub": "carol", "exp": int(time.time()) + 300}),
    "unknown-signer": lambda s, k, o: token(s, o),
    "unknown-kid": lambda s, k, o: jwt.encode(
        {"iss": ISSUER, "aud": RESOURCE, "sub": "carol", "exp": int(time.time()) + 300}, k, algorithm="ES256", headers={"kid": "other"}
    ),
    # RS/HS confusion: an HMAC keyed with the public key the server trusts.
    "hs256-with-the-public-key": lambda s, k, o: hs256_with_public_key(s, k),
    "tampered-payload": lambda s, k, o: tamper(token(s, k)),
    "no-subject": lambda s, k, o: token(s, k, sub=None),
    # The config names a tenant claim: a token without one has no tenant to act in.
    "no-tenant": lambda s, k, o: token(s, k, tenant=None),
    "audience-is-the-bound-address": lambda s, k, o: token(s, k, aud=s.url),
}


def hs256_with_public_key(server, key):
    import base64
    import hmac

    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    payload = b64(json.dumps({"iss": ISSUER, "aud": RESOURCE, "sub": "carol", "exp": int(time.time()) + 300}).encode())
    signature = b64(hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"


def tamper(good):
    header, payload, signature = good.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["sub"] = "mallory"
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize("case", BAD_TOKENS)
def test_a_bad_token_is_invalid(server, signing_key, other_key, case):
    bad = BAD_TOKENS[case](server, signing_key, other_key)
    assert_challenged(post(server, f"Bearer {bad}"), server, error="invalid_token")


def test_a_token_without_the_scope_is_forbidden(server, signing_key):
    response = post(server, f"Bearer {token(server, signing_key, scope='other')}")
    assert_challenged(response, server, status=403, error="insufficient_scope")


def test_credentials_never_reach_the_log(server, signing_key):
    secret = token(server, signing_key, aud="https://other.example.test/mcp")
    post(server, f"Bearer {secret}")
    post(server, f"Bearer {KEYS['alice']}")
    post(server, "Bearer k-alice-wrong")
    log = server.stderr()
    assert "request refused" in log
    for fragment in (secret, secret.split(".")[2], KEYS["alice"], "k-alice-wrong"):
        assert fragment not in log


def connect(server, authorization, extra_headers=None):
    return client(server.url, authorization, extra_headers, mode="legacy")


async def listed_version(client):
    tools = (await client.list_tools()).tools
    [search] = [tool for tool in tools if tool.name == "search"]
    return search.meta["dev.mcpgen/versions"]["current"]


async def test_the_tenant_comes_from_the_credential(server, signing_key):
    # alice's key and the token belong to acme, whose pin is 1.0.0.
    for authorization in (f"Bearer {KEYS['alice']}", f"Bearer {token(server, signing_key)}"):
        async with connect(server, authorization) as client:
            assert await listed_version(client) == "1.0.0"
            result = await client.call_tool("search", {"query": "rust", "maxResults": 2})
            assert not result.is_error, result
            assert result.meta["dev.mcpgen/resolvedVersion"] == "1.0.0"
    # A token of bob (of globex, which pins nothing) sees the newest version,
    # whatever headers claim.
    other = token(server, signing_key, tenant="globex", sub="bob")
    async with connect(server, f"Bearer {other}", {"X-Tenant": "acme", "Mcp-Tenant": "acme"}) as client:
        assert await listed_version(client) == "4.0.0"
        result = await client.call_tool("search", {"query": "rust", "limit": 2})
        assert result.meta["dev.mcpgen/resolvedVersion"] == "4.0.0"


def test_hash_key_prints_the_digest_the_config_takes(binary):
    import subprocess

    finished = subprocess.run(
        [str(binary), "auth", "hash-key"], input=KEYS["alice"] + "\n", capture_output=True, text=True, timeout=30
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == hashlib.sha256(KEYS["alice"].encode()).hexdigest()


BAD_AUTH = {
    "digest-not-hex": ("api_keys: [{principal: alice, sha256: not-a-digest}]", ["`alice`", "SHA-256"]),
    "missing-jwks": ("jwt: {issuer: x, jwks_file: /nonexistent/jwks.json}", ["jwks_file", "/nonexistent/jwks.json"]),
    "shared-secret-algorithm": ("jwt: {issuer: x, jwks_file: JWKS, algorithms: [HS256]}", ["`HS256`", "shared-secret"]),
    "unknown-algorithm": ("jwt: {issuer: x, jwks_file: JWKS, algorithms: [XY999]}", ["`XY999`"]),
    "leeway-too-large": ("jwt: {issuer: x, jwks_file: JWKS, leeway_seconds: 3600}", ["leeway_seconds", "300"]),
    "resource-not-a-uri": ("api_keys: []", ["auth.resource"]),
    "unknown-field": ("api_key: []", ["unknown field `api_key`"]),
}


@pytest.mark.parametrize("case", BAD_AUTH)
def test_an_auth_section_the_server_cannot_use_stops_it(binary, signing_key, tmp_path, case):
    text, fragments = BAD_AUTH[case]
    write_jwks(tmp_path / "jwks.json", (KID, signing_key))
    resource = "mcp.example.test/mcp" if case == "resource-not-a-uri" else RESOURCE
    config = tmp_path / "runtime.yaml"
    config.write_text(
        f"auth:\n  resource: {resource}\n  {text.replace('JWKS', str(tmp_path / 'jwks.json'))}\n", encoding="utf-8"
    )
    finished = serve_http_once(binary, config)
    assert finished.returncode == 2, finished.stderr
    assert "listening" not in finished.stderr
    for fragment in fragments:
        assert fragment in finished.stderr, finished.stderr


def records(server):
    return audit_records(server.audit_log)


def test_every_request_is_recorded_and_the_chain_verifies(binary, server, signing_key, tmp_path):
    marker = f"user-{uuid.uuid4()}"
    post(server)
    post(server, "Bearer k-alice-wrong")
    post(server, f"Bearer {KEYS['bob']}")
    post(server, f"Bearer {token(server, signing_key, aud='https://other.example.test/mcp')}")
    assert post(server, f"Bearer {token(server, signing_key, sub=marker)}").status_code == 200
    log = records(server)
    refused = [r for r in log if r["outcome"] == "refused"]
    messages = [r["error"]["message"] for r in refused]
    assert "401: no credentials" in messages
    assert "401: invalid credentials: unknown API key" in messages
    assert "403: insufficient scope: missing search" in messages
    assert any(m.startswith("401: invalid credentials: token rejected") and "Audience" in m for m in messages), messages
    assert all(r["method"] == "tools/list" for r in refused[-4:])
    accepted = [r for r in log if r.get("principal") == marker]
    assert [(r["method"], r["outcome"], r["tenant"]) for r in accepted] == [("tools/list", "ok", "acme")]
    text = server.audit_log.read_text(encoding="utf-8")
    for secret in (KEYS["alice"], KEYS["bob"], "k-alice-wrong"):
        assert secret not in text

    # One byte changed in a record in the middle: the chain breaks there.
    assert_verifies_until_one_byte_changes(binary, server.audit_log, len(log), tmp_path / "audit.jsonl", b"no credentials")
