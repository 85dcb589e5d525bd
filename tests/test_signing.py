"""Endorse and verify: statuses, the endorsement rule, and the result objects."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from tests import _signing_fixtures as fx
from woda_sharing import _codec as codec
from woda_sharing._jose import b64url_decode
from woda_sharing._keyring import Keyring, retire_key
from woda_sharing._model import Agreement, Charter
from woda_sharing._signing import (
    TYP,
    Status,
    endorse,
    endorsed_by_keyring,
    endorsement_refusals,
    endorsement_requirement,
    from_compact,
    honourable,
    require_verified,
    to_compact,
    verify,
    withdraw,
)
from woda_sharing._validation import validate
from woda_sharing.exceptions import LoadError, SigningError, UsageError, VerificationError

ALGS = ("Ed25519", "ES256", "PS256")


def header(endorsement: dict[str, str]) -> dict[str, Any]:
    return json.loads(b64url_decode(endorsement["protected"]))


@pytest.mark.parametrize("alg", ALGS)
def test_charter_endorsed_by_all_members_verifies(alg: str) -> None:
    doc = fx.endorsed(fx.charter(), fx.MEMBERS, alg)
    result = verify(doc, fx.keyring_for(alg=alg), at=fx.NOW)
    assert result
    assert result.verified
    assert result.rule_met
    assert result.endorsed == tuple(sorted(fx.MEMBERS))
    assert result.pending == ()
    assert result.invalid == ()
    assert result.problems == ()
    assert all(s.status is Status.VALID and s.algorithm == alg for s in result.endorsements)
    assert require_verified(doc, fx.keyring_for(alg=alg), at=fx.NOW) == result


def test_header_binds_every_claim() -> None:
    doc = endorse(
        fx.charter(),
        fx.signer("county"),
        organisation="county",
        role="dpo",
        signatory="A. Person",
        signed_at=fx.SIGNED,
    )
    (e,) = doc["endorsements"]
    assert set(e) == {"protected", "signature"}
    h = header(e)
    assert h == {
        "alg": "Ed25519",
        "kid": fx.signer("county").key_id,
        "typ": TYP,
        "iat": int(fx.SIGNED.timestamp()),
        "woda_kind": "charter",
        "woda_id": "test-charter",
        "woda_version": 1,
        "woda_digest": verify(doc, fx.keyring_for(), at=fx.NOW).digest,
        "woda_org": "county",
        "woda_role": "dpo",
        "woda_signatory": "A. Person",
    }


def test_endorse_does_not_modify_its_input() -> None:
    doc = fx.charter()
    before = copy.deepcopy(doc)
    endorse(doc, fx.signer("county"), organisation="county", role="siro", signed_at=fx.SIGNED)
    assert doc == before


def test_pending_members_are_listed() -> None:
    doc = fx.endorsed(fx.charter(), ("county", "police"))
    result = verify(doc, fx.keyring_for(), at=fx.NOW)
    assert not result
    assert not result.rule_met
    assert result.endorsed == ("county", "police")
    assert result.pending == ("district-a", "district-b")
    with pytest.raises(
        VerificationError, match="district-a has not endorsed; district-b has not endorsed"
    ) as info:
        require_verified(doc, fx.keyring_for(), at=fx.NOW)
    assert info.value.result == result


@pytest.mark.parametrize(
    ("threshold", "orgs", "met"),
    [
        pytest.param(2, ("county",), False, id="one-of-two"),
        pytest.param(2, ("county", "police"), True, id="two-of-two"),
        pytest.param(2, ("county", "police", "district-a"), True, id="three-of-two"),
    ],
)
def test_threshold_rule(threshold: int, orgs: tuple[str, ...], met: bool) -> None:
    doc = fx.endorsed(fx.charter(rule="threshold", threshold=threshold), orgs)
    result = verify(doc, fx.keyring_for(), at=fx.NOW)
    assert result.rule_met is met
    assert bool(result) is met


@pytest.mark.parametrize(
    ("charter", "problem"),
    [
        pytest.param(
            fx.charter(rule="threshold", threshold=0), "needs nothing", id="threshold-zero"
        ),
        pytest.param(fx.charter(rule="threshold", threshold=9), "exceeds", id="threshold-too-high"),
        pytest.param({**fx.charter(), "members": []}, "no members", id="no-members"),
        pytest.param(
            {**fx.charter(), "endorsement": {"rule": "all-members"}},
            "does not structure",
            id="no-roles",
        ),
        pytest.param(
            {**fx.charter(), "endorsement": {"rule": "threshold", "roles": ["siro"]}},
            "names no threshold",
            id="threshold-missing",
        ),
        pytest.param(
            {**fx.charter(), "endorsement": {"rule": "all-members", "roles": []}},
            "names no roles",
            id="roles-empty",
        ),
        pytest.param(
            {**fx.charter(), "endorsement": {"rule": "anyone", "roles": ["siro"]}},
            "does not structure",
            id="unknown-rule",
        ),
    ],
)
def test_rules_that_can_never_be_met(charter: dict[str, Any], problem: str) -> None:
    doc = copy.deepcopy(charter)
    doc["endorsements"] = fx.endorsed(fx.charter(), ("county",))["endorsements"]
    result = verify(doc, fx.keyring_for(), at=fx.NOW)
    assert not result
    assert not result.rule_met
    assert any(problem in p for p in result.problems)


def test_nothing_to_check_never_verifies() -> None:
    result = verify(fx.charter(), fx.keyring_for(), at=fx.NOW)
    assert not result
    assert "the document has no endorsements" in result.problems


def test_agreement_needs_every_party_and_the_charter() -> None:
    charter = fx.charter()
    agreement = fx.agreement(charter, parties=("county", "police", "police"))
    doc = fx.endorsed(agreement, ("county", "police"))
    ring = fx.keyring_for()
    assert verify(doc, ring, charter=charter, at=fx.NOW)
    without = verify(doc, ring, at=fx.NOW)
    assert not without
    assert any("no charter given" in p for p in without.problems)
    half = fx.endorsed(agreement, ("county",))
    result = verify(half, ring, charter=charter, at=fx.NOW)
    assert not result
    assert result.pending == ("police",)


def test_agreement_with_other_charter_version() -> None:
    charter = fx.charter()
    doc = fx.endorsed(fx.agreement(charter), ("county", "police"))
    other = fx.charter(version=2)
    result = verify(doc, fx.keyring_for(), charter=other, at=fx.NOW)
    assert not result
    assert any("exact charter version" in p for p in result.problems)


def test_agreement_party_outside_charter() -> None:
    charter = fx.charter()
    agreement = fx.agreement(charter, parties=("county", "outsider"))
    doc = fx.endorsed(agreement, ("county", "outsider"))
    ring = fx.keyring_for((*fx.MEMBERS, "outsider"))
    result = verify(doc, ring, charter=charter, at=fx.NOW)
    assert not result
    assert any("not charter members: outsider" in p for p in result.problems)


def test_role_not_accepted_by_charter() -> None:
    charter = fx.charter()
    doc = fx.endorsed(fx.agreement(charter), ("county", "police"), role="chief-executive")
    result = verify(doc, fx.keyring_for(), charter=charter, at=fx.NOW)
    assert not result
    assert {s.status for s in result.endorsements} == {Status.ROLE_NOT_ACCEPTED}


def test_organisation_not_expected() -> None:
    charter = fx.charter()
    doc = fx.endorsed(fx.agreement(charter, parties=("county",)), ("county",))
    extra = endorse(
        fx.agreement(charter, parties=("county", "police")),
        fx.signer("police"),
        organisation="police",
        role="siro",
        signed_at=fx.SIGNED,
    )["endorsements"][0]
    doc["endorsements"].append(extra)
    result = verify(doc, fx.keyring_for(), charter=charter, at=fx.NOW)
    # The moved endorsement was made for a different document: its digest differs.
    assert result.endorsements[1].status is Status.DOCUMENT_CHANGED
    assert not result


def test_signed_in_future() -> None:
    doc = fx.endorsed(fx.charter(), fx.MEMBERS)
    result = verify(doc, fx.keyring_for(), at=fx.SIGNED - dt.timedelta(seconds=1))
    assert {s.status for s in result.endorsements} == {Status.SIGNED_IN_FUTURE}


def test_key_expired_unless_retired_with_honour() -> None:
    end = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    doc = fx.endorsed(fx.charter(), fx.MEMBERS)
    ring = fx.keyring_for(not_after=end)
    assert verify(doc, ring, at=end - dt.timedelta(seconds=1))
    late = verify(doc, ring, at=end)
    assert {s.status for s in late.endorsements} == {Status.KEY_EXPIRED}
    for org in fx.MEMBERS:
        kid = fx.signer(org).key_id
        before = end - dt.timedelta(seconds=1)
        ring = retire_key(ring, kid, at=before, honour=honourable(doc, ring, kid=kid, at=before))
    assert verify(doc, ring, at=end + dt.timedelta(days=365))


def test_keyring_object_and_mapping_give_the_same_result() -> None:
    doc = fx.endorsed(fx.charter(), fx.MEMBERS)
    data = fx.keyring_for()
    assert verify(doc, data, at=fx.NOW) == verify(doc, Keyring.from_data(data), at=fx.NOW)


def test_as_dict_is_json() -> None:
    doc = fx.endorsed(fx.charter(), ("county",))
    out = verify(doc, fx.keyring_for(), at=fx.NOW).as_dict()
    text = json.dumps(out)
    assert json.loads(text)["endorsements"][0]["signed_at"] == "2026-03-01T09:30:00Z"
    assert out["pending"] == ["district-a", "district-b", "police"]


def test_naive_clock_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        verify(fx.charter(), fx.keyring_for(), at=dt.datetime(2026, 1, 1))


def test_unendorsable_kind_and_uncanonical_document() -> None:
    assert verify({"kind": "keyring"}, fx.keyring_for(), at=fx.NOW).problems
    bad = {**fx.charter(), "x": 1.5}
    result = verify(bad, fx.keyring_for(), at=fx.NOW)
    assert not result
    assert "float" in result.problems[0]


def test_endorsements_not_a_list() -> None:
    result = verify({**fx.charter(), "endorsements": {}}, fx.keyring_for(), at=fx.NOW)
    assert "the endorsements member is not an array" in result.problems


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"organisation": "outsider"}, "not a member", id="not-member"),
        pytest.param({"organisation": "Bad Org"}, "not an id", id="bad-org-id"),
        pytest.param(
            {"role": "chief-executive"}, "not one the charter accepts", id="role-not-in-charter"
        ),
        pytest.param({"signatory": ""}, "printable", id="empty-signatory"),
        pytest.param({"signatory": "a\nb"}, "printable", id="newline-signatory"),
        pytest.param({"signed_at": dt.datetime(2026, 1, 1)}, "timezone", id="naive-time"),
    ],
)
def test_endorse_refuses(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "organisation": "county",
        "role": "siro",
        "signed_at": fx.SIGNED,
        **kwargs,
    }
    with pytest.raises(SigningError, match=message):
        endorse(fx.charter(), fx.signer("county"), **args)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param({"kind": "keyring", "id": "x", "version": 1}, "cannot be endorsed", id="kind"),
        pytest.param({**fx.charter(), "version": 0}, "version", id="version-zero"),
        pytest.param({**fx.charter(), "id": "Not An Id"}, "not an id", id="bad-id"),
        pytest.param(
            {**fx.charter(), "endorsements": {}}, "not an array", id="endorsements-object"
        ),
        pytest.param({**fx.charter(), "x": 0.5}, "float", id="float"),
    ],
)
def test_endorse_refuses_documents(document: dict[str, Any], message: str) -> None:
    with pytest.raises(SigningError, match=message):
        endorse(
            document, fx.signer("county"), organisation="county", role="siro", signed_at=fx.SIGNED
        )


class _LyingSigner:
    """A signer (think: a misconfigured KMS) whose signatures are not made by its public key."""

    algorithm = "Ed25519"

    def __init__(self) -> None:
        self._real = fx.signer("county")
        self._other = fx.signer("police")
        self.key_id = self._real.key_id
        self.public_jwk = self._real.public_jwk

    def sign(self, payload: bytes) -> bytes:
        return self._other.sign(payload)


def test_endorse_checks_the_signers_own_signature() -> None:
    with pytest.raises(SigningError, match="does not verify"):
        endorse(
            fx.charter(), _LyingSigner(), organisation="county", role="siro", signed_at=fx.SIGNED
        )


def test_compact_round_trip() -> None:
    (e,) = fx.endorsed(fx.charter(), ("county",))["endorsements"]
    token = to_compact(e)
    assert ".." in token
    assert from_compact(token) == e


@pytest.mark.parametrize(
    "token", ["a.b.c", "a..", "a.b", "..c"], ids=["payload", "no-sig", "two", "no-header"]
)
def test_from_compact_refuses(token: str) -> None:
    with pytest.raises(LoadError):
        from_compact(token)


def test_two_endorsements_by_one_org_count_once() -> None:
    doc = fx.endorsed(fx.charter(), ("county", "county"))
    result = verify(doc, fx.keyring_for(), at=fx.NOW)
    assert [s.valid for s in result.endorsements] == [True, True]
    assert result.endorsed == ("county",)


# --------------------------------------------------------------------------- strict base64url

from hypothesis import given  # noqa: E402 - grouped with the tests that use it
from hypothesis import strategies as st  # noqa: E402

from woda_sharing._jose import JoseFormatError, b64url_encode, parse_header_json  # noqa: E402


@given(st.binary(max_size=200))
def test_b64url_round_trip(data: bytes) -> None:
    text = b64url_encode(data)
    assert "=" not in text
    assert b64url_decode(text) == data


@given(
    st.binary(min_size=1, max_size=64), st.sampled_from(["=", "==", " ", "\n", "+", "/", "é", "\0"])
)
def test_b64url_refuses_foreign_characters(data: bytes, junk: str) -> None:
    text = b64url_encode(data)
    with pytest.raises(JoseFormatError):
        b64url_decode(text[:1] + junk + text[1:])


@given(st.binary(min_size=1, max_size=64))
def test_b64url_has_one_encoding_per_byte_string(data: bytes) -> None:
    text = b64url_encode(data)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for c in alphabet:
        other = text[:-1] + c
        if other != text:
            try:
                decoded = b64url_decode(other)
            except JoseFormatError:
                continue
            assert decoded != data


def test_b64url_not_a_string() -> None:
    with pytest.raises(JoseFormatError, match="not a string"):
        b64url_decode(b"abc")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"a":1,"a":2}', id="duplicate"),
        pytest.param(b'{"a":{"b":1,"b":1}}', id="nested-duplicate"),
        pytest.param(b'{"a":1.0}', id="float"),
        pytest.param(b'{"a":[1e3]}', id="exponent-in-list"),
        pytest.param(b'{"a":{"b":NaN}}', id="nan"),
        pytest.param(b'{"a":-Infinity}', id="infinity"),
        pytest.param(b'{"a":9007199254740992}', id="too-big"),
        pytest.param(b'{"a":' + b"9" * 5000 + b"}", id="thousands-of-digits"),
        pytest.param(b"[" * 100000 + b"]" * 100000, id="deep"),
        pytest.param(b'"x"', id="string"),
        pytest.param(b"\xc3", id="bad-utf8"),
    ],
)
def test_header_json_is_strict(raw: bytes) -> None:
    with pytest.raises(JoseFormatError):
        parse_header_json(raw)


def test_header_json_accepts_the_safe_range() -> None:
    assert parse_header_json(b'{"a":-9007199254740991,"b":[true,null,"x"]}') == {
        "a": -9007199254740991,
        "b": [True, None, "x"],
    }


def test_documented_vector() -> None:
    """docs/reference/endorsement-format.md section 8 is what the library makes, and it verifies."""
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric import ed25519

    from woda_sharing._keyring import add_key, new_keyring
    from woda_sharing._keys import LocalSigner

    seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    signer = LocalSigner.from_private_key(ed25519.Ed25519PrivateKey.from_private_bytes(seed))
    doc = {
        "kind": "charter",
        "format_version": 1,
        "id": "example",
        "version": 1,
        "title": "Example",
        "effective": "2026-01-01",
        "members": [
            {"id": "county", "name": "County", "sector": "county-council", "public_authority": True}
        ],
        "principles": [],
        "purposes": [{"id": "care", "title": "Care"}],
        "controls": [],
        "endorsement": {"rule": "all-members", "roles": ["siro"]},
        "review_interval_months": 12,
    }
    when = dt.datetime(2026, 1, 31, 9, 0, tzinfo=dt.UTC)
    out = endorse(doc, signer, organisation="county", role="siro", signed_at=when)
    (e,) = out["endorsements"]
    page = (Path(__file__).parent.parent / "docs/reference/endorsement-format.md").read_text()
    assert e["protected"] in page
    assert e["signature"] in page
    assert signer.key_id in page
    ring = add_key(new_keyring("vector"), "county", signer.public_jwk, not_before=when)
    assert verify(out, ring, at=when)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        pytest.param(
            {**fx.charter(), "members": "all"}, "does not structure", id="members-not-list"
        ),
        pytest.param(
            {**fx.charter(), "endorsement": "all"}, "does not structure", id="rule-not-object"
        ),
    ],
)
def test_unreadable_charter_rules(document: dict[str, Any], problem: str) -> None:
    result = verify(document, fx.keyring_for(), at=fx.NOW)
    assert any(problem in p for p in result.problems)
    assert not result.rule_met


def test_agreement_rule_problems() -> None:
    charter = fx.charter()
    agreement = {**fx.agreement(charter), "parties": []}
    result = verify(agreement, fx.keyring_for(), charter=charter, at=fx.NOW)
    assert any("no parties" in p for p in result.problems)
    odd_charter = {**charter, "endorsement": {"rule": "all-members", "roles": []}}
    result = verify(fx.agreement(charter), fx.keyring_for(), charter=odd_charter, at=fx.NOW)
    assert any("roles cannot be read" in p for p in result.problems)
    bad_charter = {**charter, "x": 0.5}
    result = verify(fx.agreement(charter), fx.keyring_for(), charter=bad_charter, at=fx.NOW)
    assert any("no canonical form" in p for p in result.problems)
    other = {**charter, "version": 2}
    result = verify(fx.agreement(charter), fx.keyring_for(), charter=other, at=fx.NOW)
    assert any("exact charter version" in p for p in result.problems)


def test_verify_and_endorse_refuse_non_mappings() -> None:
    with pytest.raises(UsageError):
        verify([], fx.keyring_for(), at=fx.NOW)  # type: ignore[arg-type]
    with pytest.raises(SigningError, match="JSON object"):
        endorse([], fx.signer("county"), organisation="county", role="siro", signed_at=fx.SIGNED)  # type: ignore[arg-type]


class _OddSigner:
    """A signer whose claims about itself do not hold together."""

    def __init__(self, algorithm: str, key_id: str) -> None:
        self.algorithm = algorithm
        self.key_id = key_id
        self.public_jwk = fx.signer("county").public_jwk

    def sign(self, payload: bytes) -> bytes:
        return fx.signer("county").sign(payload)


@pytest.mark.parametrize(
    ("algorithm", "key_id", "message"),
    [
        pytest.param("HS256", fx.signer("county").key_id, "not supported", id="hmac"),
        pytest.param("ES256", fx.signer("county").key_id, "does not match", id="wrong-alg"),
        pytest.param("Ed25519", "someone-else", "does not match", id="wrong-kid"),
    ],
)
def test_endorse_checks_the_signer(algorithm: str, key_id: str, message: str) -> None:
    with pytest.raises(SigningError, match=message):
        endorse(
            fx.charter(),
            _OddSigner(algorithm, key_id),
            organisation="county",
            role="siro",
            signed_at=fx.SIGNED,
        )


# --------------------------------------------------------------------------- who must sign


def test_requirement_is_read_from_the_typed_documents() -> None:
    charter = codec.structure(fx.charter(rule="threshold", threshold=3), Charter)
    need = endorsement_requirement(charter)
    assert need.expected == set(fx.MEMBERS)
    assert need.threshold == 3
    assert need.roles == {"siro", "dpo"}
    assert need.problems == ()
    agreement = codec.structure(fx.agreement(fx.charter()), Agreement)
    assert endorsement_requirement(agreement).roles is None  # no charter: roles unchecked
    under = endorsement_requirement(agreement, charter=charter)
    assert (under.expected, under.threshold, under.roles) == ({"county", "police"}, 2, need.roles)


def test_ws601_and_verify_read_the_same_rule() -> None:
    data = fx.charter(rule="threshold", threshold=9)
    codes = {f.code for f in validate(data).findings}
    assert "WS601" in codes
    problems = verify(data, fx.keyring_for(), at=fx.NOW).problems
    assert any("exceeds" in p for p in problems)
    with pytest.raises(SigningError, match="exceeds"):  # endorse refuses what verify rejects
        fx.endorsed(data, ("county",))
    assert "WS601" not in {
        f.code for f in validate(fx.charter(rule="threshold", threshold=4)).findings
    }


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"effective": "not a date"}, id="bad-date"),
        pytest.param({"members": [{"id": "county"}]}, id="member-lacks-name"),
        pytest.param({"endorsement": {"rule": "threshold", "roles": "siro"}}, id="roles-string"),
        pytest.param({"extra": True}, id="unknown-member"),
    ],
)
def test_a_document_that_does_not_structure_gets_a_verdict(change: dict[str, Any]) -> None:
    doc = {**fx.endorsed(fx.charter(), fx.MEMBERS), **change}
    result = verify(doc, fx.keyring_for(), at=fx.NOW)  # never raises
    assert not result
    assert not result.rule_met
    assert any("does not structure" in p for p in result.problems)
    # Every endorsement is still judged (here: the content changed after signing).
    assert {s.status for s in result.endorsements} == {Status.DOCUMENT_CHANGED}
    with pytest.raises(VerificationError, match="does not structure"):
        require_verified(doc, fx.keyring_for(), at=fx.NOW)


def test_an_agreement_under_a_charter_that_does_not_structure() -> None:
    charter = fx.charter()
    doc = fx.endorsed(fx.agreement(charter), ("county", "police"))
    odd = {**charter, "effective": "soon"}
    result = verify(doc, fx.keyring_for(), charter=odd, at=fx.NOW)
    assert not result
    assert any("the charter given does not structure" in p for p in result.problems)
    assert verify(doc, fx.keyring_for(), charter=charter, at=fx.NOW)


def test_endorse_refuses_a_document_that_does_not_structure() -> None:
    with pytest.raises(SigningError, match="not a valid Charter"):
        endorse(
            {**fx.charter(), "effective": "soon"},
            fx.signer("county"),
            organisation="county",
            role="siro",
            signed_at=fx.SIGNED,
        )


def test_endorse_refuses_a_signer_with_an_unusable_public_key() -> None:
    odd = _OddSigner("Ed25519", fx.signer("county").key_id)
    odd.public_jwk = {**odd.public_jwk, "x": "AA"}
    with pytest.raises(SigningError):
        endorse(fx.charter(), odd, organisation="county", role="siro", signed_at=fx.SIGNED)


def test_endorsed_by_keyring_refuses_non_mappings() -> None:
    charter = fx.charter()
    with pytest.raises(UsageError, match="charter"):
        endorsed_by_keyring([], [], fx.keyring_for(), at=fx.NOW)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="agreement"):
        endorsed_by_keyring(charter, ["x"], fx.keyring_for(), at=fx.NOW)  # type: ignore[list-item]
    signed = fx.endorsed(fx.agreement(charter), ("county", "police"))
    assert endorsed_by_keyring(charter, [signed], fx.keyring_for(), at=fx.NOW) == {
        "test-agreement": True
    }


@pytest.mark.parametrize("order", ["signed-first", "unsigned-first"])
def test_endorsed_by_keyring_never_lets_one_version_vouch_for_another(order: str) -> None:
    charter = fx.charter()
    signed = fx.endorsed(fx.agreement(charter), ("county", "police"))
    unsigned = {**fx.agreement(charter), "version": 2}
    given = [signed, unsigned] if order == "signed-first" else [unsigned, signed]
    assert endorsed_by_keyring(charter, given, fx.keyring_for(), at=fx.NOW) == {
        "test-agreement": False
    }


# --- refusing early, and withdrawing --------------------------------------------------


def test_refusals_suggest_the_role_and_organisation_meant() -> None:
    reasons = endorsement_refusals(fx.charter(), organisation="countyy", role="sirro")
    assert reasons == (
        "'countyy' is not a member of the charter; did you mean 'county'?",
        "role 'sirro' is not one the charter accepts (dpo, siro); did you mean 'siro'?",
    )
    assert endorsement_refusals(fx.charter(), organisation="county", role="siro") == ()


def test_an_agreements_roles_are_those_of_the_exact_charter_it_names() -> None:
    the_charter = fx.charter()
    doc = fx.agreement(the_charter)
    assert endorsement_refusals(doc, organisation="county", role="ceo") == ()  # no charter given
    (reason,) = endorsement_refusals(doc, organisation="county", role="ceo", charter=the_charter)
    assert reason.startswith("role 'ceo' is not one the charter accepts")
    other = {**the_charter, "title": "Another charter"}
    (reason,) = endorsement_refusals(doc, organisation="county", role="siro", charter=other)
    assert "not the exact charter version" in reason
    with pytest.raises(SigningError, match="not one the charter accepts"):
        endorse(
            doc,
            fx.signer("county"),
            organisation="county",
            role="ceo",
            signed_at=fx.SIGNED,
            charter=the_charter,
        )


def test_refusals_of_what_cannot_be_endorsed_at_all() -> None:
    assert endorsement_refusals({"kind": "keyring"}, organisation="a", role="b")[0].startswith(
        "a document of kind 'keyring'"
    )
    assert (
        "float" in endorsement_refusals({**fx.charter(), "x": 1.5}, organisation="a", role="b")[0]
    )
    (reason,) = endorsement_refusals(
        fx.charter(), organisation="county", role="siro", amends=fx.charter()
    )
    assert "does not supersede" in reason


@pytest.mark.parametrize(
    ("ring", "message"),
    [
        pytest.param(fx.keyring_for(("police",)), "no key", id="unknown-key"),
        pytest.param(
            fx.keyring_for(not_before=dt.datetime(2026, 4, 1, tzinfo=dt.UTC)),
            "outside the key's validity window",
            id="not-yet-valid",
        ),
    ],
)
def test_endorse_with_a_keyring_refuses_a_key_verify_would_not_count(
    ring: dict[str, Any], message: str
) -> None:
    with pytest.raises(
        SigningError, match=f"the keyring would not accept this endorsement: .*{message}"
    ):
        endorse(
            fx.charter(),
            fx.signer("county"),
            organisation="county",
            role="siro",
            signed_at=fx.SIGNED,
            keyring=ring,
        )


def test_endorse_refuses_a_key_the_keyring_holds_for_another_organisation() -> None:
    from woda_sharing._keyring import add_key, new_keyring

    ring = add_key(new_keyring("r"), "police", fx.signer("county").public_jwk, not_before=fx.SIGNED)
    with pytest.raises(SigningError, match="belongs to 'police', not 'county'"):
        endorse(
            fx.charter(),
            fx.signer("county"),
            organisation="county",
            role="siro",
            signed_at=fx.SIGNED,
            keyring=ring,
        )
    made = endorse(
        fx.charter(),
        fx.signer("county"),
        organisation="county",
        role="siro",
        signed_at=fx.SIGNED,
        keyring=fx.keyring_for(),
    )
    assert len(made["endorsements"]) == 1


def test_withdraw_removes_only_that_organisations_endorsements() -> None:
    doc = fx.endorsed(fx.charter(), ("county", "police"))
    out = withdraw(doc, organisation="police")
    assert out["endorsements"] == doc["endorsements"][:1]
    assert len(doc["endorsements"]) == 2  # the input is untouched
    result = verify(out, fx.keyring_for(), at=fx.NOW)
    assert result.endorsed == ("county",)


def test_withdraw_by_key_and_what_is_refused() -> None:
    doc = fx.endorsed(fx.charter(), ("county",))
    with pytest.raises(SigningError, match="'police' has no endorsement in the document"):
        withdraw(doc, organisation="police")
    with pytest.raises(SigningError, match="no endorsement with key other"):
        withdraw(doc, organisation="county", kid="other")
    assert (
        withdraw(doc, organisation="county", kid=fx.signer("county").key_id)["endorsements"] == []
    )
    with pytest.raises(SigningError, match=r"carries no endorsements"):
        withdraw({"kind": "keyring"}, organisation="county")
    with pytest.raises(SigningError, match="not an array"):
        withdraw({**fx.charter(), "endorsements": {}}, organisation="county")


def test_a_completed_sign_off_cannot_be_withdrawn_but_a_stale_one_can() -> None:
    complete = fx.endorsed(fx.charter(), fx.MEMBERS)
    with pytest.raises(SigningError, match="completed sign-off; amend it instead"):
        withdraw(complete, organisation="police")
    # The document changed after everyone signed: the endorsements are for another version.
    changed = {**complete, "title": "Changed after signing"}
    assert len(withdraw(changed, organisation="police")["endorsements"]) == 3
    unreadable = {**fx.charter(), "endorsements": [{"protected": "x", "signature": "y"}]}
    with pytest.raises(SigningError, match="no endorsement"):
        withdraw(unreadable, organisation="county")
