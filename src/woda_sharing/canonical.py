"""The exact bytes that get signed, and their digest.

The signed content of a document is the RFC 8785 (JCS) canonical JSON of the
document without its ``endorsements`` member; its digest is SHA-256 over those
bytes, written ``sha256:<64 lower-case hex digits>``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785

from woda_sharing.exceptions import CanonicalizationError

__all__ = ["DIGEST_PREFIX", "digest", "signed_bytes"]

DIGEST_PREFIX = "sha256:"


def signed_bytes(document: Mapping[str, Any]) -> bytes:
    """Return the canonical bytes of *document* without its ``endorsements`` member."""
    content = {key: value for key, value in document.items() if key != "endorsements"}
    try:
        return bytes(rfc8785.dumps(content))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as e:
        raise CanonicalizationError(f"document has no canonical form: {e}") from e


def digest(document: Mapping[str, Any]) -> str:
    """Return ``sha256:<hex>`` over the canonical bytes of *document*."""
    return DIGEST_PREFIX + hashlib.sha256(signed_bytes(document)).hexdigest()
