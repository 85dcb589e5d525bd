"""The exact bytes that get signed, and their digest.

The signed content of a document is the RFC 8785 (JCS) canonical JSON of the
document without its top-level `UNSIGNED` members (``endorsements``, and
``$schema``, the editor's hint, see docs/explanation/editor-schema.md); its digest is SHA-256
over those bytes, written ``sha256:<64 lower-case hex digits>``. The JCS
serialization itself is the ``rfc8785`` package's.

Number policy: a document holds **integers only**, each within
±(2**53 - 1) (the I-JSON range every JSON implementation represents exactly).
Floats are refused outright, even integral ones such as ``1.0``: JCS would
write ``1.0`` and ``1`` identically, so two different source files could share
one signature, and float formatting is where JCS implementations most often
disagree. Also refused, with `CanonicalizationError`: non-finite numbers,
strings or member names holding a lone surrogate (they have no UTF-8 form),
member names that are not strings, values that are not JSON (tuples, sets,
bytes, objects), and nesting deeper than `MAX_DEPTH`. Duplicate member names
cannot survive into a Python mapping; they are refused when the bytes are
parsed (see `woda_sharing._loading`).

Speed: the reference serializer is pure Python. For the common case (plain
``dict``, ``list``, ``str``, ``int``, ``bool`` and ``None`` values, text below
U+E000) the bytes are the standard library's C encoder's, which then writes
exactly what RFC 8785 writes: sorted member names (code point order equals
UTF-16 order below U+E000), no whitespace, the same escapes, integers in
decimal. A few C-level checks of that output decide whether the case is the
common one; anything else (a float, a tuple, a long integer, a lone
surrogate, deep nesting, a character from U+E000 up) takes the checked
reference path, so the bytes and the refusals never differ. A differential
test (``tests/test_canonical.py``) holds the two paths to the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, Final, NoReturn

import rfc8785

from woda_sharing._findings import pointer
from woda_sharing.exceptions import CanonicalizationError

__all__ = [
    "DIGEST_PREFIX",
    "MAX_DEPTH",
    "MAX_SAFE_INTEGER",
    "UNSIGNED",
    "check_canonicalizable",
    "digest",
    "digest_of",
    "signed_bytes",
]

DIGEST_PREFIX: Final = "sha256:"
#: Top-level members outside the signed content: the endorsements themselves, and
#: ``$schema``, a hint for editors that validation never reads.
UNSIGNED: Final = frozenset({"endorsements", "$schema"})
#: The largest integer magnitude a document may hold (RFC 7493 I-JSON).
MAX_SAFE_INTEGER: Final = 2**53 - 1
#: The deepest nesting of objects and arrays a document may have.
MAX_DEPTH: Final = 64


def _pointer(path: tuple[str | int, ...]) -> str:
    return pointer(*path) or "/"


def _check_text(text: str, path: tuple[str | int, ...], what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalizationError(f"{what} at {_pointer(path)} holds a lone surrogate") from None


def check_canonicalizable(value: object) -> None:
    """Raise `CanonicalizationError` unless *value* obeys the number and text policy above."""
    stack: list[tuple[object, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise CanonicalizationError(
                f"nesting deeper than {MAX_DEPTH} levels at {_pointer(path)}"
            )
        if isinstance(node, str):
            _check_text(node, path, "string")
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            if abs(node) > MAX_SAFE_INTEGER:
                raise CanonicalizationError(f"integer at {_pointer(path)} is outside ±(2**53 - 1)")
        elif isinstance(node, float):
            raise CanonicalizationError(
                f"number at {_pointer(path)} is a float; documents hold integers only"
            )
        elif isinstance(node, Mapping):
            for key, child in node.items():
                if not isinstance(key, str):
                    raise CanonicalizationError(
                        f"member name {key!r} at {_pointer(path)} is not a string"
                    )
                _check_text(key, path, "member name")
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(node))
        else:
            raise CanonicalizationError(
                f"value at {_pointer(path)} is a {type(node).__name__}, not JSON"
            )


def _refuse_float(text: str) -> NoReturn:
    raise ValueError(text)


#: The C encoder and decoder of the fast path (see the module's docstring).
_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False,
    allow_nan=False,
    check_circular=False,
    sort_keys=True,
    separators=(",", ":"),
)
_DECODER: Final = json.JSONDecoder(parse_float=_refuse_float, parse_constant=_refuse_float)
#: Text from U+E000 up: where code point order and UTF-16 order can disagree.
_HIGH: Final = re.compile("[\ue000-\U0010ffff]")
_DIGITS_ONLY: Final = bytes.maketrans(
    bytes(range(256)), bytes(48 if 48 <= b <= 57 else 46 for b in range(256))
)
_LONG_DIGITS: Final = b"0" * len(str(MAX_SAFE_INTEGER))
_NOT_SKELETON: Final = bytes(b for b in range(256) if b not in b'"[]{}')


def _nesting_at_most(data: bytes, depth: int) -> bool:
    """Whether the JSON text *data* nests at most *depth* objects and arrays (C-level passes)."""
    if b"\\" in data:  # blank escapes out, so that quotes split strings from the rest
        data = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    rest = b"".join(data.translate(None, _NOT_SKELETON).split(b'"')[0::2])
    # Each pass deletes every innermost pair, so it lowers the nesting by one level or two.
    for _ in range(depth // 2):
        if not rest:
            return True
        rest = rest.replace(b"[]", b"").replace(b"{}", b"")
    return not rest


def _fast_bytes(content: dict[str, Any]) -> bytes | None:
    """The canonical bytes of *content* by the C encoder, or ``None`` when not the common case."""
    try:
        text = _ENCODER.encode(content)
        if not text.isascii() and _HIGH.search(text) is not None:
            return None
        data = text.encode("utf-8")  # a lone surrogate has no UTF-8 form
        if _LONG_DIGITS in data.translate(_DIGITS_ONLY) or not _nesting_at_most(data, MAX_DEPTH):
            return None
        # Reading the text back finds floats, and finds tuples, non-string member names and
        # other values the encoder wrote as if they were JSON: they do not read back equal.
        if _DECODER.decode(text) != content:
            return None
    except (TypeError, ValueError, RecursionError):
        return None
    return data


def signed_bytes(document: Mapping[str, Any]) -> bytes:
    """Return the canonical bytes of *document* without its `UNSIGNED` members (``endorsements``, ``$schema``)."""
    if not isinstance(document, Mapping):
        raise CanonicalizationError(f"a document is a JSON object, not a {type(document).__name__}")
    content = {key: value for key, value in document.items() if key not in UNSIGNED}
    fast = _fast_bytes(content)
    if fast is not None:
        return fast
    check_canonicalizable(content)
    try:
        return bytes(rfc8785.dumps(content))
    except (
        rfc8785.CanonicalizationError,
        TypeError,
        ValueError,
    ) as e:  # pragma: no cover - checked above
        raise CanonicalizationError(f"document has no canonical form: {e}") from e


def digest(document: Mapping[str, Any]) -> str:
    """Return ``sha256:<hex>`` over the canonical bytes of *document*."""
    return digest_of(signed_bytes(document))


def digest_of(data: bytes) -> str:
    """Return ``sha256:<hex>`` over *data* (already canonical bytes)."""
    return DIGEST_PREFIX + hashlib.sha256(data).hexdigest()
