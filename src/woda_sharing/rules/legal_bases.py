"""Rules: legal_bases (being written)."""

from __future__ import annotations
