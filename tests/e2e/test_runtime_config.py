# End-to-end tests of a runtime config the server refuses: an unknown tool in
# the pins, a pin that is neither a version nor a range or that matches no
# version, an unknown field, a file that is missing. `serve` (on either transport) and `tools` exit with
# code 2 before serving anything, and say on stderr what is wrong. And the
# environment variable a config names for the principal is the one read.

import json
import os
import subprocess

import pytest

# Bounds a server that wrongly accepts the config and starts serving.
EXIT_TIMEOUT_SECONDS = 30

INVALID = {
    "unknown-tool-in-server-pins": ("pins:\n  lookup: 1.0.0\n", ["`lookup`", "not a tool"]),
    "unknown-tool-in-tenant-pins": (
        "tenant: acme\ntenants:\n  acme:\n    pins:\n      lookup: 1.0.0\n",
        ["`lookup`", "not a tool"],
    ),
    "bad-selector-in-server-pins": ("pins:\n  search: banana\n", ["`search`", "`banana`", "neither a version nor"]),
    "bad-selector-in-tenant-pins": (
        "tenants:\n  acme:\n    pins:\n      search: '>=one'\n",
        ["`search`", "`>=one`", "neither a version nor"],
    ),
    "unknown-field": ("tenant: acme\npinned:\n  search: 1.0.0\n", ["unknown field `pinned`", "runtime.yaml"]),
    "unknown-tenant-field": ("tenants:\n  acme:\n    pin:\n      search: 1.0.0\n", ["unknown field `pin`"]),
    "pins-not-a-mapping": ("pins: [search]\n", ["runtime.yaml", "pins"]),
    "pin-matching-no-version": (
        "tenant: acme\ntenants:\n  acme:\n    pins:\n      search: '^9'\n",
        ["runtime.yaml", "`^9`", "`search`", "matches no version", "4.0.0"],
    ),
}

COMMANDS = {
    "serve-stdio": ["serve", "--transport", "stdio"],
    "serve-http": ["serve", "--transport", "http", "--bind", "127.0.0.1:0"],
    "tools": ["tools"],
}


def run(binary, command, config):
    return subprocess.run(
        [str(binary), *COMMANDS[command], "--config", str(config)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT_SECONDS,
    )


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", INVALID)
def test_invalid_config_exits_with_2_and_says_why(binary, tmp_path, case, command):
    text, fragments = INVALID[case]
    config = tmp_path / "runtime.yaml"
    config.write_text(text, encoding="utf-8")

    finished = run(binary, command, config)

    assert finished.returncode == 2, finished.stderr
    assert finished.stdout == ""
    assert finished.stderr.startswith("error: "), finished.stderr
    for fragment in fragments:
        assert fragment in finished.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_config_exits_with_2(binary, tmp_path, command):
    config = tmp_path / "absent.yaml"
    finished = run(binary, command, config)
    assert finished.returncode == 2, finished.stderr
    assert finished.stdout == ""
    assert "cannot read" in finished.stderr and str(config) in finished.stderr


def test_a_valid_config_is_accepted(binary, tmp_path):
    # The same shapes as above, spelled right, so the refusals are not
    # refusals of every config.
    config = tmp_path / "runtime.yaml"
    config.write_text("tenant: acme\npins:\n  search: ^2\ntenants:\n  acme:\n    pins:\n      search: '>=1, <2'\n")
    finished = run(binary, "tools", config)
    assert finished.returncode == 0, finished.stderr
    assert '"current": "1.0.0"' in finished.stdout


def test_the_config_names_the_variable_that_holds_the_principal(binary, tmp_path):
    config = tmp_path / "runtime.yaml"
    config.write_text("principal_env: SEARCH_CALLER\n")

    def listed(environment):
        finished = subprocess.run(
            [str(binary), "tools", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=EXIT_TIMEOUT_SECONDS,
            env={**os.environ, **environment},
        )
        assert finished.returncode == 0, finished.stderr
        return [tool["name"] for tool in json.loads(finished.stdout)]

    # carol may call only `search`; alice (MCPGEN_PRINCIPAL) both tools, but
    # that variable is not the one the config names.
    assert listed({"SEARCH_CALLER": "carol", "MCPGEN_PRINCIPAL": "alice"}) == ["search"]
    assert listed({"SEARCH_CALLER": "", "MCPGEN_PRINCIPAL": "alice"}) == []
