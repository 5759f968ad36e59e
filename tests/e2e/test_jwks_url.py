# End-to-end tests of JWT verification against a JWK set fetched from a URL
# (`auth.jwt.jwks_url`): the `search` example served with a runtime config
# naming a JWKS endpoint, here a local HTTP server on 127.0.0.1 that counts
# its requests, whose key set a test changes, and which a test can make fail
# or stop. Covered: a served key is accepted; a key added later is accepted
# after a refetch, a removed one refused after the TTL; a burst of tokens of
# unknown kids causes at most one fetch per refetch interval and is refused;
# with the endpoint down, cached keys keep working and new kids are refused;
# a server whose first fetch fails still starts and picks the keys up later;
# a URL breaking the SSRF rule stops the server at start.

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import client, post_tools_list, public_jwk, serve_http_once
from servers import HttpServer

pytestmark = pytest.mark.anyio

ISSUER = "https://auth.example.test"
RESOURCE = "https://mcp.example.test/mcp"
# How long a test waits for something the server does on its own schedule
# (a refetch, a retry): generous, so a slow machine does not fail the test.
DEADLINE_SECONDS = 30


class JwksServer:
    """A JWK set served at /jwks.json on 127.0.0.1, in a thread."""

    def __init__(self):
        self.keys = {}
        self.status = 200
        self.requests = 0
        self._lock = threading.Lock()
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with jwks._lock:
                    jwks.requests += 1
                    status = jwks.status
                    body = json.dumps({"keys": list(jwks.keys.values())}).encode()
                if status != 200:
                    body = b"unavailable"
                self.send_response(status)
                self.send_header("Content-Type", "application/jwk-set+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, kid, private_key):
        jwk = public_jwk(private_key, kid)
        with self._lock:
            self.keys[kid] = jwk

    def remove(self, kid):
        with self._lock:
            del self.keys[kid]

    def fail(self, status):
        with self._lock:
            self.status = status

    def count(self):
        with self._lock:
            return self.requests

    def stop(self):
        """Closes the listening socket: fetches now fail to connect."""
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=10)


def new_key():
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def jwks():
    served = JwksServer()
    yield served
    served.stop()


@pytest.fixture
def serve(binary, tmp_path):
    """Starts the server against a JWKS URL with the given `auth.jwt` settings."""
    started = []

    def start(url, **settings):
        jwt_settings = {"issuer": ISSUER, "jwks_url": url, "algorithms": ["ES256"], **settings}
        config = tmp_path / f"runtime-{len(started)}.yaml"
        config.write_text(
            json.dumps({"auth": {"resource": RESOURCE, "jwt": jwt_settings}}), encoding="utf-8"
        )
        server = HttpServer(binary, tmp_path / f"stderr-{len(started)}.log", config=config)
        started.append(server)
        return server

    yield start
    for server in started:
        code = server.stop()
        assert code == 0, server.stderr()


def token(key, kid, **overrides):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": RESOURCE, "sub": "carol", "iat": now, "exp": now + 300}
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})


def post(server, bearer):
    # A 200 means the token was accepted.
    return post_tools_list(server.url, f"Bearer {bearer}")


def assert_refused(response):
    assert response.status_code == 401, response.text
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def eventually(status, server, bearer):
    """Posts until the answer has `status`; the server gets there on its own
    schedule (a refetch after its interval, a retry after a backoff)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        response = post(server, bearer)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


async def test_a_token_of_a_served_key_reaches_mcp(jwks, serve):
    key = new_key()
    jwks.add("k1", key)
    server = serve(jwks.url)
    # Fetched once at start, before the server took requests.
    assert jwks.count() == 1
    assert "fetched the JWK set" in server.stderr()
    async with client(server.url, f"Bearer {token(key, 'k1')}", mode="legacy") as connected:
        result = await connected.call_tool("search", {"query": "rust", "limit": 2})
        assert not result.is_error, result
    # A cached key causes no fetch.
    assert post(server, token(key, "k1")).status_code == 200
    assert jwks.count() == 1


def test_a_key_added_to_the_set_is_accepted_after_a_refetch(jwks, serve):
    old, new = new_key(), new_key()
    jwks.add("old", old)
    server = serve(jwks.url, jwks_refetch_interval_seconds=1)
    assert_refused(post(server, token(new, "new")))
    before = jwks.count()
    jwks.add("new", new)
    assert eventually(200, server, token(new, "new")).status_code == 200
    assert jwks.count() > before
    assert post(server, token(old, "old")).status_code == 200


def test_a_key_removed_from_the_set_stops_working_after_the_ttl(jwks, serve):
    leaving, staying = new_key(), new_key()
    jwks.add("leaving", leaving)
    jwks.add("staying", staying)
    server = serve(jwks.url, jwks_refetch_interval_seconds=1, jwks_ttl_seconds=1)
    assert post(server, token(leaving, "leaving")).status_code == 200
    jwks.remove("leaving")
    assert_refused(eventually(401, server, token(leaving, "leaving")))
    assert post(server, token(staying, "staying")).status_code == 200


def test_a_burst_of_unknown_kids_causes_at_most_one_fetch_per_interval(jwks, serve):
    interval = 2
    key = new_key()
    jwks.add("k1", key)
    server = serve(jwks.url, jwks_refetch_interval_seconds=interval)
    # The start fetch counts: wait out its interval so the burst may fetch.
    time.sleep(interval + 0.5)
    before = jwks.count()
    forged = [token(new_key(), f"made-up-{uuid.uuid4()}") for _ in range(24)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(lambda bearer: post(server, bearer), forged))
    elapsed = time.monotonic() - started
    fetches = jwks.count() - before
    for response in responses:
        assert_refused(response)
    # One fetch for the burst; a burst that outlasted the interval on a
    # slow machine may have earned one more per interval.
    assert 1 <= fetches <= 1 + int(elapsed // interval), (fetches, elapsed)
    assert post(server, token(key, "k1")).status_code == 200
    log = server.stderr()
    assert "no key for kid" in log
    for bearer in forged:
        assert bearer not in log and bearer.split(".")[2] not in log


def test_with_the_endpoint_down_cached_keys_work_and_new_kids_are_refused(jwks, serve):
    cached, unknown = new_key(), new_key()
    jwks.add("cached", cached)
    server = serve(jwks.url, jwks_refetch_interval_seconds=1)
    assert post(server, token(cached, "cached")).status_code == 200
    jwks.stop()
    assert_refused(post(server, token(unknown, "unknown")))
    # Past the refetch interval a new kid makes the server try the dead
    # endpoint, fail, and still refuse; the cached key is unaffected.
    time.sleep(1.5)
    assert_refused(post(server, token(unknown, "unknown")))
    assert post(server, token(cached, "cached")).status_code == 200
    assert "cannot fetch the JWK set" in server.stderr()


def test_a_server_whose_first_fetch_fails_starts_and_loads_the_keys_later(jwks, serve):
    key = new_key()
    jwks.add("k1", key)
    jwks.fail(503)
    server = serve(jwks.url, jwks_refetch_interval_seconds=1)
    log = server.stderr()
    assert "cannot fetch the JWK set" in log and "503" in log, log
    assert "every token is refused until a fetch succeeds" in log
    assert_refused(post(server, token(key, "k1")))
    jwks.fail(200)
    assert eventually(200, server, token(key, "k1")).status_code == 200
    # Retries backed off: a handful of fetches, not a loop.
    assert jwks.count() < 20


BAD_URLS = {
    "http-to-a-remote-host": ("http://auth.example.test/jwks.json", "loopback"),
    "http-to-a-private-address": ("http://10.0.0.1/jwks.json", "loopback"),
    "http-to-the-metadata-address": ("http://169.254.169.254/jwks.json", "loopback"),
    "another-scheme": ("file:///etc/jwks.json", "`file`"),
    "credentials-in-the-url": ("https://user:hunter2@auth.example.test/jwks.json", "credentials"),
}


@pytest.mark.parametrize("case", BAD_URLS)
def test_a_jwks_url_breaking_the_rule_stops_the_server(binary, tmp_path, case):
    url, fragment = BAD_URLS[case]
    config = tmp_path / "runtime.yaml"
    config.write_text(
        json.dumps({"auth": {"resource": RESOURCE, "jwt": {"issuer": ISSUER, "jwks_url": url}}}),
        encoding="utf-8",
    )
    finished = serve_http_once(binary, config)
    assert finished.returncode == 2, finished.stderr
    assert "listening" not in finished.stderr
    assert "auth.jwt.jwks_url" in finished.stderr and fragment in finished.stderr, finished.stderr
    assert "hunter2" not in finished.stderr


BAD_SOURCES = {
    "both": ({"jwks_url": "https://auth.example.test/jwks.json", "jwks_file": "/etc/jwks.json"}, "not both"),
    "neither": ({}, "`jwks_url`"),
    "refetch-with-a-file": ({"jwks_file": "/etc/jwks.json", "jwks_ttl_seconds": 60}, "auth.jwt.jwks_ttl_seconds"),
    "zero-interval": (
        {"jwks_url": "https://auth.example.test/jwks.json", "jwks_refetch_interval_seconds": 0},
        "auth.jwt.jwks_refetch_interval_seconds",
    ),
}


@pytest.mark.parametrize("case", BAD_SOURCES)
def test_a_key_source_the_server_cannot_use_stops_it(binary, tmp_path, case):
    settings, fragment = BAD_SOURCES[case]
    config = tmp_path / "runtime.yaml"
    config.write_text(
        json.dumps({"auth": {"resource": RESOURCE, "jwt": {"issuer": ISSUER, **settings}}}), encoding="utf-8"
    )
    finished = serve_http_once(binary, config)
    assert finished.returncode == 2, finished.stderr
    assert "listening" not in finished.stderr
    assert fragment in finished.stderr, finished.stderr
