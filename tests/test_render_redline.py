"""Amendments as a redline: what was added, removed or changed between two versions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests._render_fixtures import HOSTILE, load
from woda_sharing import Difference, DifferenceKind
from woda_sharing import _canonical as canonical
from woda_sharing import diff as semantic_diff
from woda_sharing.render import RenderError, diff, render_redline
from woda_sharing.render._redline import section_of


def _amended() -> tuple[dict[str, Any], dict[str, Any]]:
    old = load("early-help-families.json")
    new = copy.deepcopy(old)
    new["version"] = 2
    new["supersedes"] = {"version": 1, "digest": canonical.digest(old)}
    new["description"] = old["description"].replace("Wyre Forest", "Wyre Forest and Redditch", 1)
    new["parties"].append(
        {"id": "redditch-housing", "organisation": "redditch-borough-council", "role": "controller"}
    )
    new["items"] = [i for i in new["items"] if i["id"] != "housing-situation"]
    new["flows"][1]["frequency"] = "weekly"
    new["flows"].reverse()  # order alone is not a change
    new["breach"]["notify_within_hours"] = 12
    new["endorsements"] = []  # not signed content
    return old, new


def _by_detail(changes: tuple[Difference, ...]) -> dict[str, Difference]:
    return {c.detail: c for c in changes}


def test_the_redline_is_the_semantic_diff_in_sections() -> None:
    old, new = _amended()
    redline = diff(old, new)
    assert redline.changes == tuple(
        sorted(semantic_diff(old, new).changes, key=lambda c: _rank(section_of(c)))
    )
    changes = _by_detail(redline.changes)
    party = changes["party 'redditch-housing' (redditch-borough-council, controller) added"]
    assert party.kind is DifferenceKind.ADDED
    assert party.widens
    assert "redditch-borough-council" in (party.new or "")
    item = next(
        c for c in redline.changes if c.subject == "item" and "housing-situation" in c.detail
    )
    assert item.kind is DifferenceKind.REMOVED
    frequency = next(
        c
        for c in redline.changes
        if "police-incident-notification" in c.detail and "frequency" in c.detail
    )
    assert (frequency.old, frequency.new) == ("daily", "weekly")
    breach = next(c for c in redline.changes if c.pointer == "/breach")
    assert "notify_within_hours: 12" in (breach.new or "")
    assert not [
        c
        for c in redline.changes
        if c.pointer.startswith(("/version", "/supersedes", "/endorsements"))
    ]
    assert not any(c.detail.endswith(", id changed") for c in redline.changes)
    assert redline.declared_amendment
    assert (redline.old_version, redline.new_version) == (1, 2)
    assert redline.widening == tuple(c for c in redline.changes if c.widens)
    # Sections come in reading order: purpose, parties, data, flows, breaches.
    assert list(redline.sections) == [
        "Title and purpose",
        "Parties",
        "Data items",
        "Flows",
        "Personal data breaches",
    ]


def _rank(section: str) -> int:
    order = ["Title and purpose", "Parties", "Data items", "Flows", "Personal data breaches"]
    return order.index(section) if section in order else len(order)


def test_changed_text_is_compared_word_by_word() -> None:
    change = Difference(
        kind=DifferenceKind.CHANGED,
        subject="x",
        pointer="/x",
        detail="x",
        old="a b c d",
        new="a x c d e",
    )
    assert change.words == (
        ("equal", "a"),
        ("removed", "b"),
        ("added", "x"),
        ("equal", "c d"),
        ("added", "e"),
    )


@pytest.mark.parametrize(
    ("pointer", "section"),
    [
        ("/flows/0/bases", "Flows"),
        ("/waivers/1", "Accepted findings (waivers)"),
        ("/new_member", "New member"),
        ("", "The whole document"),
    ],
)
def test_each_change_has_a_section(pointer: str, section: str) -> None:
    change = Difference(kind=DifferenceKind.ADDED, subject="x", pointer=pointer, detail="x")
    assert section_of(change) == section


def test_an_amendment_that_does_not_name_the_old_version_says_so() -> None:
    old, new = _amended()
    new["supersedes"]["digest"] = "sha256:" + "0" * 64
    assert not diff(old, new).declared_amendment
    html = render_redline(old, new).decode("utf-8")
    assert "does not declare that it amends version 1" in html


def test_identical_versions_have_no_changes() -> None:
    old = load("charter.json")
    assert diff(old, copy.deepcopy(old)).changes == ()
    assert "nothing in the signed content changed" in render_redline(old, old).decode()


def test_the_html_redline_strikes_and_underlines() -> None:
    old, new = _amended()
    html = render_redline(old, new).decode("utf-8")
    assert "<del>daily</del>" in html
    assert "<ins>weekly</ins>" in html
    assert "Wyre <del>Forest.</del> <ins>Forest and Redditch.</ins>" in html
    assert canonical.digest(old) in html
    assert canonical.digest(new) in html
    assert '<html lang="en-GB">' in html


def test_the_markdown_redline() -> None:
    old, new = _amended()
    text = render_redline(old, new, format="markdown").decode("utf-8")
    assert "~~daily~~ **weekly**" in text
    assert "## Flows" in text


def test_hostile_text_in_a_redline_stays_text() -> None:
    old, new = _amended()
    new["title"] = HOSTILE
    new["items"][0]["title"] = HOSTILE  # a flow's method is an enum now: free text is elsewhere
    html = render_redline(old, new).decode("utf-8")
    assert "<script>" not in html
    assert "<img" not in html
    md = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(render_redline(old, new, format="markdown").decode("utf-8"))
    )
    assert "<script>" not in md
    assert "<img" not in md


def test_a_charter_amendment() -> None:
    old = load("charter.json")
    new = copy.deepcopy(old)
    new["version"] = 2
    new["principles"][0]["text"] = "Changed principle."
    new["members"] = new["members"][:-1]
    redline = diff(old, new)
    member = next(c for c in redline.changes if c.subject == "member")
    assert member.kind is DifferenceKind.REMOVED
    assert old["members"][-1]["id"] in member.detail
    assert member.widens
    principle = _by_detail(redline.changes)[
        f"principle {old['principles'][0]['id']!r}, text changed"
    ]
    assert principle.new == "Changed principle."
    html = render_redline(old, new).decode("utf-8")
    assert "of which 1 widens the sharing or weakens a safeguard" in html


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param([], {}, "JSON object", id="not-mapping"),
        pytest.param({"kind": "keyring"}, {}, "not a charter or an agreement", id="kind"),
        pytest.param({"kind": "charter"}, {}, "no id or version", id="no-version"),
    ],
)
def test_what_cannot_be_compared_raises(old: Any, new: Any, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        diff(old, new)


def test_two_different_documents_cannot_be_compared() -> None:
    with pytest.raises(RenderError, match="different documents"):
        diff(load("charter.json"), load("early-help-families.json"))
    broken = load("charter.json")
    broken["review_interval_months"] = 1.5
    with pytest.raises(RenderError, match="cannot be compared"):
        diff(load("charter.json"), broken)
    unknown = load("charter.json")
    unknown["extra"] = [{"a": 1}]
    with pytest.raises(RenderError, match="cannot be compared"):
        diff(load("charter.json"), unknown)


def test_values_of_every_shape_are_shown_as_text() -> None:
    old = load("early-help-families.json")
    new = copy.deepcopy(old)
    new["large_scale"] = True
    new["security"] = [*old["security"], "new measure"]
    new["parties"][0]["contacts"] = [{"role": "dpo", "post": "DPO"}]
    changes = {c.pointer: c for c in diff(old, new).changes}
    assert changes["/large_scale"].new == "yes"
    assert changes["/security"].new.endswith("new measure")
    assert changes["/parties/0/contacts"].new == '[{"post": "DPO", "role": "dpo"}]'
    new.pop("breach")
    removed = next(c for c in diff(old, new).changes if c.pointer == "/breach")
    assert removed.kind is DifferenceKind.REMOVED
    assert removed.widens
