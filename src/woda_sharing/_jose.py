"""Strict JOSE building blocks: base64url and protected-header JSON.

Private to woda_sharing. Decoding is strict in every way RFC 7515 allows a
verifier to be: no padding, no character outside the URL-safe alphabet, no
whitespace, and canonical trailing bits (exactly one string per byte
sequence). Header JSON refuses duplicate member names, fractions, exponents,
``NaN``/``Infinity`` and integers beyond ±(2**53 - 1).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Final, NoReturn

from woda_sharing._canonical import MAX_SAFE_INTEGER

__all__ = [
    "MAX_SAFE_INTEGER",
    "JoseFormatError",
    "b64url_decode",
    "b64url_encode",
    "parse_header_json",
]

_INDEX: Final = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}
_SPARE_BITS: Final = {2: 0x0F, 3: 0x03}
_PADDING: Final = {0: b"", 2: b"==", 3: b"="}
_TO_STANDARD: Final = bytes.maketrans(b"-_", b"+/")


class JoseFormatError(ValueError):
    """Internal: a JOSE value is malformed (turned into a status or a public exception)."""


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: object, *, what: str = "value") -> bytes:
    """Decode *text* strictly, raising `JoseFormatError` unless it is canonical base64url."""
    if not isinstance(text, str):
        raise JoseFormatError(f"{what} is not a string")
    if "=" in text or "+" in text or "/" in text:
        raise JoseFormatError(
            f"{what} is not base64url (padding or a character outside the alphabet)"
        )
    rest = len(text) % 4
    if rest == 1:
        raise JoseFormatError(f"{what} has an impossible base64url length")
    try:
        # strict_mode refuses whitespace and every character outside the alphabet.
        data = binascii.a2b_base64(
            text.encode("ascii").translate(_TO_STANDARD) + _PADDING[rest], strict_mode=True
        )
    except (binascii.Error, ValueError) as e:  # UnicodeEncodeError is a ValueError
        raise JoseFormatError(f"{what} is not base64url (a character outside the alphabet)") from e
    # The last character of a 2- or 3-character group carries 4 or 2 unused bits,
    # which must be zero; otherwise several strings would decode to one byte string.
    if rest and _INDEX[text[-1]] & _SPARE_BITS[rest]:
        raise JoseFormatError(f"{what} is not canonical base64url (non-zero trailing bits)")
    return data


def _reject(message: str) -> NoReturn:
    raise JoseFormatError(message)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()  # a set: one pass, never a count per name (quadratic)
        for name, _ in pairs:
            if name in seen:
                _reject(f"duplicate header name {name!r}")
            seen.add(name)
    return obj


def _check_numbers(value: object) -> None:
    stack = [value]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is float:
            _reject("a header number is not an integer")
        elif kind is int:
            if abs(node) > MAX_SAFE_INTEGER:  # type: ignore[arg-type]
                _reject("header integer outside ±(2**53 - 1)")
        elif kind is dict:
            stack.extend(node.values())  # type: ignore[attr-defined]
        elif kind is list:
            stack.extend(node)  # type: ignore[arg-type]


_DECODER: Final = json.JSONDecoder(object_pairs_hook=_pairs)


def parse_header_json(data: bytes) -> dict[str, Any]:
    """Parse a JOSE header strictly and return it; it must be a JSON object."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise JoseFormatError("header is not UTF-8") from e
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise JoseFormatError(f"header is not JSON: {e.msg}") from e
    except ValueError as e:  # for instance an integer of thousands of digits
        raise JoseFormatError(f"header is not acceptable JSON: {e}") from e
    except RecursionError as e:
        raise JoseFormatError("header nests too deeply") from e
    if not isinstance(value, dict):
        raise JoseFormatError("header is not a JSON object")
    _check_numbers(value)
    return value
