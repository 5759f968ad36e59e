# An independent re-implementation of the example `search` tool over
# examples/search/data/corpus.json, so the tests know which articles a call
# must return without trusting the server under test.

import json
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parents[2] / "examples" / "search" / "data" / "corpus.json"
CORPUS = json.loads(CORPUS_PATH.read_text(encoding="utf-8"))


def words(text):
    """Lower-cased runs of alphanumeric characters."""
    found, current = [], []
    for char in text:
        if char.isalnum():
            current.append(char)
        elif current:
            found.append("".join(current).lower())
            current = []
    if current:
        found.append("".join(current).lower())
    return found


def search(query, limit=10, sort_by="relevance", category=None, date_from=None, date_to=None):
    """Returns (total, ids): how many articles match and the ids shown."""
    terms = words(query)
    hits = []
    for article in CORPUS:
        if category is not None and article["category"].lower() != category.lower():
            continue
        # ISO dates compare correctly as strings.
        if date_from is not None and article["date"] < date_from:
            continue
        if date_to is not None and article["date"] > date_to:
            continue
        title, body = words(article["title"]), words(article["body"])
        score = sum(2 * title.count(term) + body.count(term) for term in terms)
        if score > 0:
            hits.append((score, article))
    if sort_by == "date":
        # Newest first, ties by id: sort by id, then stably by date descending.
        hits.sort(key=lambda hit: hit[1]["id"])
        hits.sort(key=lambda hit: hit[1]["date"], reverse=True)
    else:
        hits.sort(key=lambda hit: (-hit[0], hit[1]["id"]))
    return len(hits), [article["id"] for _, article in hits[:limit]]
