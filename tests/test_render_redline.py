"""Amendments as a redline: what was added, removed or changed between two versions."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from markdown_it import MarkdownIt

from tests._render_fixtures import HOSTILE, load
from woda_sharing import _canonical as canonical
from woda_sharing.render import Change, RenderError, diff, render_redline


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


def _by_subject(changes: tuple[Change, ...]) -> dict[str, Change]:
    return {c.subject: c for c in changes}


def test_the_diff_matches_lists_by_id_and_reports_each_change() -> None:
    old, new = _amended()
    redline = diff(old, new)
    changes = _by_subject(redline.changes)
    assert changes["party redditch-housing"].kind == "added"
    assert changes["data item housing-situation"].kind == "removed"
    assert changes["flow police-incident-notification, frequency"].old == "daily"
    assert changes["flow police-incident-notification, frequency"].new == "weekly"
    assert changes["breach, notify_within_hours"].new == "12"
    assert changes["version"].kind == "changed"
    assert changes["supersedes"].kind == "added"
    assert not any("endorsements" in s for s in changes)
    assert not any(s.startswith("flow ") and s.endswith(", id") for s in changes)
    assert redline.declared_amendment
    assert (redline.old_version, redline.new_version) == (1, 2)
    # Sections come in reading order: purpose, parties, data, ..., history.
    sections = list(dict.fromkeys(c.section for c in redline.changes))
    assert sections == [
        "Title and purpose",
        "Parties",
        "Data items",
        "Flows",
        "Personal data breaches",
        "Review, termination and history",
    ]


def test_changed_text_is_compared_word_by_word() -> None:
    change = Change(section="s", subject="x", kind="changed", old="a b c d", new="a x c d e")
    assert change.words == (
        ("equal", "a"),
        ("removed", "b"),
        ("added", "x"),
        ("equal", "c d"),
        ("added", "e"),
    )


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
    new["flows"][0]["method"] = HOSTILE
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
    changes = _by_subject(diff(old, new).changes)
    assert changes[f"member {old['members'][-1]['id']}"].kind == "removed"
    assert changes[f"principle {old['principles'][0]['id']}, text"].new == "Changed principle."


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
    with pytest.raises(RenderError, match="no canonical form"):
        diff(load("charter.json"), broken)


def test_values_of_every_shape_are_shown_as_text() -> None:
    old = load("early-help-families.json")
    new = copy.deepcopy(old)
    new["large_scale"] = True
    new["security"] = [*old["security"], "new measure"]
    new["extra"] = [{"a": 1}]
    changes = _by_subject(diff(old, new).changes)
    assert changes["large scale"].new == "yes"
    assert changes["security"].new.endswith("new measure")
    assert changes["extra"].new == '[{"a": 1}]'
    new.pop("breach")
    assert _by_subject(diff(old, new).changes)["breach"].kind == "removed"
