"""Version chains: no gaps, no forks, no rollback; endorsements never carry over."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests import _signing_fixtures as fx
from woda_sharing import _canonical as canonical
from woda_sharing._chain import check_chain, check_update, require_chain
from woda_sharing._signing import Status, verify
from woda_sharing.exceptions import ChainError, UsageError


def amend(previous: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc = {k: v for k, v in copy.deepcopy(previous).items() if k != "endorsements"}
    doc.update(changes)
    doc["version"] = previous["version"] + 1
    doc["supersedes"] = {"version": previous["version"], "digest": canonical.digest(previous)}
    return doc


V1 = fx.charter()
V2 = amend(V1, title="Second")
V3 = amend(V2, title="Third")


def test_sound_chain_in_any_order() -> None:
    result = check_chain([V3, V1, V2])
    assert result
    assert [link.version for link in result.links] == [1, 2, 3]
    assert result.latest is not None
    assert result.latest.digest == canonical.digest(V3)
    assert result.kind == "charter"
    assert result.id == "test-charter"
    assert require_chain([V1, V2]) == check_chain([V1, V2])


def test_endorsements_do_not_break_the_chain() -> None:
    endorsed_v1 = fx.endorsed(V1, ("county",))
    assert check_chain([endorsed_v1, V2])


@pytest.mark.parametrize(
    ("documents", "problem"),
    [
        pytest.param([V1, V3], "missing", id="gap"),
        pytest.param([V1, V2, amend(V1, title="Other")], "forked", id="fork"),
        pytest.param([V1, V1], "appears twice", id="duplicate"),
        pytest.param(
            [V1, {**V2, "supersedes": {"version": 1, "digest": "sha256:" + "0" * 64}}],
            "exact digest",
            id="wrong-digest",
        ),
        pytest.param(
            [V1, {k: v for k, v in V2.items() if k != "supersedes"}],
            "does not supersede",
            id="no-link",
        ),
        pytest.param([V1, {**V2, "id": "other"}], "not versions of one", id="other-id"),
        pytest.param(
            [{**V1, "supersedes": {"version": 1, "digest": "sha256:" + "0" * 64}}],
            "version 1 claims",
            id="v1-supersedes",
        ),
        pytest.param([{**V1, "version": "1"}], "no positive integer version", id="string-version"),
        pytest.param([{**V1, "version": 0}], "no positive integer version", id="version-0"),
        pytest.param(
            [{**V1, "version": -5}, amend({**V1, "version": -5})],
            "no positive integer version",
            id="negative-versions",
        ),
        pytest.param(
            [V1, {**V2, "supersedes": {"version": True, "digest": canonical.digest(V1)}}],
            "does not supersede",
            id="supersedes-version-true",
        ),
        pytest.param(
            [V1, {**V2, "supersedes": {**V2["supersedes"], "note": "x"}}],
            "does not supersede",
            id="supersedes-extra-member",
        ),
        pytest.param([{**V1, "kind": []}], "no string kind or id", id="unhashable-kind"),
        pytest.param([{**V1, "id": {"a": 1}}], "no string kind or id", id="unhashable-id"),
        pytest.param([V1, [1]], "not a JSON object", id="item-not-a-mapping"),
        pytest.param([{**V1, "x": 0.5}], "no canonical form", id="float"),
        pytest.param([], "empty", id="empty"),
    ],
)
def test_broken_chains(documents: list[dict[str, Any]], problem: str) -> None:
    result = check_chain(documents)
    assert not result
    assert result.latest is None
    assert any(problem in p for p in result.problems), result.problems
    with pytest.raises(ChainError, match=problem):
        require_chain(documents)


def test_update_forward() -> None:
    assert check_update(V1, V3, [V2])
    assert check_update(V2, V3)


@pytest.mark.parametrize(
    ("trusted", "candidate", "message"),
    [
        pytest.param(V2, V1, "rollback", id="rollback"),
        pytest.param(V2, V2, "trusted version itself", id="same"),
        pytest.param(V2, amend(V1, title="Other"), "fork", id="fork"),
        pytest.param(V1, V3, "missing", id="gap"),
        pytest.param(V1, {**V2, "version": None}, "integer version", id="no-version"),
        pytest.param({**V1, "version": 0}, V1, "positive integer version", id="version-0"),
        pytest.param(V1, {**V1, "x": 0.5}, "no canonical form", id="no-canonical-form"),
        pytest.param(V1, {**V2, "x": 0.5}, "no canonical form", id="no-canonical-form-newer"),
    ],
)
def test_update_refused(trusted: dict[str, Any], candidate: dict[str, Any], message: str) -> None:
    with pytest.raises(ChainError, match=message):
        check_update(trusted, candidate)


def test_endorsements_of_an_old_version_never_count_for_a_new_one() -> None:
    endorsed_v1 = fx.endorsed(V1, fx.MEMBERS)
    v2 = {**V2, "endorsements": endorsed_v1["endorsements"]}
    result = verify(v2, fx.keyring_for(), at=fx.NOW)
    assert not result
    assert {s.status for s in result.endorsements} == {Status.DOCUMENT_CHANGED}
    assert verify(fx.endorsed(V2, fx.MEMBERS), fx.keyring_for(), at=fx.NOW)


def test_update_of_something_that_is_not_a_document() -> None:
    with pytest.raises(UsageError):
        check_update(V1, [V2])  # type: ignore[arg-type]
