"""Did-you-mean for undeclared ids and unknown legal bases, and no cascade from an unknown basis."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import EXAMPLE_TODAY
from woda_sharing import validate

Doc = dict[str, Any]


def _findings(charter: Doc, agreement: Doc) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in validate(agreement, charter=charter, today=EXAMPLE_TODAY):
        out.setdefault(f.code, []).append(f.message)
    return out


def test_an_undeclared_party_suggests_the_declared_one(charter: Doc, agreement: Doc) -> None:
    party = agreement["flows"][0]["to"]
    agreement["flows"][0]["to"] = party + "x"
    (message,) = _findings(charter, agreement)["WS101"]
    assert message.endswith(f"is not declared; did you mean {party!r}?")


def test_an_undeclared_item_suggests_the_declared_one(charter: Doc, agreement: Doc) -> None:
    item = agreement["flows"][0]["items"][0]
    agreement["flows"][0]["items"][0] = item + "s"
    messages = _findings(charter, agreement)["WS102"]
    assert any(m.endswith(f"did you mean {item!r}?") for m in messages)


def test_an_undeclared_purpose_suggests_the_declared_one(charter: Doc, agreement: Doc) -> None:
    purpose = agreement["flows"][0]["purposes"][0]
    agreement["flows"][0]["purposes"][0] = purpose + "s"
    messages = _findings(charter, agreement)["WS103"]
    assert any(m.endswith(f"did you mean {purpose!r}?") for m in messages)


def test_nothing_close_means_no_suggestion(charter: Doc, agreement: Doc) -> None:
    agreement["flows"][0]["to"] = "zzzzzzzz"
    (message,) = _findings(charter, agreement)["WS101"]
    assert message == "party 'zzzzzzzz' is not declared"


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("uk-gdpr-art-6-1-ee", "uk-gdpr-art-6-1-e"), ("uk-gdpr-art6-1-e", "uk-gdpr-art-6-1-e")],
    ids=["extra-letter", "missing-hyphen"],
)
def test_an_unknown_basis_suggests_a_catalogue_id_and_does_not_cascade(
    charter: Doc, agreement: Doc, typo: str, suggestion: str
) -> None:
    flow = agreement["flows"][0]
    assert "uk-gdpr-art-6-1-e" in flow["bases"]
    flow["bases"] = [typo if b == "uk-gdpr-art-6-1-e" else b for b in flow["bases"]]
    found = _findings(charter, agreement)
    (message,) = found["WS109"]
    assert message.endswith(f"did you mean {suggestion!r}?")
    assert "WS201" not in found  # the misspelt id is the one mistake: no "no Article 6 basis"


def test_a_flow_with_no_article_6_basis_at_all_still_gets_ws201(
    charter: Doc, agreement: Doc
) -> None:
    flow = agreement["flows"][0]
    flow["bases"] = [b for b in flow["bases"] if not b.startswith("uk-gdpr-art-6")]
    assert "WS201" in _findings(charter, agreement)


def _criminal_flow(agreement: Doc) -> dict[str, Any]:
    """Flow 0 also shares an offending flag, on complete bases."""
    agreement["items"].append(
        {"id": "offences", "title": "Offences", "category": "criminal-offence"}
    )
    agreement["purposes"][0]["needs"].append("offences")
    flow: dict[str, Any] = agreement["flows"][0]
    flow["items"].append("offences")
    flow["bases"] = ["uk-gdpr-art-6-1-e", "uk-gdpr-art-10-official-authority"]
    return flow


def _sensitive_flow(agreement: Doc, *, health: bool) -> dict[str, Any]:
    """Flow 0 also shares an offending flag and, with *health*, a health item, on complete bases."""
    flow = _criminal_flow(agreement)
    if health:
        agreement["items"].append(
            {
                "id": "health",
                "title": "Health",
                "category": "special-category",
                "special_category": "health",
            }
        )
        agreement["purposes"][0]["needs"].append("health")
        flow["items"].append("health")
        flow["bases"][1:1] = ["uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2"]
    return flow


_LEGAL = {"WS109", "WS201", "WS202", "WS203", "WS205"}


@pytest.mark.parametrize(
    ("correct", "typo", "health"),
    [
        pytest.param("uk-gdpr-art-9-2-h", "uk-gdpr-art-9-2-hh", True, id="art-9-no-ws202"),
        pytest.param("dpa-2018-sch-1-para-2", "dpa-2018-sch1-para-2", True, id="sch-1-no-ws203"),
        pytest.param(
            "uk-gdpr-art-10-official-authority",
            "uk-gdpr-art-10-oficial-authority",
            False,
            id="art-10-no-ws205",
        ),
    ],
)
def test_a_misspelt_sensitive_basis_is_one_finding(
    charter: Doc, agreement: Doc, correct: str, typo: str, health: bool
) -> None:
    flow = _sensitive_flow(agreement, health=health)
    assert not _LEGAL & set(_findings(charter, agreement))  # complete as written
    flow["bases"] = [typo if b == correct else b for b in flow["bases"]]
    found = _findings(charter, agreement)
    assert _LEGAL & set(found) == {"WS109"}
    (message,) = found["WS109"]
    assert message.endswith(f"did you mean {correct!r}?")


@pytest.mark.parametrize(
    ("dropped", "code", "health"),
    [
        pytest.param("uk-gdpr-art-9-2-h", "WS202", True, id="no-art-9"),
        pytest.param("dpa-2018-sch-1-para-2", "WS203", True, id="no-schedule-1"),
        pytest.param("uk-gdpr-art-10-official-authority", "WS205", False, id="no-art-10"),
    ],
)
def test_a_missing_sensitive_basis_is_still_reported(
    charter: Doc, agreement: Doc, dropped: str, code: str, health: bool
) -> None:
    flow = _sensitive_flow(agreement, health=health)
    flow["bases"].remove(dropped)
    assert code in _findings(charter, agreement)
