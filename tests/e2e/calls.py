# Calling the `search` tool, at a version chosen per call through
# `_meta["dev.mcpgen/toolVersion"]` or at the caller's default.
#
# Every call goes through the SDK's `call_tool`, which checks each structured
# result against the output schema `tools/list` showed. That schema admits
# every served version's results (the listed version's first), so results at a
# version picked per call pass the SDK's check too; each test then checks the
# result against the selected version's own output schema (spec.checked).

TOOL_VERSION = "dev.mcpgen/toolVersion"


async def call_search(client, arguments, version=None):
    meta = None if version is None else {TOOL_VERSION: version}
    return await client.call_tool("search", arguments, meta=meta)
