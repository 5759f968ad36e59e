# Fixtures for the end-to-end tests: finding the built `search` example
# binary, the runtime config it is served with (none unless a test module
# overrides `runtime_config`), running it over streamable HTTP for a test
# module, and connecting the official Python MCP client to it over each
# transport in each protocol era.

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from mcp.client.client import Client
from mcp.client.stdio import StdioServerParameters

from servers import HttpServer, config_args, search_binary

# The era is chosen by how the client connects: "legacy" runs the initialize
# handshake; "auto" probes server/discover and only falls back to initialize
# when the server does not answer it, so landing on the 2026 version proves
# discovery worked.
ERAS = {
    "2025-11-25": "legacy",
    "2026-07-28": "auto",
}
TRANSPORTS = ("stdio", "http")

# Generous, so a slow CI machine does not fail a test; a hung server still does.
READ_TIMEOUT_SECONDS = 30


@pytest.fixture(scope="session")
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="session")
def binary():
    return search_binary()


@pytest.fixture(scope="module")
def signing_key():
    """The EC P-256 key a test module signs its tokens with; its server
    trusts it through a JWKS file."""
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def runtime_config():
    """The runtime config file (`serve --config`) the servers of a test module
    run with: none here; a module that tests pins overrides this fixture."""
    return None


@pytest.fixture(scope="module")
def http_server(binary, runtime_config, tmp_path_factory):
    server = HttpServer(binary, tmp_path_factory.mktemp("http") / "stderr.log", config=runtime_config)
    yield server
    code = server.stop()
    assert code == 0, f"the HTTP server exited with {code} on SIGTERM; stderr:\n{server.stderr()}"


@pytest.fixture(params=[(t, e) for t in TRANSPORTS for e in ERAS], ids=lambda p: f"{p[0]}-{p[1]}")
async def client(request, binary, runtime_config):
    """A connected client, once per transport and protocol era."""
    transport, era = request.param
    if transport == "stdio":
        # The client owns the process: it starts it and closes its stdin at the end.
        args = ["serve", "--transport", "stdio", *config_args(runtime_config)]
        # The client passes the server only a few variables of its own
        # environment, so the principal is handed over explicitly.
        principal = {"MCPGEN_PRINCIPAL": os.environ["MCPGEN_PRINCIPAL"]}
        server = StdioServerParameters(command=str(binary), args=args, env=principal)
    else:
        server = request.getfixturevalue("http_server").url
    async with Client(server, mode=ERAS[era], read_timeout_seconds=READ_TIMEOUT_SECONDS) as connected:
        assert connected.protocol_version == era
        yield connected
