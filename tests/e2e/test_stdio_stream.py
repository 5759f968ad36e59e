# End-to-end test of the raw stdio stream: stdout carries nothing but JSON-RPC
# messages, in both protocol eras, even while the server logs.

import json
import queue
import subprocess
import threading

import pytest

REPLY_TIMEOUT_SECONDS = 30

CLIENT_INFO = {"name": "mcpgen-e2e", "version": "0.0.0"}
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
    "io.modelcontextprotocol/clientCapabilities": {},
}


class RawServer:
    """`search serve` on stdio, spoken to line by line."""

    def __init__(self, binary, stderr_path):
        self.stderr_path = stderr_path
        self.stderr_file = open(stderr_path, "wb")
        self.process = subprocess.Popen(
            [str(binary), "serve", "--transport", "stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
        )
        self.lines = []
        self.incoming = queue.Queue()
        # A thread, so a server that never answers fails the test by timeout
        # instead of blocking it forever.
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.next_id = 0

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)
            self.incoming.put(line)

    def send(self, message):
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = json.loads(self.incoming.get(timeout=REPLY_TIMEOUT_SECONDS))
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def close(self):
        """Closes stdin, which ends the session; returns the exit code."""
        self.process.stdin.close()
        code = self.process.wait(timeout=REPLY_TIMEOUT_SECONDS)
        self.reader.join(timeout=REPLY_TIMEOUT_SECONDS)
        self.stderr_file.close()
        return code

    def stderr(self):
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def legacy_session(server):
    reply = server.request(
        "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": CLIENT_INFO}
    )
    assert reply["result"]["protocolVersion"] == "2025-11-25"
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return {}


def modern_session(server):
    reply = server.request("server/discover", {"_meta": MODERN_META})
    assert "2026-07-28" in reply["result"]["supportedVersions"]
    return MODERN_META


@pytest.mark.parametrize("start", [legacy_session, modern_session], ids=["2025-11-25", "2026-07-28"])
def test_stdout_carries_only_json_rpc(binary, tmp_path, start):
    server = RawServer(binary, tmp_path / "stderr.log")
    try:
        meta = start(server)
        assert "tools" in server.request("tools/list", {"_meta": meta})["result"]
        # A deprecated version makes the server log a warning while answering.
        old = {"name": "search", "arguments": {"query": "rust", "maxResults": 1}}
        reply = server.request("tools/call", {**old, "_meta": {**meta, "dev.mcpgen/toolVersion": "1.0.0"}})
        assert reply["result"]["_meta"]["dev.mcpgen/resolvedVersion"] == "1.0.0"
        reply = server.request("tools/call", {"name": "search", "arguments": {"limit": "x"}, "_meta": meta})
        assert reply["result"]["isError"] is True
        reply = server.request("tools/call", {"name": "no-such-tool", "arguments": {}, "_meta": meta})
        assert reply["error"]["code"] == -32602
    finally:
        code = server.close()

    assert code == 0, server.stderr()
    assert server.lines, "the server wrote nothing to stdout"
    for line in server.lines:
        message = json.loads(line)
        assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", line
    # The warning went somewhere: stderr, not stdout.
    assert "deprecated" in server.stderr()
