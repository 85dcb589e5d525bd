"""verify_update: an amendment needs the consent of the version it amends (issue 10, item 1)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

import woda_sharing as ws
from tests import _signing_fixtures as fx
from woda_sharing import _canonical as canonical
from woda_sharing._keys import write_private_key
from woda_sharing.cli import main


def _amend(previous: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The next version of *previous*, unendorsed, with *changes* applied."""
    new = copy.deepcopy(previous)
    new.pop("endorsements", None)
    new["version"] = previous["version"] + 1
    new["supersedes"] = {"version": previous["version"], "digest": canonical.digest(previous)}
    new.update(changes)
    return new


def _members(*ids: str) -> list[dict[str, Any]]:
    return [m for m in fx.charter()["members"] if m["id"] in ids]


RING = fx.keyring_for()


@pytest.fixture
def v1() -> dict[str, Any]:
    return fx.endorsed(fx.charter(), fx.MEMBERS)


def test_one_member_cannot_capture_the_charter(v1: dict[str, Any]) -> None:
    """v2 lists only the county and is endorsed by it alone: it verifies on its own rule."""
    v2 = fx.endorsed(_amend(v1, members=_members("county")), ("county",))
    assert ws.verify(v2, RING, at=fx.NOW)  # the attack: verify alone accepts it
    result = ws.verify_update(v1, v2, RING, at=fx.NOW)
    assert not result
    assert result.failed is ws.UpdateCheck.TRUSTED_RULE
    assert result.steps[0].trusted_rule.pending == ("district-a", "district-b", "police")
    assert "consent missing from: district-a, district-b, police" in result.problems[0]


def test_lowering_the_threshold_needs_the_old_threshold() -> None:
    """3 of 4 down to 1 of 4: one endorsement meets the new rule, not the old one."""
    v1 = fx.endorsed(fx.charter(rule="threshold", threshold=3), ("county", "police", "district-a"))
    lowered = _amend(v1, endorsement={"rule": "threshold", "threshold": 1, "roles": ["siro"]})
    alone = fx.endorsed(lowered, ("county",))
    assert ws.verify(alone, RING, at=fx.NOW)
    assert ws.verify_update(v1, alone, RING, at=fx.NOW).failed is ws.UpdateCheck.TRUSTED_RULE
    agreed = fx.endorsed(lowered, ("county", "police", "district-b"))
    assert ws.verify_update(v1, agreed, RING, at=fx.NOW)


def test_changing_the_roles_needs_a_role_the_old_version_accepts(v1: dict[str, Any]) -> None:
    """Only chief executives may endorse v2: v1 accepts no chief executive's consent.

    The way through is a version that accepts both roles, then one that drops the old.
    """
    only_new = {"rule": "all-members", "roles": ["chief-executive"]}
    v2 = fx.endorsed(_amend(v1, endorsement=only_new), fx.MEMBERS, role="chief-executive")
    result = ws.verify_update(v1, v2, RING, at=fx.NOW)
    assert result.failed is ws.UpdateCheck.TRUSTED_RULE
    both = {"rule": "all-members", "roles": ["siro", "dpo", "chief-executive"]}
    step = fx.endorsed(_amend(v1, endorsement=both), fx.MEMBERS, role="siro")
    assert ws.verify_update(v1, step, RING, at=fx.NOW)
    last = fx.endorsed(_amend(step, endorsement=only_new), fx.MEMBERS, role="chief-executive")
    assert ws.verify_update(step, last, RING, at=fx.NOW)
    assert ws.verify_update(v1, last, RING, at=fx.NOW, intermediates=[step])
    # Or in one step, each member consenting in a role of v1 as well.
    consent = fx.endorsed(v2, fx.MEMBERS, role="dpo", amends=v1)
    assert ws.verify_update(v1, consent, RING, at=fx.NOW)


def test_amends_must_be_the_version_superseded(v1: dict[str, Any]) -> None:
    v2 = _amend(v1, title="Two")
    other = fx.charter(version=1, rule="threshold", threshold=1)
    with pytest.raises(ws.SigningError, match="does not supersede"):
        fx.endorsed(v2, ("county",), amends=other)
    with pytest.raises(ws.SigningError, match="amends must be the charter"):
        fx.endorsed(v2, ("county",), amends=fx.agreement(v1))


def test_an_amendment_agreed_by_every_member_is_accepted(v1: dict[str, Any]) -> None:
    v2 = fx.endorsed(_amend(v1, title="Test charter, amended"), fx.MEMBERS)
    result = ws.require_update(v1, v2, RING, at=fx.NOW)
    assert result.accepted
    assert result.failed is None
    assert (result.trusted_version, result.candidate_version) == (1, 2)
    assert result.as_dict()["steps"][0]["trusted_rule"]["met"] is True


def test_a_removed_member_consents_and_the_rest_carry_on(v1: dict[str, Any]) -> None:
    """The police leave: v2 needs their endorsement under v1's all-members rule."""
    remaining = ("county", "district-a", "district-b")
    v2 = _amend(v1, members=_members(*remaining))
    without = fx.endorsed(v2, remaining)
    assert ws.verify_update(v1, without, RING, at=fx.NOW).failed is ws.UpdateCheck.TRUSTED_RULE
    with pytest.raises(ws.SigningError, match="not a member"):
        fx.endorsed(without, ("police",))
    with_consent = fx.endorsed(without, ("police",), amends=v1)
    assert ws.verify_update(v1, with_consent, RING, at=fx.NOW)
    # Alone, v2 does not list the police, so their endorsement does not count for it.
    statuses = {
        s.organisation: s.status for s in ws.verify(with_consent, RING, at=fx.NOW).endorsements
    }
    assert statuses["police"].value == "organisation-not-expected"


def test_the_candidate_must_also_meet_its_own_rule(v1: dict[str, Any]) -> None:
    """A new member added by v2 must endorse v2 too."""
    newcomer = {"id": "fire", "name": "Fire", "sector": "other", "public_authority": True}
    v2 = _amend(v1, members=[*v1["members"], newcomer])
    result = ws.verify_update(
        v1, fx.endorsed(v2, fx.MEMBERS), fx.keyring_for((*fx.MEMBERS, "fire")), at=fx.NOW
    )
    assert result.failed is ws.UpdateCheck.CANDIDATE_RULE
    assert result.steps[0].candidate.pending == ("fire",)


def test_each_intermediate_step_needs_the_consent_of_the_one_before(v1: dict[str, Any]) -> None:
    """v2 was captured by the county; v3, agreed by v2's only member, inherits nothing."""
    v2 = fx.endorsed(_amend(v1, members=_members("county")), ("county",))
    v3 = fx.endorsed(_amend(v2, title="Captured"), ("county",))
    result = ws.verify_update(v1, v3, RING, at=fx.NOW, intermediates=[v2])
    assert result.failed is ws.UpdateCheck.TRUSTED_RULE
    assert [s.ok for s in result.steps] == [False, True]
    honest2 = fx.endorsed(_amend(v1, title="Two"), fx.MEMBERS)
    honest3 = fx.endorsed(_amend(honest2, title="Three"), fx.MEMBERS)
    assert ws.verify_update(v1, honest3, RING, at=fx.NOW, intermediates=[honest2])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda v1, v2: (v2, v1), "rollback", id="rollback"),
        pytest.param(lambda v1, v2: (v1, v1), "the trusted version itself", id="same"),
        pytest.param(
            lambda v1, v2: (
                v1,
                {**v2, "supersedes": {"version": 1, "digest": "sha256:" + "0" * 64}},
            ),
            "exact digest",
            id="not-superseding",
        ),
        pytest.param(lambda v1, v2: (v1, {**v2, "version": 3}), "missing", id="gap"),
    ],
)
def test_a_broken_chain_fails_first(v1: dict[str, Any], make: Any, message: str) -> None:
    v2 = fx.endorsed(_amend(v1), fx.MEMBERS)
    trusted, candidate = make(v1, v2)
    result = ws.verify_update(trusted, candidate, RING, at=fx.NOW)
    assert result.failed is ws.UpdateCheck.CHAIN
    assert result.steps == ()
    assert message in result.problems[0]


def test_require_update_raises_with_the_result(v1: dict[str, Any]) -> None:
    v2 = fx.endorsed(_amend(v1, members=_members("county")), ("county",))
    with pytest.raises(ws.UpdateError, match="trusted-rule") as caught:
        ws.require_update(v1, v2, RING, at=fx.NOW)
    assert isinstance(caught.value, ws.VerificationError)
    assert caught.value.update is not None
    assert caught.value.update.failed is ws.UpdateCheck.TRUSTED_RULE


# --- agreements ---------------------------------------------------------------------------


@pytest.fixture
def charter() -> dict[str, Any]:
    return fx.endorsed(fx.charter(), fx.MEMBERS)


def test_an_agreement_cannot_drop_a_party_without_its_consent(charter: dict[str, Any]) -> None:
    a1 = fx.endorsed(fx.agreement(charter), ("county", "police"))
    a2 = _amend(a1, parties=[p for p in a1["parties"] if p["organisation"] == "county"])
    alone = fx.endorsed(a2, ("county",))
    assert ws.verify(alone, RING, charter=charter, at=fx.NOW)
    result = ws.verify_update(a1, alone, RING, charter=charter, at=fx.NOW)
    assert result.failed is ws.UpdateCheck.TRUSTED_RULE
    assert result.steps[0].trusted_rule.pending == ("police",)
    with pytest.raises(ws.SigningError, match="not a party organisation"):
        fx.endorsed(a2, ("police",))
    agreed = fx.endorsed(alone, ("police",), amends=a1)
    assert ws.verify_update(a1, agreed, RING, charter=charter, at=fx.NOW)


def test_an_agreement_moved_to_an_amended_charter_is_judged_with_each_charter(
    charter: dict[str, Any],
) -> None:
    """v1 sits under charter v1, v2 under charter v2: each version is read with its own."""
    charter2 = fx.endorsed(_amend(charter, title="Amended"), fx.MEMBERS)
    a1 = fx.endorsed(fx.agreement(charter), ("county", "police"))
    ref = {"id": charter2["id"], "version": 2, "digest": canonical.digest(charter2)}
    a2 = fx.endorsed(_amend(a1, charter=ref), ("county", "police"))
    assert ws.verify_update(a1, a2, RING, charters=[charter, charter2], at=fx.NOW)
    # Without charter v1, version 1's rule cannot be read: fail closed.
    result = ws.verify_update(a1, a2, RING, charter=charter2, at=fx.NOW)
    assert result.failed is ws.UpdateCheck.TRUSTED_RULE
    assert "not the exact charter version" in result.problems[0]


def test_an_agreement_without_its_charter_fails_closed(charter: dict[str, Any]) -> None:
    a1 = fx.endorsed(fx.agreement(charter), ("county", "police"))
    a2 = fx.endorsed(_amend(a1, title="Two"), ("county", "police"))
    result = ws.verify_update(a1, a2, RING, at=fx.NOW)
    assert result.failed is ws.UpdateCheck.TRUSTED_RULE


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda v1: ws.verify_update(v1, [], RING, at=fx.NOW), id="candidate"),
        pytest.param(
            lambda v1: ws.verify_update(v1, v1, RING, at=dt.datetime(2026, 1, 1)), id="naive"
        ),
        pytest.param(
            lambda v1: ws.verify_update(v1, v1, RING, at=fx.NOW, charters=[[]]), id="charters"
        ),
    ],
)
def test_misuse_is_a_usage_error(v1: dict[str, Any], call: Any) -> None:
    with pytest.raises(ws.UsageError):
        call(v1)


def test_a_keyring_document_has_no_endorsement_rule() -> None:
    ring1 = dict(RING, version=1)
    ring2 = dict(RING, version=2, supersedes={"version": 1, "digest": canonical.digest(ring1)})
    result = ws.verify_update(ring1, ring2, RING, at=fx.NOW)
    assert result.failed is ws.UpdateCheck.CHAIN
    assert "carries no endorsements" in result.problems[0]


# --- the command line ---------------------------------------------------------------------


def _write(path: Any, data: dict[str, Any]) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_cli_verify_trusted_refuses_a_captured_charter(
    v1: dict[str, Any], tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    captured = fx.endorsed(_amend(v1, members=_members("county")), ("county",))
    old = _write(tmp_path / "v1.json", v1)
    new = _write(tmp_path / "v2.json", captured)
    ring = _write(tmp_path / "ring.json", RING)
    at = "2026-06-01T00:00:00Z"
    assert main(["verify", new, "--keyring", ring, "--at", at]) == 0  # alone, it verifies
    capsys.readouterr()
    assert main(["verify", new, "--keyring", ring, "--at", at, "--trusted", old]) == 1
    out = capsys.readouterr().out
    assert "v1 -> v2: NOT accepted (trusted-rule)" in out
    assert "consent missing from: district-a, district-b, police" in out
    code = main(
        ["verify", new, "--keyring", ring, "--at", at, "--trusted", old, "--format", "json"]
    )
    assert code == 1
    assert json.loads(capsys.readouterr().out)["failed"] == "trusted-rule"


def test_cli_endorse_amends_lets_a_departing_member_consent(
    v1: dict[str, Any], tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    remaining = ("county", "district-a", "district-b")
    v2 = fx.endorsed(_amend(v1, members=_members(*remaining)), remaining)
    key = tmp_path / "police.pem"
    write_private_key(key, fx.signer("police"))
    paths = {
        name: _write(tmp_path / f"{name}.json", doc)
        for name, doc in (("v1", v1), ("v2", v2), ("ring", RING))
    }
    verify_args = ["verify", paths["v2"], "--keyring", paths["ring"]]
    verify_args += ["--at", "2026-06-01T00:00:00Z", "--trusted", paths["v1"]]
    assert main(verify_args) == 1
    endorse_args = ["endorse", paths["v2"], "--key", str(key), "--org", "police", "--role", "siro"]
    endorse_args += ["--at", "2026-03-01T09:30:00Z"]
    assert main(endorse_args) == 1  # refused: the police are no longer a member of v2
    assert main([*endorse_args, "--amends", paths["v1"]]) == 0
    capsys.readouterr()
    assert main(verify_args) == 0
    assert "v1 -> v2: accepted" in capsys.readouterr().out


# --- policies -----------------------------------------------------------------------------


def test_a_policy_compiles_the_newest_of_a_sound_chain_of_versions() -> None:
    from woda_sharing.testing import example_agreement, example_charter

    charter = example_charter()
    a1 = example_agreement(charter)
    a2 = _amend(a1, title="Amended")
    policy = ws.Policy.compile(charter, [a1, a2])
    assert policy.agreement_ids == (a1["id"],)
    fork = _amend(a1, title="Forked")
    with pytest.raises(ws.PolicyError, match="sound chain"):
        ws.Policy.compile(charter, [a1, a2, fork])
    with pytest.raises(ws.PolicyError, match="given twice"):
        ws.Policy.compile(charter, [ws.structure(a1, ws.Agreement)] * 2)


def test_endorsed_by_keyring_needs_each_amendment_agreed(charter: dict[str, Any]) -> None:
    """An agreement that dropped a party counts as endorsed only with that party's consent."""
    a1 = fx.endorsed(fx.agreement(charter), ("county", "police"))
    a2 = _amend(a1, parties=[p for p in a1["parties"] if p["organisation"] == "county"])
    alone = fx.endorsed(a2, ("county",))
    assert ws.endorsed_by_keyring(charter, [alone], RING, at=fx.NOW) == {a1["id"]: True}
    assert ws.endorsed_by_keyring(charter, [a1, alone], RING, at=fx.NOW) == {a1["id"]: False}
    agreed = fx.endorsed(alone, ("police",), amends=a1)
    assert ws.endorsed_by_keyring(charter, [agreed, a1], RING, at=fx.NOW) == {a1["id"]: True}
