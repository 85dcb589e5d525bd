"""Rules: minimisation (being written)."""

from __future__ import annotations
