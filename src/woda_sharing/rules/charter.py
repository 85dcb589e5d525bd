"""Rules: charter (being written)."""

from __future__ import annotations
