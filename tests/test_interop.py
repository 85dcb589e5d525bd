"""Interoperability with two independent JOSE implementations.

joserfc is strict; jwcrypto is lenient. Endorsements made by woda_sharing verify
with both (detached payload), and JWS that either makes over the same canonical
bytes with our header verify with woda_sharing. Where jwcrypto accepts something
woda_sharing refuses, `test_jwcrypto_accepts_what_we_refuse` names the case;
``docs/explanation/trust-model.md`` says why.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jwcrypto.jwk
import jwcrypto.jws
import pytest
from joserfc import jwk as joserfc_jwk
from joserfc import jws as joserfc_jws
from joserfc._rfc7515.registry import JWSRegistry
from joserfc.errors import JoseError
from joserfc.registry import HeaderParameter

from tests import _signing_fixtures as fx
from woda_sharing import _canonical as canonical
from woda_sharing._jose import b64url_decode, b64url_encode
from woda_sharing._signing import Status, from_compact, to_compact, verify

ALGS = ("Ed25519", "ES256", "PS256")
KEY_TYPES = {"Ed25519": "OKP", "ES256": "EC", "PS256": "RSA"}


def _registry(alg: str) -> JWSRegistry:
    names: dict[str, HeaderParameter] = {
        name: HeaderParameter(name, "str")
        for name in (
            "woda_kind",
            "woda_id",
            "woda_digest",
            "woda_org",
            "woda_role",
            "woda_signatory",
        )
    }
    names["woda_version"] = HeaderParameter("document version", "int")
    names["iat"] = HeaderParameter("signing time", "int")
    return JWSRegistry(header_registry=names, algorithms=[alg])


def _header(doc: dict[str, Any], alg: str) -> dict[str, Any]:
    signer = fx.signer("county", alg)
    return {
        "alg": alg,
        "kid": signer.key_id,
        "typ": "woda-endorsement+jws",
        "iat": int(fx.SIGNED.timestamp()),
        "woda_kind": doc["kind"],
        "woda_id": doc["id"],
        "woda_version": doc["version"],
        "woda_digest": canonical.digest(doc),
        "woda_org": "county",
        "woda_role": "siro",
    }


def _with(doc: dict[str, Any], endorsement: dict[str, str]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["endorsements"] = [endorsement]
    return out


def _ring(alg: str) -> dict[str, Any]:
    return fx.keyring_for(("county",), alg=alg)


@pytest.mark.parametrize("alg", ALGS)
def test_our_endorsements_verify_with_joserfc(alg: str) -> None:
    doc = fx.endorsed(fx.charter(), ("county",), alg)
    key = joserfc_jwk.import_key(dict(fx.signer("county", alg).public_jwk))
    token = to_compact(doc["endorsements"][0])
    obj = joserfc_jws.deserialize_compact(
        token, key, payload=canonical.signed_bytes(doc), registry=_registry(alg)
    )
    assert obj.headers()["woda_org"] == "county"
    with pytest.raises(JoseError):
        joserfc_jws.deserialize_compact(
            token,
            key,
            payload=canonical.signed_bytes({**doc, "title": "x"}),
            registry=_registry(alg),
        )


@pytest.mark.parametrize("alg", ALGS)
def test_our_endorsements_verify_with_jwcrypto(alg: str) -> None:
    doc = fx.endorsed(fx.charter(), ("county",), alg)
    token = jwcrypto.jws.JWS()
    token.deserialize(json.dumps(doc["endorsements"][0]))
    key = jwcrypto.jwk.JWK(**fx.signer("county", alg).public_jwk)
    token.verify(key, alg=alg, detached_payload=canonical.signed_bytes(doc))
    assert token.jose_header["woda_digest"] == canonical.digest(doc)
    with pytest.raises(jwcrypto.jws.InvalidJWSSignature):
        token.verify(key, alg=alg, detached_payload=canonical.signed_bytes({**doc, "title": "x"}))


@pytest.mark.parametrize("alg", ALGS)
def test_joserfc_jws_verify_with_us(alg: str) -> None:
    doc = fx.charter()
    private = joserfc_jwk.import_key(fx.signer("county", alg).private_pem(), KEY_TYPES[alg])
    token = joserfc_jws.serialize_compact(
        _header(doc, alg), canonical.signed_bytes(doc), private, registry=_registry(alg)
    )
    endorsement = from_compact(joserfc_jws.detach_content(token))
    result = verify(_with(doc, endorsement), _ring(alg), at=fx.NOW)
    assert result.endorsements[0].status is Status.VALID


@pytest.mark.parametrize("alg", ALGS)
def test_jwcrypto_jws_verify_with_us(alg: str) -> None:
    doc = fx.charter()
    private = jwcrypto.jwk.JWK.from_pem(fx.signer("county", alg).private_pem())
    token = jwcrypto.jws.JWS(canonical.signed_bytes(doc))
    token.add_signature(private, alg=alg, protected=json.dumps(_header(doc, alg)))
    flattened = json.loads(token.serialize())
    del flattened["payload"]  # detach
    result = verify(_with(doc, flattened), _ring(alg), at=fx.NOW)
    assert result.endorsements[0].status is Status.VALID


def _jwcrypto_sign(doc: dict[str, Any], raw_header: bytes) -> dict[str, str]:
    """Sign *raw_header* exactly as given (jwcrypto would re-serialize a dict)."""
    protected = b64url_encode(raw_header)
    signing_input = f"{protected}.{b64url_encode(canonical.signed_bytes(doc))}".encode()
    signature = fx.signer("county").sign(signing_input)
    return {"protected": protected, "signature": b64url_encode(signature)}


def _lenient_cases() -> list[Any]:
    doc = fx.charter()
    good = json.dumps(_header(doc, "Ed25519"))
    attacker_jwk = json.dumps(dict(fx.signer("attacker").public_jwk))
    return [
        pytest.param(
            good[:-1] + ', "woda_org": "police"}', Status.MALFORMED, id="duplicate-header-names"
        ),
        pytest.param(good[:-1] + ', "woda_note": "x"}', Status.MALFORMED, id="unknown-header-name"),
        pytest.param(
            good[:-1] + f', "jwk": {attacker_jwk}}}', Status.EMBEDDED_KEY, id="embedded-jwk"
        ),
        pytest.param(
            good.replace('"woda_version": 1', '"woda_version": 1.0'), Status.MALFORMED, id="float"
        ),
        pytest.param(
            good.replace('"typ": "woda-endorsement+jws"', '"typ": "JWT"'),
            Status.MALFORMED,
            id="typ",
        ),
        pytest.param("trailing-bits", Status.MALFORMED, id="non-canonical-base64url"),
    ]


@pytest.mark.parametrize(("raw", "ours"), _lenient_cases())
def test_jwcrypto_accepts_what_we_refuse(raw: str, ours: Status) -> None:
    doc = fx.charter()
    if raw == "trailing-bits":
        endorsement = _jwcrypto_sign(doc, json.dumps(_header(doc, "Ed25519")).encode())
        sig = endorsement["signature"]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        endorsement["signature"] = sig[:-1] + alphabet[alphabet.index(sig[-1]) ^ 1]
        assert b64url_encode(b64url_decode(sig)) == sig
    else:
        endorsement = _jwcrypto_sign(doc, raw.encode())
    token = jwcrypto.jws.JWS()
    token.deserialize(json.dumps(endorsement))
    token.verify(
        jwcrypto.jwk.JWK(**fx.signer("county").public_jwk),
        alg="Ed25519",
        detached_payload=canonical.signed_bytes(doc),
    )  # jwcrypto: fine
    result = verify(_with(doc, endorsement), _ring("Ed25519"), at=fx.NOW)
    assert result.endorsements[0].status is ours  # woda_sharing: refused


def test_jwcrypto_accepts_polymorphic_eddsa_we_refuse() -> None:
    doc = fx.charter()
    header = {**_header(doc, "Ed25519"), "alg": "EdDSA"}
    endorsement = _jwcrypto_sign(doc, json.dumps(header).encode())
    token = jwcrypto.jws.JWS()
    token.allowed_algs = ["EdDSA"]
    token.deserialize(json.dumps(endorsement))
    token.verify(
        jwcrypto.jwk.JWK(**fx.signer("county").public_jwk),
        alg="EdDSA",
        detached_payload=canonical.signed_bytes(doc),
    )
    result = verify(_with(doc, endorsement), _ring("Ed25519"), at=fx.NOW)
    assert result.endorsements[0].status is Status.ALGORITHM_REFUSED
