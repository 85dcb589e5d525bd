"""Signed receipts: made and checked offline; never confused with endorsements or checkpoints."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any, ClassVar

import attrs
import pytest

from tests.register import _docs
from woda_sharing import (
    Policy,
    Receipt,
    Request,
    Status,
    compromise_key,
    record,
    require_receipt,
    sign_receipt,
    verify,
    verify_receipt,
)
from woda_sharing._decision_records import DecisionRecord
from woda_sharing._jose import b64url_decode, b64url_encode
from woda_sharing._jws import encode_header
from woda_sharing.exceptions import RecordError, SigningError, UsageError, VerificationError
from woda_sharing.register import verify_checkpoint
from woda_sharing.register._logcore import sign_checkpoint

AT = _docs.AT
LATER = AT + dt.timedelta(days=1)
ORG = "county-council"
REQUEST = Request(
    "district-council", "county-council", ("name",), "early-help", dt.date(2024, 6, 1)
)


@pytest.fixture(scope="module")
def docs() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    charter = _docs.charter()
    return charter, _docs.agreement(charter), _docs.keyring()


@pytest.fixture(scope="module")
def rec(docs: tuple[dict[str, Any], ...]) -> DecisionRecord:
    charter, agreement, _ = docs
    policy = Policy.compile(charter, [agreement])
    return record(
        policy.decide(REQUEST),
        REQUEST,
        asked_by="case-system",
        on_behalf_of="district-council",
        policy=policy,
        at=AT,
    )


@pytest.fixture(scope="module")
def receipt(rec: DecisionRecord) -> Receipt:
    return sign_receipt(rec, _docs.signer(ORG), organisation=ORG, signed_at=AT)


def _header(protected: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(b64url_decode(protected))
    return loaded


def test_a_receipt_verifies_offline_with_the_documents(
    receipt: Receipt, docs: tuple[dict[str, Any], ...]
) -> None:
    charter, agreement, ring = docs
    result = verify_receipt(receipt.as_dict(), ring, documents=[charter, agreement], at=LATER)
    assert result, result
    assert result.status is Status.VALID
    assert result.documents_checked
    assert result.organisation == ORG
    assert result.record == receipt.record
    assert result.as_dict()["verified"] is True
    assert require_receipt(receipt, ring, at=LATER).verified
    assert _header(receipt.protected)["typ"] == "woda-receipt+jws"
    without = verify_receipt(receipt, ring, at=LATER)
    assert without
    assert not without.documents_checked


def test_the_wire_form_reads_back(receipt: Receipt) -> None:
    assert Receipt.from_dict(json.loads(json.dumps(receipt.as_dict()))) == receipt


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param(
            lambda r: r["record"].update(permitted=False),
            Status.DOCUMENT_CHANGED,
            id="outcome-edited",
        ),
        pytest.param(
            lambda r: r["record"].update(id="another"), Status.DOCUMENT_CHANGED, id="id-changed"
        ),
        pytest.param(
            lambda r: r["record"]["request"].update(items=["name", "address"]),
            Status.DOCUMENT_CHANGED,
            id="request-edited",
        ),
        pytest.param(
            lambda r: r.update(signature=b64url_encode(b"\0" * 64)),
            Status.BAD_SIGNATURE,
            id="signature-zeroed",
        ),
        pytest.param(lambda r: r.update(signature="###"), Status.MALFORMED, id="signature-garbage"),
        pytest.param(
            lambda r: r.update(protected="e30"), Status.ALGORITHM_REFUSED, id="empty-header"
        ),
        pytest.param(lambda r: r.pop("signature"), Status.MALFORMED, id="no-signature"),
        pytest.param(lambda r: r["record"].pop("kind"), Status.MALFORMED, id="record-malformed"),
    ],
)
def test_a_changed_receipt_fails(
    receipt: Receipt, docs: tuple[dict[str, Any], ...], change: Any, status: Status
) -> None:
    data = copy.deepcopy(receipt.as_dict())
    change(data)
    result = verify_receipt(data, docs[2], at=LATER)
    assert not result
    assert result.status is status, result.reason
    with pytest.raises(VerificationError, match=status.value):
        require_receipt(data, docs[2], at=LATER)


def _resigned(receipt: Receipt, **header: Any) -> dict[str, Any]:
    """The receipt with its header changed and signed again by the same key."""
    new = {**_header(receipt.protected), **header}
    protected = encode_header({k: v for k, v in new.items() if v is not None})
    payload = b64url_encode(receipt.record.canonical_bytes())
    signature = _docs.signer(ORG).sign(f"{protected}.{payload}".encode("ascii"))
    return {**receipt.as_dict(), "protected": protected, "signature": b64url_encode(signature)}


@pytest.mark.parametrize(
    ("header", "status", "reason"),
    [
        pytest.param(
            {"typ": "woda-endorsement+jws"}, Status.MALFORMED, "typ", id="endorsement-typ"
        ),
        pytest.param({"typ": "woda-checkpoint+jws"}, Status.MALFORMED, "typ", id="checkpoint-typ"),
        pytest.param({"typ": None}, Status.MALFORMED, "typ", id="no-typ"),
        pytest.param({"crit": ["woda_org"]}, Status.MALFORMED, "members", id="crit"),
        pytest.param({"woda_kind": "charter"}, Status.MALFORMED, "members", id="extra-member"),
        pytest.param({"jwk": {"kty": "OKP"}}, Status.EMBEDDED_KEY, "key", id="embedded-key"),
        pytest.param({"alg": "EdDSA"}, Status.ALGORITHM_REFUSED, "EdDSA", id="polymorphic-alg"),
        pytest.param({"alg": "ES256"}, Status.ALGORITHM_MISMATCH, "algorithm", id="wrong-alg"),
        pytest.param({"kid": "x"}, Status.MALFORMED, "thumbprint", id="bad-kid"),
        pytest.param({"kid": "A" * 43}, Status.UNKNOWN_KEY, "no key", id="unknown-kid"),
        pytest.param({"woda_org": "police"}, Status.KEY_OF_OTHER_ORGANISATION, "belongs", id="org"),
        pytest.param({"woda_org": "Police!"}, Status.MALFORMED, "woda_org", id="org-not-id"),
        pytest.param({"iat": "now"}, Status.MALFORMED, "iat", id="iat-text"),
        pytest.param({"woda_digest": 1}, Status.MALFORMED, "strings", id="digest-number"),
        pytest.param(
            {"iat": 1_000}, Status.KEY_NOT_VALID_AT_SIGNING_TIME, "window", id="too-early"
        ),
        pytest.param(
            {"iat": int(LATER.timestamp()) + 10}, Status.SIGNED_IN_FUTURE, "later", id="future"
        ),
        pytest.param(
            {"iat": int(AT.timestamp()) - 60},
            Status.MALFORMED,
            "before the decision",
            id="backdated",
        ),
    ],
)
def test_header_refusals(
    receipt: Receipt,
    docs: tuple[dict[str, Any], ...],
    header: dict[str, Any],
    status: Status,
    reason: str,
) -> None:
    result = verify_receipt(_resigned(receipt, **header), docs[2], at=LATER)
    assert not result
    assert result.status is status, result.reason
    assert reason in result.reason


def test_a_receipt_never_passes_for_an_endorsement(
    receipt: Receipt, docs: tuple[dict[str, Any], ...]
) -> None:
    """The receipt's signature, put in a document's endorsements, is refused."""
    charter, _, ring = docs
    forged = copy.deepcopy(charter)
    forged["endorsements"] = [{"protected": receipt.protected, "signature": receipt.signature}]
    result = verify(forged, ring, at=LATER)
    assert not result
    assert result.endorsements[0].status is Status.MALFORMED
    # Even a receipt whose payload is exactly the document's bytes is refused as an endorsement.
    from woda_sharing._canonical import signed_bytes
    from woda_sharing._statements import RECEIPT_TYP, sign_statement

    protected, signature = sign_statement(
        signed_bytes(charter),
        _docs.signer(ORG),
        typ=RECEIPT_TYP,
        organisation=ORG,
        subject=charter["id"],
        signed_at=AT,
    )
    forged["endorsements"] = [{"protected": protected, "signature": signature}]
    assert verify(forged, ring, at=LATER).endorsements[0].status is Status.MALFORMED


def test_an_endorsement_never_passes_for_a_receipt(
    rec: DecisionRecord, docs: tuple[dict[str, Any], ...]
) -> None:
    charter, _, ring = docs
    endorsement = charter["endorsements"][0]
    forged = {**endorsement, "record": rec.as_dict()}
    result = verify_receipt(forged, ring, at=LATER)
    assert not result
    assert result.status is Status.MALFORMED
    # An endorsement-shaped header signed over the record's own bytes is refused too.
    header = {
        **_header(endorsement["protected"]),
        "woda_digest": rec.digest,
        "woda_id": rec.id,
    }
    protected = encode_header(header)
    payload = b64url_encode(rec.canonical_bytes())
    signer = _docs.signer(header["woda_org"])
    signature = b64url_encode(signer.sign(f"{protected}.{payload}".encode("ascii")))
    result = verify_receipt(
        {"record": rec.as_dict(), "protected": protected, "signature": signature}, ring, at=LATER
    )
    assert not result
    assert result.status is Status.MALFORMED
    assert "typ" in result.reason


def test_a_checkpoint_never_passes_for_a_receipt_nor_the_reverse(
    receipt: Receipt, docs: tuple[dict[str, Any], ...]
) -> None:
    ring = docs[2]
    cp = sign_checkpoint(
        receipt.record.id, 1, "sha256:" + "1" * 64, _docs.signer(ORG), organisation=ORG, at=AT
    )
    assert verify_checkpoint(cp, ring, at=LATER).valid
    as_receipt = {**receipt.as_dict(), "protected": cp.protected, "signature": cp.signature}
    assert verify_receipt(as_receipt, ring, at=LATER).status is Status.MALFORMED
    as_checkpoint = attrs.evolve(cp, protected=receipt.protected, signature=receipt.signature)
    assert verify_checkpoint(as_checkpoint, ring, at=LATER).status is Status.MALFORMED


def test_documents_must_be_the_versions_decided_under(
    receipt: Receipt, docs: tuple[dict[str, Any], ...]
) -> None:
    charter, agreement, ring = docs
    changed = copy.deepcopy(agreement)
    changed["title"] = "Changed after the decision"
    result = verify_receipt(receipt, ring, documents=[charter, changed], at=LATER)
    assert not result
    assert result.status is Status.VALID
    assert any("digest differs" in p for p in result.problems)
    missing = verify_receipt(receipt, ring, documents=[charter], at=LATER)
    assert any("was not given" in p for p in missing.problems)
    unsigned = sign_receipt(
        DecisionRecord.from_dict({**receipt.record.as_dict(), "documents": []}),
        _docs.signer(ORG),
        organisation=ORG,
        signed_at=AT,
    )
    assert (
        "names no documents"
        in verify_receipt(unsigned, ring, documents=[charter], at=LATER).problems[0]
    )
    no_digest = {**receipt.record.as_dict()}
    no_digest["documents"] = [{**d, "digest": None} for d in no_digest["documents"]]
    r = sign_receipt(
        DecisionRecord.from_dict(no_digest), _docs.signer(ORG), organisation=ORG, signed_at=AT
    )
    assert any(
        "does not name the digest" in p
        for p in verify_receipt(r, ring, documents=[charter, agreement], at=LATER).problems
    )
    bad_doc = {**charter, "version": 1.5}
    assert verify_receipt(receipt, ring, documents=[bad_doc, agreement], at=LATER).problems


def test_the_signer_must_be_a_member_of_the_charter(
    rec: DecisionRecord, docs: tuple[dict[str, Any], ...]
) -> None:
    charter, agreement, _ = docs
    outsider = "fire-service"
    ring = _docs.keyring((*_docs.MEMBERS, outsider))
    r = sign_receipt(rec, _docs.signer(outsider), organisation=outsider, signed_at=AT)
    assert verify_receipt(r, ring, at=LATER)
    result = verify_receipt(r, ring, documents=[charter, agreement], at=LATER)
    assert not result
    assert "'fire-service' is not a member" in result.problems[0]


def test_a_compromised_key_signs_no_receipt(
    receipt: Receipt, docs: tuple[dict[str, Any], ...]
) -> None:
    ring = compromise_key(docs[2], _docs.signer(ORG).key_id, at=AT)
    result = verify_receipt(receipt, ring, at=LATER)
    assert result.status is Status.KEY_COMPROMISED


def test_signing_refuses_what_could_never_verify(rec: DecisionRecord) -> None:
    with pytest.raises(SigningError, match="not an id"):
        sign_receipt(rec, _docs.signer(ORG), organisation="County Council")
    with pytest.raises(SigningError, match="timezone-aware"):
        sign_receipt(rec, _docs.signer(ORG), organisation=ORG, signed_at=dt.datetime(2024, 1, 1))
    with pytest.raises(UsageError, match="DecisionRecord"):
        sign_receipt(rec.as_dict(), _docs.signer(ORG), organisation=ORG)  # type: ignore[arg-type]
    assert sign_receipt(rec, _docs.signer(ORG), organisation=ORG).protected  # default time: now


def test_bad_arguments(receipt: Receipt, docs: tuple[dict[str, Any], ...]) -> None:
    with pytest.raises(UsageError, match="timezone-aware"):
        verify_receipt(receipt, docs[2], at=dt.datetime(2024, 1, 1))
    with pytest.raises(UsageError, match="mappings"):
        verify_receipt(receipt, docs[2], documents=["charter.json"])  # type: ignore[list-item]
    with pytest.raises(RecordError):
        Receipt.from_dict({"record": {}, "protected": 1, "signature": ""})


def test_signing_a_statement_refuses_what_could_never_verify(rec: DecisionRecord) -> None:
    from woda_sharing._statements import RECEIPT_TYP, sign_statement

    signer = _docs.signer(ORG)
    base: dict[str, Any] = {
        "typ": RECEIPT_TYP,
        "organisation": ORG,
        "subject": "s",
        "signed_at": AT,
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"subject": ""}, "subject"),
        ({"subject": 7}, "subject"),
        ({"signed_at": dt.datetime(1960, 1, 1, tzinfo=dt.UTC)}, "between 1970"),
    ]
    for change, message in cases:
        with pytest.raises(SigningError, match=message):
            sign_statement(b"{}", signer, **{**base, **change})

    class Odd:
        algorithm = "HS256"
        key_id = signer.key_id
        public_jwk = signer.public_jwk

        def sign(self, payload: bytes) -> bytes:
            return b""

    with pytest.raises(SigningError, match="not supported"):
        sign_statement(b"{}", Odd(), **base)  # type: ignore[arg-type]

    class Liar(Odd):
        algorithm = "Ed25519"
        key_id = "A" * 43

    with pytest.raises(SigningError, match="does not match"):
        sign_statement(b"{}", Liar(), **base)  # type: ignore[arg-type]

    class Broken(Odd):
        algorithm = "Ed25519"

        def sign(self, payload: bytes) -> bytes:
            return b"\0" * 64

    with pytest.raises(SigningError, match="does not verify"):
        sign_statement(b"{}", Broken(), **base)  # type: ignore[arg-type]

    class Private(Odd):
        algorithm = "Ed25519"
        public_jwk: ClassVar[dict[str, Any]] = {**signer.public_jwk, "d": "secret"}

    with pytest.raises(SigningError):
        sign_statement(b"{}", Private(), **base)  # type: ignore[arg-type]
