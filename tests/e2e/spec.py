# What examples/search/mcpgen.yaml promises about each version of the `search`
# tool, read from the spec itself: its input and output schemas, how its
# arguments are spelled, and the checks every result served at a version must
# pass (that version's field names only, valid against its output schema, and
# a text block that serialises the structured result).

import json
from pathlib import Path

import jsonschema
import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "examples" / "search" / "mcpgen.yaml"
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
TOOL = next(tool for tool in SPEC["tools"] if tool["name"] == "search")
VERSIONS = [entry["version"] for entry in TOOL["versions"]]
NEWEST = VERSIONS[-1]
DEPRECATED = [entry["version"] for entry in TOOL["versions"] if "deprecated" in entry]

RESOLVED = "dev.mcpgen/resolvedVersion"
DEPRECATION = "dev.mcpgen/deprecation"

# Key names of a result at each version: 4.0.0 renamed `total` and `url`.
ITEM_FIELDS = {"id", "title", "category", "date", "score"}


def _entry(version):
    return next(entry for entry in TOOL["versions"] if entry["version"] == version)


def input_schema(version):
    return _entry(version)["input"]


def output_schema(version):
    return _entry(version)["output"]


def total_key(version):
    return "totalCount" if version == "4.0.0" else "total"


def link_key(version):
    return "link" if version == "4.0.0" else "url"


def arguments(version, query, limit=None, sort_by=None, category=None, date_range=None):
    """The arguments of one search as a caller at `version` spells them."""
    spelled = {"query": query}
    if version == "1.0.0":
        assert sort_by is None, "1.0.0 has no sort order"
        if limit is not None:
            spelled["maxResults"] = limit
    else:
        if limit is not None:
            spelled["limit"] = limit
        if sort_by is not None:
            spelled["sortBy"] = sort_by
    narrowing = {}
    if category is not None:
        narrowing["category"] = category
    if date_range is not None:
        narrowing["dateRange"] = date_range
    if version in ("1.0.0", "2.0.0"):
        spelled.update(narrowing)
    elif narrowing:
        spelled["filters"] = narrowing
    return spelled


def validator(version):
    schema = output_schema(version)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def checked(result, version):
    """Checks that `result` is a success shaped exactly as `version` promises;
    returns its structured content."""
    assert not result.is_error, [block.text for block in result.content]
    assert result.meta[RESOLVED] == version
    structured = result.structured_content
    # The output schemas allow extra keys, so the shape is checked by name too:
    # a result still carrying the other version's spelling is wrong.
    assert set(structured) == {total_key(version), "results"}, structured
    for hit in structured["results"]:
        assert set(hit) == ITEM_FIELDS | {link_key(version)}, hit
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(version).iter_errors(structured)]
    assert not errors, f"the result does not match {version}'s output schema: {errors}"
    # The text block is the structured result serialised, at the same version.
    texts = [block.text for block in result.content if block.type == "text"]
    assert texts, "the result has no text block"
    assert json.loads(texts[0]) == structured, texts[0]
    return structured


def matches(result, version):
    """(total, ids) of a result checked against `version`."""
    structured = checked(result, version)
    return structured[total_key(version)], [hit["id"] for hit in structured["results"]]


def as_newest(structured, version):
    """A result at `version` spelled as the newest version spells it."""
    return {
        total_key(NEWEST): structured[total_key(version)],
        "results": [
            {**{k: v for k, v in hit.items() if k != link_key(version)}, link_key(NEWEST): hit[link_key(version)]}
            for hit in structured["results"]
        ],
    }
