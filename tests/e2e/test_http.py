# End-to-end tests of the HTTP command line: the endpoint path is the one asked
# for, and the server stops cleanly when told to.

import pytest
from mcp.client.client import Client

from servers import HttpServer

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_serves_on_the_path_asked_for(binary, tmp_path, mode):
    server = HttpServer(binary, tmp_path / "stderr.log", extra_args=["--path", "/rpc"])
    try:
        assert server.url.endswith("/rpc")
        async with Client(server.url, mode=mode, read_timeout_seconds=30) as client:
            assert [tool.name for tool in (await client.list_tools()).tools] == ["search", "article"]
    finally:
        code = server.stop()
    assert code == 0, server.stderr()
