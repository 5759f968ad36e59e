# End-to-end tests of the span export: a `search` binary built with the
# `otlp` feature (`cargo build --features search/otlp`), a runtime config
# whose `telemetry.otlp` points at a small OTLP/HTTP collector in this
# process, and calls made with the official client. The exported span of a
# call carries the caller's `_meta.traceparent` as its parent, the MCP
# attributes and the resolved version; the last spans are exported when the
# server stops (SIGTERM, or the end of stdin); and a collector that is down
# costs the calls nothing.

import os
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from calls import call_search
from servers import HttpServer

pytestmark = pytest.mark.anyio

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
TOOL_VERSION = "dev.mcpgen/toolVersion"
READ_TIMEOUT_SECONDS = 30
# The batch delay the servers run with: far longer than a test, so spans
# reach the collector only through the flush when the server stops.
NEVER_MS = "600000"
WITHOUT_FEATURE = "built without OTLP export"


class Collector:
    """An OTLP/HTTP trace receiver on 127.0.0.1: takes protobuf
    `ExportTraceServiceRequest`s on POST /v1/traces and keeps them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.exports = []  # (path, headers by lower-case name, ExportTraceServiceRequest)
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                with collector.lock:
                    collector.exports.append((self.path, {k.lower(): v for k, v in self.headers.items()}, request))
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def spans(self):
        """Every received span, as (resource attributes, span)."""
        with self.lock:
            exports = list(self.exports)
        return [
            (attributes(resource_spans.resource.attributes), span)
            for _, _, request in exports
            for resource_spans in request.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def attributes(key_values):
    """OTLP `KeyValue`s as a dict of their (string, int or bool) values."""
    result = {}
    for kv in key_values:
        which = kv.value.WhichOneof("value")
        result[kv.key] = getattr(kv.value, which) if which else None
    return result


@pytest.fixture(scope="module")
def otlp_binary(binary, tmp_path_factory):
    """The `search` binary, once it is known to have the `otlp` feature: one
    without it refuses every config here, and the tests must fail (not skip)
    saying how to build the right one."""
    config = write_config(tmp_path_factory.mktemp("probe"), f"http://127.0.0.1:{closed_port()}")
    finished = subprocess.run(
        [str(binary), "serve", "--transport", "stdio", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    if WITHOUT_FEATURE in finished.stderr:
        pytest.fail(
            f"{binary} was built without the `otlp` feature: build it with "
            "`cargo build -p search --features search/otlp` (scripts/test does)",
            pytrace=False,
        )
    return binary


@pytest.fixture
def collector():
    collector = Collector()
    yield collector
    collector.close()


@pytest.fixture(autouse=True)
def batch_delay(monkeypatch):
    # The SDK reads OTEL_BSP_SCHEDULE_DELAY; the servers inherit it.
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", NEVER_MS)


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(tmp_path, endpoint, extra=""):
    config = tmp_path / "runtime.yaml"
    config.write_text(f"telemetry:\n  otlp:\n    endpoint: {endpoint}\n{extra}", encoding="utf-8")
    return config


def start_http(binary, tmp_path, config):
    return HttpServer(binary, tmp_path / "stderr.log", config=config)


def stop(server):
    code = server.stop()
    assert code == 0, f"the server exited with {code} on SIGTERM; stderr:\n{server.stderr()}"


async def test_the_call_span_joins_the_callers_trace_and_is_flushed_on_sigterm(otlp_binary, tmp_path, collector):
    config = write_config(
        tmp_path,
        collector.endpoint,
        "    service_name: search-e2e\n    headers:\n      x-collector-key: sesame\n",
    )
    server = start_http(otlp_binary, tmp_path, config)
    try:
        async with Client(server.url, mode="legacy", read_timeout_seconds=READ_TIMEOUT_SECONDS) as client:
            parented = await client.call_tool(
                "search", {"query": "rust"}, meta={"traceparent": TRACEPARENT, TOOL_VERSION: "2.0.0"}
            )
            assert not parented.is_error, parented.content
            root = await call_search(client, {"query": "rust"})
            assert not root.is_error, root.content
            # Upper-case hex is not a valid traceparent: ignored, the span is a root.
            malformed = await client.call_tool(
                "search", {"query": "rust", "limit": 0}, meta={"traceparent": TRACEPARENT.upper()}
            )
            assert malformed.is_error
        # Nothing is exported before the batch delay or the shutdown.
        assert collector.spans() == []
    finally:
        stop(server)

    every = collector.spans()
    # Every request has a span: the handshake and any listing the client
    # makes as well as the three calls.
    requests = [(resource, span) for resource, span in every if span.name != "tools/call search"]
    assert "initialize" in [span.name for _, span in requests], every
    for _, span in requests:
        found = attributes(span.attributes)
        assert found["mcp.method.name"] == span.name
        assert found["outcome"] == "ok"
        assert found["mcp.tenant"] == "acme" and found["enduser.id"] == "alice"
    spans = [(resource, span) for resource, span in every if span.name == "tools/call search"]
    assert len(spans) == 3, every
    for path, headers, _ in collector.exports:
        assert path == "/v1/traces"
        assert headers.get("content-type") == "application/x-protobuf"
        assert headers.get("x-collector-key") == "sesame"
    by_version = {}
    for resource, span in spans:
        assert resource["service.name"] == "search-e2e"
        assert resource["service.version"] == "4.0.0"
        assert span.name == "tools/call search"
        assert span.kind == Span.SPAN_KIND_SERVER
        found = attributes(span.attributes)
        assert found["mcp.method.name"] == "tools/call"
        assert found["gen_ai.operation.name"] == "execute_tool"
        assert found["gen_ai.tool.name"] == "search"
        by_version.setdefault(found["mcp.tool.version"], []).append((span, found))

    [(parented_span, parented_attributes)] = by_version["2.0.0"]
    assert parented_span.trace_id.hex() == TRACE_ID
    assert parented_span.parent_span_id.hex() == PARENT_ID
    assert parented_span.span_id.hex() != PARENT_ID
    assert parented_attributes["outcome"] == "ok"
    assert parented_attributes["trace_id"] == TRACE_ID
    assert parented_attributes["parent_span_id"] == PARENT_ID
    assert "error.type" not in parented_attributes
    assert parented_span.status.code != parented_span.status.STATUS_CODE_ERROR

    roots = sorted(by_version["4.0.0"], key=lambda s: s[1]["outcome"])
    assert [found["outcome"] for _, found in roots] == ["ok", "tool_error"]
    for span, found in roots:
        assert span.parent_span_id == b""
        assert len(span.trace_id) == 16 and span.trace_id.hex() != TRACE_ID
        assert "trace_id" not in found
    [(failed, failed_attributes)] = [s for s in roots if s[1]["outcome"] == "tool_error"]
    assert failed_attributes["error.type"] == "tool_error"
    assert failed.status.code == failed.status.STATUS_CODE_ERROR


async def test_a_stdio_server_exports_its_spans_when_stdin_closes(otlp_binary, tmp_path, collector):
    config = write_config(tmp_path, collector.endpoint)
    arguments = ["serve", "--transport", "stdio", "--config", str(config)]
    principal = {"MCPGEN_PRINCIPAL": os.environ["MCPGEN_PRINCIPAL"]}
    parameters = StdioServerParameters(command=str(otlp_binary), args=arguments, env=principal)
    async with Client(parameters, mode="legacy", read_timeout_seconds=READ_TIMEOUT_SECONDS) as client:
        result = await client.call_tool("search", {"query": "rust"}, meta={"traceparent": TRACEPARENT})
        assert not result.is_error, result.content

    spans = [(resource, span) for resource, span in collector.spans() if span.name == "tools/call search"]
    assert len(spans) == 1, spans
    resource, span = spans[0]
    assert resource["service.name"] == "search"
    assert span.trace_id.hex() == TRACE_ID
    assert span.parent_span_id.hex() == PARENT_ID
    assert attributes(span.attributes)["mcp.tool.version"] == "4.0.0"


async def test_an_unreachable_collector_costs_the_calls_nothing(otlp_binary, tmp_path, monkeypatch):
    # Batches every 50 ms, so exports fail (and are retried) while the calls run.
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
    config = write_config(tmp_path, f"http://127.0.0.1:{closed_port()}", "    timeout_ms: 1000\n")
    server = start_http(otlp_binary, tmp_path, config)
    try:
        async with Client(server.url, mode="legacy", read_timeout_seconds=READ_TIMEOUT_SECONDS) as client:
            started = time.monotonic()
            for _ in range(20):
                result = await client.call_tool("search", {"query": "rust"}, meta={"traceparent": TRACEPARENT})
                assert not result.is_error, result.content
            # Generous for a loaded machine; an export on the request path
            # (a refused connection, retried with backoff) would take longer.
            assert time.monotonic() - started < 10
    finally:
        started = time.monotonic()
        stop(server)
    # Shutdown gives the last export at most `timeout_ms`, not the default.
    assert time.monotonic() - started < 8, server.stderr()
    # The exports were tried, failed, and said so in the log.
    assert "opentelemetry-otlp" in server.stderr(), server.stderr()


# TLS is not linked, and the endpoint is a URL, not an address.
@pytest.mark.parametrize("endpoint", ["https://127.0.0.1:4318", "'127.0.0.1:4318'"])
def test_an_endpoint_the_exporter_cannot_use_stops_the_server(otlp_binary, tmp_path, endpoint):
    config = write_config(tmp_path, endpoint)
    finished = subprocess.run(
        [str(otlp_binary), "serve", "--transport", "http", "--bind", "127.0.0.1:0", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert finished.returncode == 2, finished.stderr
    assert finished.stderr.startswith("error: "), finished.stderr
    assert "telemetry.otlp.endpoint" in finished.stderr and "http://" in finished.stderr
