"""Attacks on the loader: hostile or ambiguous bytes are refused, with the right finding.

Each test's docstring names the attack and why it must be refused. The common
thread: an endorsement signs canonical bytes, so any input that two parsers
could read differently, or that two different files could share canonical
bytes with, would let a signature vouch for something its signer never saw.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import unicodedata
from typing import Any

import pytest

from woda_sharing import _canonical as canonical
from woda_sharing._findings import Report
from woda_sharing._loading import DEFAULT_LIMITS, load_json
from woda_sharing._validation import validate
from woda_sharing.exceptions import CanonicalizationError, LimitExceededError, LoadError
from woda_sharing.testing import example_agreement

TODAY = dt.date(2024, 6, 1)


def agreement_bytes(**replace: str) -> bytes:
    """The example agreement as JSON text, with members' values replaced by raw JSON spellings."""
    document: dict[str, Any] = example_agreement()
    marks = {}
    for i, (name, _) in enumerate(replace.items()):
        marks[name] = f"@@{i}@@"
        document[name] = marks[name]
    text = json.dumps(document, indent=2, ensure_ascii=False)
    for name, spelling in replace.items():
        text = text.replace(f'"{marks[name]}"', spelling)
    return text.encode("utf-8")


def refusal(data: bytes) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_json(data)
    return caught.value


def only_finding(report: Report) -> tuple[str, str]:
    assert not report.ok
    assert report.document is None
    assert len(report.findings) == 1
    finding = report.findings[0]
    return finding.code, finding.pointer


def test_number_spellings_cannot_share_canonical_bytes() -> None:
    """``1``, ``1.0``, ``1e0``, ``10E-1`` and ``0.1e1`` are one number to JCS.

    Were all five accepted, five different files would canonicalize alike and
    one endorsement would verify for all of them. Only the integer spelling loads.
    """
    spellings = ["1", "1.0", "1e0", "1E0", "10E-1", "0.1e1", "1.00"]
    reports = {s: validate(agreement_bytes(version=s), today=TODAY) for s in spellings}
    assert [s for s, report in reports.items() if report.ok] == ["1"]
    for spelling in spellings[1:]:
        assert only_finding(reports[spelling]) == ("WS005", "/version")
    assert reports["1"].data["version"] == 1


def test_integers_beyond_two_to_the_53_are_refused_in_every_spelling() -> None:
    """``9007199254740993.0`` becomes 2**53 as a double, like ``9007199254740992``.

    Any JSON implementation using doubles would read both as the same number, so
    a signer and a verifier could disagree about what was signed. Both are refused;
    the largest exactly representable integer, 2**53 - 1, loads.
    """
    for spelling in ("9007199254740993.0", "9007199254740992", "-9007199254740992", "2e53"):
        error = refusal(agreement_bytes(version=spelling))
        assert (error.code, error.pointer) == ("WS005", "/version")
    assert load_json(agreement_bytes(version="9007199254740991"))["version"] == 2**53 - 1


def test_negative_zero_is_refused() -> None:
    """``-0`` and ``0`` canonicalize alike (JCS writes both as ``0``): ``-0`` is refused."""
    error = refusal(agreement_bytes(version="-0"))
    assert (error.code, error.pointer) == ("WS005", "/version")


def test_floats_that_reach_canonicalization_directly_are_refused() -> None:
    """A caller bypassing the loader with a float still cannot get canonical bytes for it."""
    document = example_agreement()
    document["version"] = 1.0
    with pytest.raises(CanonicalizationError):
        canonical.signed_bytes(document)


def test_nan_and_infinity_are_refused() -> None:
    """Python's json reads ``NaN`` and ``Infinity``; standard JSON has no such numbers."""
    for spelling in ("NaN", "Infinity", "-Infinity"):
        error = refusal(agreement_bytes(version=spelling))
        assert (error.code, error.pointer) == ("WS005", "/version")


def test_a_digit_string_too_long_to_convert_is_a_finding_and_fast() -> None:
    """A million digits: Python refuses to convert it (ValueError) or takes long; we do neither."""
    start = time.perf_counter()
    error = refusal(agreement_bytes(version="7" * 1_000_000))
    assert time.perf_counter() - start < 2
    assert (error.code, error.pointer) == ("WS005", "/version")


def test_duplicate_member_names_are_refused() -> None:
    """``{"kind": "agreement", "kind": "charter"}``: first-wins and last-wins parsers disagree.

    A signer's parser and a verifier's parser could then see different documents
    behind the same bytes.
    """
    data = agreement_bytes(title='"First title", "title": "Second title"')
    assert only_finding(validate(data, today=TODAY)) == ("WS004", "/title")


def test_duplicate_member_names_spelt_with_escapes_are_refused() -> None:
    """``"title"`` and ``"titl\\u0065"`` are the same name; the duplicate must not hide."""
    data = agreement_bytes(title='"First title", "titl\\u0065": "Second title"')
    assert only_finding(validate(data, today=TODAY)) == ("WS004", "/title")


def test_concatenated_documents_are_refused() -> None:
    """Two objects in one file: a lax reader takes the first, another the last."""
    data = agreement_bytes() + b"\n" + agreement_bytes(title='"Other"')
    assert only_finding(validate(data, today=TODAY)) == ("WS003", "")


def test_byte_order_mark_is_refused() -> None:
    """A BOM is not JSON (RFC 8259 §8.1); some parsers skip it and some fail."""
    data = b"\xef\xbb\xbf" + agreement_bytes()
    assert only_finding(validate(data, today=TODAY)) == ("WS002", "")


@pytest.mark.parametrize(
    "sequence",
    [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xc0\xa2", b"\xc1\x9c"],
    ids=["overlong-slash-2", "overlong-slash-3", "overlong-quote", "overlong-backslash"],
)
def test_overlong_utf8_is_refused(sequence: bytes) -> None:
    """Overlong forms smuggle ``/``, ``"`` or ``\\`` past byte-level checks in lax decoders."""
    data = agreement_bytes(title='"A @ title"').replace(b"@", sequence)
    assert only_finding(validate(data, today=TODAY)) == ("WS002", "")


def test_utf8_encoded_surrogates_are_refused() -> None:
    """CESU-8 style surrogates (``ED A0 80``) are not UTF-8; decoders disagree on them."""
    data = agreement_bytes(title='"A @ title"').replace(b"@", b"\xed\xa0\x80")
    assert only_finding(validate(data, today=TODAY)) == ("WS002", "")


@pytest.mark.parametrize(
    "escape", ["\\ud800", "\\uDFFF", "\\ude00\\ud83d"], ids=["high", "low", "reversed-pair"]
)
def test_escaped_lone_surrogates_are_refused(escape: str) -> None:
    """A lone surrogate has no UTF-8 form, so the document has no canonical bytes at all."""
    data = agreement_bytes(title=f'"A {escape} title"')
    assert only_finding(validate(data, today=TODAY)) == ("WS002", "/title")


def test_utf16_text_is_refused() -> None:
    """UTF-16 without a BOM parses as nonsense; it is refused as an encoding problem."""
    data = json.dumps(example_agreement()).encode("utf-16-le")
    assert only_finding(validate(data, today=TODAY)) == ("WS002", "")


def test_deep_nesting_is_refused_before_parsing() -> None:
    """100,000 nested arrays overflow the C stack of Python's parser (a crash, not an error)."""
    data = agreement_bytes(title="[" * 100_000 + "]" * 100_000)
    report = validate(data, today=TODAY)
    assert only_finding(report) == ("WS006", "")
    assert "at least 100001" in report.findings[0].message  # the object, then 100,000 arrays


def test_giant_file_is_refused_by_size() -> None:
    """A file larger than ``max_bytes`` is refused before it is parsed."""
    padding = " " * DEFAULT_LIMITS.max_bytes
    with pytest.raises(LimitExceededError) as caught:
        load_json(agreement_bytes(title=f'"x"{padding}'))
    assert caught.value.code == "WS006"


def test_giant_string_is_refused() -> None:
    """A string beyond ``max_string_length`` is refused, at its pointer."""
    data = agreement_bytes(title='"' + "x" * (DEFAULT_LIMITS.max_string_length + 1) + '"')
    assert only_finding(validate(data, today=TODAY)) == ("WS006", "/title")


def test_giant_array_is_refused() -> None:
    """An array beyond ``max_array_length`` is refused, at its pointer."""
    data = agreement_bytes(
        security="[" + ",".join(["0"] * (DEFAULT_LIMITS.max_array_length + 1)) + "]"
    )
    assert only_finding(validate(data, today=TODAY)) == ("WS006", "/security")


def test_unicode_normalisation_variants_are_different_ids_and_refused_by_the_schema() -> None:
    """``café`` in NFC and NFD look alike but are different code points.

    The library never normalises: the two spellings load as different strings
    and have different canonical bytes, so an endorsement of one cannot verify
    the other. The schema's ASCII id pattern refuses both as ids anyway.
    """
    nfc, nfd = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert nfc != nfd
    loaded = [load_json(agreement_bytes(id=json.dumps(v, ensure_ascii=False))) for v in (nfc, nfd)]
    assert loaded[0]["id"] == nfc
    assert loaded[1]["id"] == nfd
    assert canonical.signed_bytes(loaded[0]) != canonical.signed_bytes(loaded[1])
    for document in loaded:
        report = validate(document, today=TODAY)
        assert [(f.code, f.pointer) for f in report.errors] == [("WS010", "/id")]


def test_look_alike_ids_are_refused_by_the_schema() -> None:
    """A Cyrillic small a (U+0430) in an id passes for Latin to the eye, not to the schema."""
    data = agreement_bytes(id='"test-\\u0430greement"')
    report = validate(data, today=TODAY)
    assert [(f.code, f.pointer) for f in report.errors] == [("WS010", "/id")]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"[" + agreement_bytes() + b"]", "WS007"),
        (b'"agreement"', "WS007"),
        (b"null", "WS007"),
        (b'{"kind": "agreement", "format_version": 1 // comment\n}', "WS003"),
        (b'{"kind": "agreement",}', "WS003"),
        (b"{kind: 'agreement'}", "WS003"),
    ],
    ids=["array-wrapped", "string", "null", "comment", "trailing-comma", "json5"],
)
def test_not_a_json_object_or_not_strict_json_is_refused(data: bytes, code: str) -> None:
    """Lenient dialects (comments, trailing commas, JSON5) are read differently by each tool."""
    assert only_finding(validate(data, today=TODAY)) == (code, "")


@pytest.mark.parametrize(
    ("member", "spelling", "code"),
    [
        ("kind", '"Agreement"', "WS008"),
        ("kind", '"agreement "', "WS008"),
        ("format_version", "2", "WS009"),
        ("format_version", '"1"', "WS009"),
        ("format_version", "true", "WS009"),
    ],
    ids=["kind-case", "kind-space", "future-version", "version-string", "version-bool"],
)
def test_unknown_kinds_and_versions_are_refused(member: str, spelling: str, code: str) -> None:
    """A kind or format version this library does not know is never read as one it does."""
    report = validate(agreement_bytes(**{member: spelling}), today=TODAY)
    assert only_finding(report) == (code, f"/{member}")
