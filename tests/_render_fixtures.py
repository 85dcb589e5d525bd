"""Shared inputs of the rendering tests: the shipped examples and a hostile document."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from woda_sharing._loading import load_path

FOLDER = Path(__file__).parent.parent / "examples" / "worcestershire"
#: When the example endorsements are verified (they were signed on 2026-11-27).
AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
PARTIAL = "homelessness-duty-to-refer.json"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> ]]> </style> *bold* [link](javascript:alert(1)) | cell `code` &amp;'


def examples() -> list[str]:
    """Every charter and agreement in the Worcestershire examples."""
    return sorted(
        p.name
        for p in FOLDER.glob("*.json")
        if load_path(p).get("kind") in ("charter", "agreement")
    )


def load(name: str) -> dict[str, Any]:
    """An example by file name."""
    return load_path(FOLDER / name)


def charter() -> dict[str, Any]:
    """The example charter."""
    return load("charter.json")


def keyring() -> dict[str, Any]:
    """The example keyring."""
    return load("keyring.json")


def hostile(document: dict[str, Any]) -> dict[str, Any]:
    """*document* with hostile text wherever a person's or an organisation's words go."""
    out = copy.deepcopy(document)
    out["title"] = HOSTILE
    out["description"] = HOSTILE
    if out["kind"] == "agreement":
        out["items"][0]["title"] = HOSTILE
        out["purposes"][0]["description"] = HOSTILE
        out["security"] = [HOSTILE]
        if "rights" in out:
            out["rights"]["contact"] = HOSTILE
    else:
        out["members"][0]["name"] = HOSTILE
        out["principles"][0]["text"] = HOSTILE
    return out
