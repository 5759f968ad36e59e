# Running the built `search` example binary for the end-to-end tests: where
# cargo put it, the arguments that serve it under a runtime config, and a
# streamable HTTP server process on an ephemeral port.

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_SECONDS = 30

# The example's access rules deny by default: every server a test starts runs
# as this principal (of tenant acme, allowed every tool) unless its runtime
# config or credentials name another. Set here, every child process inherits it.
DEFAULT_PRINCIPAL = "alice"
os.environ.setdefault("MCPGEN_PRINCIPAL", DEFAULT_PRINCIPAL)


def search_binary():
    """The `search` binary cargo built; MCPGEN_TARGET_DIR names its directory."""
    directory = Path(os.environ.get("MCPGEN_TARGET_DIR", REPO / "target" / "debug"))
    binary = directory / "search"
    if not binary.is_file():
        build = "cargo build --workspace --features search/otlp"
        pytest.fail(f"{binary} does not exist: run `{build}` first", pytrace=False)
    return binary


def config_args(config):
    """The `serve`/`tools` arguments that apply the runtime config file `config` (or none)."""
    return [] if config is None else ["--config", str(config)]


class HttpServer:
    """A `search serve --transport http` process on an ephemeral port."""

    def __init__(self, binary, log_path, extra_args=(), config=None):
        self.log_path = log_path
        # stderr goes to a file rather than a pipe: nothing has to drain it,
        # and its contents are there to read when a test fails.
        self.log = open(log_path, "w+b")
        self.process = subprocess.Popen(
            [str(binary), "serve", "--transport", "http", "--bind", "127.0.0.1:0", *config_args(config), *extra_args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self.url = self._wait_for_url()

    def _wait_for_url(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            found = re.search(r"listening on (http://\S+)", self.stderr())
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the HTTP server did not report its address; stderr:\n{self.stderr()}")

    def stderr(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        """Stops the server as a service manager would; returns its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode
