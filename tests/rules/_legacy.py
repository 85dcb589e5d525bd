"""The table the legacy rule copies register in (kept apart from the built-in table)."""

from __future__ import annotations

from woda_sharing.rules import Rules

LEGACY = Rules()
