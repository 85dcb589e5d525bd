"""The transparency export: the published fields of each agreement, as JSON or CSV.

In the spirit of the public registers (the Digital Economy Act 2017 register,
NHS England's data uses register): parties, purposes, legal bases, items by
category, dates, review date and digest. Each agreement's charter chooses what
is published through its ``published_fields`` (default: all of them); the kind,
id, version and title are always published. CSV cells that a spreadsheet would
run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or carriage return)
are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from woda_sharing.register._core import PUBLISHED_FIELDS, Entry

__all__ = ["CSV_COLUMNS", "export_csv", "export_json", "published"]

#: The CSV header, in order.
CSV_COLUMNS: Final = (
    "kind",
    "id",
    "version",
    "title",
    "parties",
    "purposes",
    "legal_bases",
    "items",
    "start",
    "end",
    "review",
    "digest",
)
_FORMULA: Final = ("=", "+", "-", "@", "\t", "\r")


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def published(
    entry: Entry, body: Mapping[str, Any], fields: Sequence[str] | None = None
) -> dict[str, Any]:
    """The published record of one agreement: *fields* of `PUBLISHED_FIELDS` (default: all)."""
    chosen = (
        PUBLISHED_FIELDS if fields is None else tuple(f for f in PUBLISHED_FIELDS if f in fields)
    )
    record: dict[str, Any] = {
        "kind": entry.kind,
        "id": entry.id,
        "version": entry.version,
        "title": entry.title,
    }
    if "parties" in chosen:
        record["parties"] = [
            {k: p.get(k) for k in ("organisation", "capacity", "role") if p.get(k) is not None}
            for p in body.get("parties", [])
            if isinstance(p, Mapping)
        ]
    flows = [f for f in body.get("flows", []) if isinstance(f, Mapping)]
    if "purposes" in chosen:
        record["purposes"] = [
            p.get("id") for p in body.get("purposes", []) if isinstance(p, Mapping)
        ]
    if "legal-bases" in chosen:
        bases: dict[str, None] = {}
        for f in flows:
            bases.update(dict.fromkeys(_strings(f.get("bases"))))
            if isinstance(f.get("capacity_basis"), str):
                bases[f["capacity_basis"]] = None
        record["legal_bases"] = sorted(bases)
    if "items" in chosen:
        by_category: dict[str, list[str]] = {}
        for item in body.get("items", []):
            if isinstance(item, Mapping):
                given = item.get("category")
                for category in given if isinstance(given, list) else [given]:
                    by_category.setdefault(str(category), []).append(str(item.get("id")))
        record["items"] = dict(sorted(by_category.items()))
    if "dates" in chosen:
        record["start"] = entry.start.isoformat() if entry.start else None
        record["end"] = entry.end.isoformat() if entry.end else None
    if "review" in chosen:
        record["review"] = entry.review.isoformat() if entry.review else None
    if "digest" in chosen:
        record["digest"] = entry.digest
    return record


def export_json(records: Iterable[Mapping[str, Any]]) -> str:
    """The records as a JSON document: ``{"format": "woda-register-export", "version": 1, "agreements": [...]}``."""
    document = {"format": "woda-register-export", "version": 1, "agreements": list(records)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = "; ".join(_party(v) if isinstance(v, Mapping) else str(v) for v in value)
    elif isinstance(value, Mapping):
        text = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in value.items())
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _party(p: Mapping[str, Any]) -> str:
    who = str(p.get("organisation"))
    if p.get("capacity"):
        who += f":{p['capacity']}"
    return f"{who} ({p.get('role')})"


def export_csv(records: Iterable[Mapping[str, Any]]) -> str:
    """The records as CSV (RFC 4180, one row per agreement, lists joined with ``; ``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()
