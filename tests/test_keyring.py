"""Keyrings: building, checking, and refusing ambiguous or unsafe ones as a whole."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import types
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import _signing_fixtures as fx
from woda_sharing._keyring import (
    Keyring,
    KeyStatus,
    add_key,
    compromise_key,
    fingerprint,
    format_time,
    new_keyring,
    parse_time,
    retire_key,
)
from woda_sharing.exceptions import KeyringError, UsageError


def test_new_keyring_is_valid_and_empty() -> None:
    ring = Keyring.from_data(new_keyring("ring", title="A ring"))
    assert ring.id == "ring"
    assert ring.keys == {}
    assert ring.organisations == ()


def test_add_key_and_look_it_up() -> None:
    data = fx.keyring_for(("county", "police"))
    ring = Keyring.from_data(data)
    kid = fx.signer("county").key_id
    entry = ring.get(kid)
    assert entry is not None
    assert entry.organisation == "county"
    assert entry.status is KeyStatus.ACTIVE
    assert entry.not_before == fx.T0
    assert ring.organisations == ("county", "police")
    assert ring.get("nope") is None


def test_add_key_does_not_modify_its_input() -> None:
    data = new_keyring("ring")
    before = copy.deepcopy(data)
    add_key(data, "county", fx.signer("county").public_jwk, not_before=fx.T0)
    assert data == before


def test_add_second_key_to_same_org() -> None:
    data = fx.keyring_for(("county",))
    data = add_key(data, "county", fx.signer("county", "ES256").public_jwk, not_before=fx.T0)
    assert len(data["organisations"]) == 1
    assert len(data["organisations"][0]["keys"]) == 2


def _ring_with(mutate: Any) -> dict[str, Any]:
    data = fx.keyring_for(("county", "police"))
    mutate(data)
    return data


def _dup_under_other_org(d: dict[str, Any]) -> None:
    d["organisations"][1]["keys"].append(copy.deepcopy(d["organisations"][0]["keys"][0]))


def _dup_same_org(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"].append(copy.deepcopy(d["organisations"][0]["keys"][0]))


def _dup_org(d: dict[str, Any]) -> None:
    d["organisations"].append(copy.deepcopy(d["organisations"][0]))


def _private(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["jwk"]["d"] = "AAAA"


def _kid(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["jwk"]["kid"] = fx.signer("police").key_id


def _window(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["not_after"] = "2025-01-01T00:00:00Z"


def _retired_without_list(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["status"] = "retired"


def _honoured_on_active(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["honoured"] = []


def _bad_time(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["not_before"] = "2026-01-01"


def _impossible_time(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["not_before"] = "2026-02-30T00:00:00Z"


def _kty(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["jwk"]["kty"] = "oct"


def _wrong_kind(d: dict[str, Any]) -> None:
    d["kind"] = "charter"


def _compromised_at_on_active(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0]["compromised_at"] = "2026-02-01T00:00:00Z"


def _compromised_at_on_retired(d: dict[str, Any]) -> None:
    d["organisations"][0]["keys"][0].update(
        status="retired",
        retired_at="2026-03-01T00:00:00Z",
        honoured=[],
        compromised_at="2026-02-01T00:00:00Z",
    )


def _retired_before_window(d: dict[str, Any]) -> None:
    key = d["organisations"][0]["keys"][0]
    key.update(status="retired", retired_at="2025-01-01T00:00:00Z", honoured=[])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(_dup_under_other_org, "two organisations", id="one-key-two-orgs"),
        pytest.param(_dup_same_org, "listed twice", id="one-key-twice"),
        pytest.param(_dup_org, "listed twice", id="org-twice"),
        pytest.param(_private, "private key material", id="private-material"),
        pytest.param(_kid, "thumbprint", id="kid-not-thumbprint"),
        pytest.param(_window, "not_after", id="empty-window"),
        pytest.param(_retired_without_list, "schema", id="retired-without-honoured"),
        pytest.param(_honoured_on_active, "schema", id="honoured-on-active"),
        pytest.param(_bad_time, "schema", id="date-not-time"),
        pytest.param(_impossible_time, "not a time", id="impossible-date"),
        pytest.param(_kty, "schema", id="symmetric-key"),
        pytest.param(_wrong_kind, "schema", id="wrong-kind"),
        pytest.param(_retired_before_window, "retired before", id="retired-before-window"),
        pytest.param(_compromised_at_on_active, "schema", id="compromised-at-on-active"),
        pytest.param(
            lambda d: d.update(format_version=1.0), "not the integer 1", id="format-version-float"
        ),
        pytest.param(_compromised_at_on_retired, "schema", id="compromised-at-on-retired"),
    ],
)
def test_refused_keyrings(mutate: Any, message: str) -> None:
    with pytest.raises(KeyringError, match=message):
        Keyring.from_data(_ring_with(mutate))


def test_compromised_at_stays_allowed_on_a_compromised_key() -> None:
    ring = fx.keyring_for(("county",))
    at = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    entry = Keyring.from_data(compromise_key(ring, fx.signer("county").key_id, at=at)).get(
        fx.signer("county").key_id
    )
    assert entry is not None
    assert entry.compromised_at == at


def test_entry_refuses_compromised_at_without_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check in the entry itself holds even if the schema were looser."""
    from woda_sharing import _schema as schema

    monkeypatch.setattr(schema, "fast_is_valid", lambda kind, data: True)
    with pytest.raises(KeyringError, match="compromised_at on a key whose status is 'active'"):
        Keyring.from_data(_ring_with(_compromised_at_on_active))


def test_add_key_refuses_private_material() -> None:
    """A private JWK handed to a keyring is refused, never silently stripped."""
    ring = fx.keyring_for(("county",))
    private = {**fx.signer("police").public_jwk, "d": "AAAA"}
    with pytest.raises(KeyringError, match=r"private key material \(d\)"):
        add_key(ring, "police", private, not_before=fx.T0)
    with pytest.raises(KeyringError, match="JSON object"):
        add_key(ring, "police", [], not_before=fx.T0)  # type: ignore[arg-type]


def test_nested_read_only_mappings_are_accepted() -> None:
    """A keyring built of mapping proxies and tuples is read like plain JSON."""
    ring = fx.keyring_for(("county",))
    org = ring["organisations"][0]
    key = org["keys"][0]
    frozen = types.MappingProxyType(
        {
            **ring,
            "organisations": (
                types.MappingProxyType(
                    {
                        **org,
                        "keys": (
                            types.MappingProxyType(
                                {**key, "jwk": types.MappingProxyType(key["jwk"])}
                            ),
                        ),
                    }
                ),
            ),
        }
    )
    parsed = Keyring.from_data(frozen)
    assert parsed.organisations == ("county",)
    assert parsed.data == ring
    updated = add_key(frozen, "police", fx.signer("police").public_jwk, not_before=fx.T0)
    assert Keyring.from_data(updated).organisations == ("county", "police")
    retire_key(frozen, fx.signer("county").key_id, at=fx.NOW)
    compromise_key(frozen, fx.signer("county").key_id)


def test_not_a_mapping() -> None:
    with pytest.raises(KeyringError):
        Keyring.from_data([])  # type: ignore[arg-type]


def test_retire_records_honoured_fingerprints() -> None:
    kid = fx.signer("county").key_id
    data = retire_key(fx.keyring_for(("county",)), kid, at=fx.NOW, honour=["sha256:" + "a" * 64])
    entry = Keyring.from_data(data).get(kid)
    assert entry is not None
    assert entry.status is KeyStatus.RETIRED
    assert entry.retired_at == fx.NOW
    assert entry.honoured == {"sha256:" + "a" * 64}


def test_compromise_drops_retirement_and_cannot_be_retired_again() -> None:
    kid = fx.signer("county").key_id
    data = retire_key(fx.keyring_for(("county",)), kid, at=fx.NOW)
    data = compromise_key(data, kid, at=fx.NOW)
    key = data["organisations"][0]["keys"][0]
    assert key["status"] == "compromised"
    assert "honoured" not in key
    assert key["compromised_at"] == "2026-06-01T00:00:00Z"
    with pytest.raises(KeyringError, match="cannot be retired"):
        retire_key(data, kid, at=fx.NOW)


def test_unknown_kid() -> None:
    with pytest.raises(KeyringError, match="no key"):
        compromise_key(fx.keyring_for(("county",)), "x" * 43)


def test_fingerprint_is_sha256_of_protected_segment() -> None:
    assert (
        fingerprint("abc")
        == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_times() -> None:
    assert parse_time("2026-01-31T09:00:00Z") == dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
    plus_one = dt.timezone(dt.timedelta(hours=1))
    assert (
        format_time(dt.datetime(2026, 1, 31, 10, 0, 0, 999, tzinfo=plus_one))
        == "2026-01-31T09:00:00Z"
    )
    with pytest.raises(UsageError):
        format_time(dt.datetime(2026, 1, 31))
    with pytest.raises(UsageError):
        format_time(dt.date(2026, 1, 31))  # type: ignore[arg-type]
    assert format_time(dt.datetime(5, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "0005-01-02T03:04:05Z"


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(
            dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            id="after-9999",
        ),
        pytest.param(
            dt.datetime(1, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))), id="before-year-1"
        ),
    ],
)
def test_times_beyond_the_calendar_are_a_usage_error(when: dt.datetime) -> None:
    """Converting to UTC overflows; that is a usage error, never an OverflowError."""
    ring = fx.keyring_for(("county",))
    with pytest.raises(UsageError, match="outside the times"):
        format_time(when)
    with pytest.raises(UsageError, match="outside the times"):
        retire_key(ring, fx.signer("county").key_id, at=when)
    with pytest.raises(UsageError, match="outside the times"):
        add_key(ring, "police", fx.signer("police").public_jwk, not_before=when)
    with pytest.raises(KeyringError):
        parse_time("2026-01-31T09:00:00+01:00")


_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.lists(st.integers(), max_size=2)
)


@given(
    st.sampled_from(["kind", "id", "organisations", "format_version", "title"]),
    _values,
    st.sampled_from(["jwk", "status", "not_before", "not_after", "honoured", "retired_at"]),
    _values,
)
def test_hostile_keyrings_raise_only_keyring_error(
    top: str, top_value: Any, key: str, key_value: Any
) -> None:
    for mutate in (
        lambda d: d.__setitem__(top, top_value),
        lambda d: d["organisations"][0]["keys"][0].__setitem__(key, key_value),
        lambda d: d["organisations"][0]["keys"][0]["jwk"].__setitem__("x", key_value),
        lambda d: d["organisations"][0].__setitem__("keys", key_value),
    ):
        data = fx.keyring_for(("county",))
        mutate(data)
        with contextlib.suppress(KeyringError):
            Keyring.from_data(data)
