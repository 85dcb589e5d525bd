"""Rules: roles (being written)."""

from __future__ import annotations
