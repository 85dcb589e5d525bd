"""Conditions of use (issue 11, points 1-4): model, rules, compiled terms and decisions.

Each reason code DR012-DR018 has a case that is permitted without the
condition and refused with it, so that removing the check fails a test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from woda_sharing import _codec as codec
from woda_sharing._conditions import BUILTIN_ACTIONS, Obligation, vocabulary
from woda_sharing._decisions import Policy, Request
from woda_sharing._model import Action, Agreement, Charter, Conditions, Consent
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.cli import main
from woda_sharing.exceptions import UsageError
from woda_sharing.testing import example_agreement, example_charter

Doc = dict[str, Any]
ON = dt.date(2024, 6, 1)
REQ = Request(
    sender="district-council",
    recipient="county-council",
    items=("name", "address"),
    purpose="early-help",
    on=ON,
)
EXAMPLES = Path(__file__).parent.parent / "examples" / "worcestershire"
EXAMPLE = EXAMPLES / "child-health-safeguarding-and-research.json"


def agreement(
    flow: Doc | None = None, top: Doc | None = None, item: Doc | None = None, **extra: Any
) -> Doc:
    """The example agreement with conditions on its one flow, itself, or its item ``name``."""
    a = example_agreement()
    if flow is not None:
        a["flows"][0]["conditions"] = flow
    if top is not None:
        a["conditions"] = top
    if item is not None:
        a["items"][0]["conditions"] = item
    a.update(extra)
    return a


def policy(*agreements: Doc) -> Policy:
    return Policy.compile(example_charter(), agreements or (example_agreement(),))


def ask(p: Policy, **changes: Any) -> Any:
    """Decide REQ with *changes*, through decide and decide_many, which must agree."""
    r = REQ._replace(**changes)
    single = p.decide(r)
    assert p.decide_many([r]) == [single]
    return single


# --- the documents ----------------------------------------------------------------------------

FULL: Doc = {
    "permissions": [
        {"action": "research"},
        {"action": "aggregate", "duties": [{"action": "suppress-small-numbers"}]},
        {
            "action": "onward-disclosure",
            "under": ["test-agreement"],
            "duties": [{"action": "notify-sender-before-onward-disclosure", "party": "county"}],
        },
    ],
    "prohibitions": [{"action": "re-identify", "note": "never"}],
    "duties": [{"action": "delete-after-use"}],
    "consent": {"model": "opt-out", "overrides": ["safeguarding"], "national_opt_out": True},
    "triggers": ["marac-threshold"],
}


def test_conditions_validate_and_round_trip_through_the_codec() -> None:
    data = agreement(flow=FULL, top={"duties": [{"action": "record-reason-for-sharing"}]})
    report = validate(data, charter=CharterInfo.from_data(example_charter()), today=ON)
    assert report.ok, report.errors
    typed = codec.structure(data, Agreement)
    assert typed.flows[0].conditions is not None
    assert typed.flows[0].conditions.consent == Consent(
        model="opt-out", overrides=("safeguarding",), national_opt_out=True
    )
    wire = codec.unstructure(typed)
    assert wire["flows"][0]["conditions"] == FULL
    assert codec.structure(wire, Agreement) == typed


def test_a_document_without_conditions_keeps_its_wire_form() -> None:
    data = example_agreement()
    typed = codec.structure(data, Agreement)
    assert typed.conditions is None
    wire = codec.unstructure(typed)
    assert "conditions" not in wire
    assert "conditions" not in wire["flows"][0]
    assert "conditions" not in wire["items"][0]
    assert Conditions().empty
    assert not Conditions(triggers=("x",)).empty


@pytest.mark.parametrize(
    "conditions",
    [
        pytest.param({"consent": {"model": "sometimes"}}, id="unknown-consent-model"),
        pytest.param({"prohibitions": [{"action": "Research"}]}, id="action-not-an-id"),
        pytest.param({"triggers": []}, id="no-triggers"),
        pytest.param({"rules": []}, id="unknown-member"),
        pytest.param({"permissions": [{"action": "x", "under": []}]}, id="empty-under"),
    ],
)
def test_the_schema_refuses_malformed_conditions(conditions: Doc) -> None:
    report = validate(agreement(flow=conditions), charter=example_charter(), today=ON)
    assert not report.ok
    assert any(f.pointer.startswith("/flows/0/conditions") for f in report.errors)


# --- rules -------------------------------------------------------------------------------------


def codes(data: Doc, charter: Doc | None = None) -> dict[str, list[str]]:
    report = validate(data, charter=charter or example_charter(), today=ON)
    out: dict[str, list[str]] = {}
    for f in report.findings:
        if f.code.startswith("WS7"):
            out.setdefault(f.code, []).append(f.pointer)
    return out


@pytest.mark.parametrize(
    ("where", "conditions", "expected"),
    [
        pytest.param("flow", FULL, {}, id="clean"),
        pytest.param(
            "flow",
            {"prohibitions": [{"action": "flying"}]},
            {"WS701": ["/flows/0/conditions/prohibitions/0/action"]},
            id="unknown-action",
        ),
        pytest.param(
            "flow",
            {"consent": {"model": "explicit", "overrides": ["because"]}},
            {"WS701": ["/flows/0/conditions/consent/overrides/0"]},
            id="override-not-in-vocabulary",
        ),
        pytest.param(
            "top",
            {"triggers": ["delete-after-use"]},
            {"WS701": ["/conditions/triggers/0"]},
            id="duty-used-as-trigger",
        ),
        pytest.param(
            "item",
            {"duties": [{"action": "research"}]},
            {"WS701": ["/items/0/conditions/duties/0/action"]},
            id="use-as-duty",
        ),
        pytest.param(
            "top",
            {"duties": [{"action": "delete-after-use", "party": "nobody"}]},
            {"WS702": ["/conditions/duties/0/party"]},
            id="duty-of-no-party",
        ),
        pytest.param(
            "flow",
            {
                "permissions": [
                    {
                        "action": "research",
                        "duties": [{"action": "inform-the-person", "party": "x"}],
                    }
                ]
            },
            {"WS702": ["/flows/0/conditions/permissions/0/duties/0/party"]},
            id="permission-duty-of-no-party",
        ),
        pytest.param(
            "flow",
            {"permissions": [{"action": "research"}], "prohibitions": [{"action": "research"}]},
            {"WS703": ["/flows/0", "/flows/0"]},
            id="useless-flow",
        ),
        pytest.param(
            "flow",
            {
                "permissions": [{"action": "research"}, {"action": "aggregate"}],
                "prohibitions": [{"action": "aggregate"}],
            },
            {"WS703": ["/flows/0"]},
            id="permitted-and-prohibited",
        ),
        pytest.param(
            "flow",
            {"consent": {"model": "none", "overrides": ["safeguarding"]}},
            {"WS704": ["/flows/0/conditions/consent/overrides"]},
            id="override-without-effect",
        ),
        pytest.param(
            "flow",
            {"consent": {"model": "none", "overrides": ["safeguarding"], "national_opt_out": True}},
            {},
            id="override-of-the-national-opt-out",
        ),
    ],
)
def test_rules_catch_contradictions(
    where: str, conditions: Doc, expected: dict[str, list[str]]
) -> None:
    assert codes(agreement(**{where: conditions})) == expected


def test_a_duty_of_a_flow_is_for_one_of_its_two_parties() -> None:
    a = agreement(flow={"duties": [{"action": "delete-after-use", "party": "third"}]})
    a["parties"].append({"id": "third", "organisation": "police", "role": "controller"})
    assert codes(a) == {"WS702": ["/flows/0/conditions/duties/0/party"]}


def test_a_prohibition_at_the_agreement_level_contradicts_a_flow_permission() -> None:
    a = agreement(
        flow={"permissions": [{"action": "research"}]},
        item={"prohibitions": [{"action": "research"}]},
    )
    assert codes(a) == {"WS703": ["/flows/0", "/flows/0"]}


def charter_with(actions: list[Doc]) -> Doc:
    c = example_charter()
    c["actions"] = actions
    return c


def test_the_charter_extends_the_vocabulary() -> None:
    c = charter_with([{"id": "share-with-press", "title": "Talk to the press", "kind": "use"}])
    assert codes(c) == {}
    a = agreement(flow={"prohibitions": [{"action": "share-with-press"}]})
    assert codes(a) == {"WS701": ["/flows/0/conditions/prohibitions/0/action"]}
    a["charter"] = example_agreement(c)["charter"]
    assert codes(a, c) == {}
    typed = codec.structure(c, Charter)
    assert vocabulary(typed)["share-with-press"] == Action(
        id="share-with-press", title="Talk to the press", kind="use"
    )
    assert vocabulary(None) == dict(BUILTIN_ACTIONS)


def test_a_charter_action_may_not_replace_a_built_in_one_or_repeat() -> None:
    c = charter_with(
        [
            {"id": "research", "title": "Ours", "kind": "duty"},
            {"id": "mine", "title": "Mine", "kind": "duty"},
            {"id": "mine", "title": "Mine again", "kind": "duty"},
        ]
    )
    assert codes(c) == {"WS705": ["/actions/0/id", "/actions/2/id"]}
    # The built-in meaning stays, whatever the charter says.
    assert vocabulary(codec.structure(c, Charter))["research"].kind == "use"


def test_a_charter_condition_can_be_asserted_in_a_request() -> None:
    c = charter_with(
        [{"id": "mash-strategy-meeting", "title": "MASH meeting", "kind": "condition"}]
    )
    a = example_agreement(c)
    a["flows"][0]["conditions"] = {"triggers": ["mash-strategy-meeting"]}
    p = Policy.compile(c, [a])
    assert p.decide(REQ).codes == ("DR017",)
    assert p.decide(REQ._replace(conditions=("mash-strategy-meeting",)))


# --- decisions: one test per reason -----------------------------------------------------------


def test_dr012_a_prohibited_use_is_refused() -> None:
    p = policy(agreement(flow={"prohibitions": [{"action": "re-identify"}]}))
    assert ask(p, uses=("research",))
    d = ask(p, uses=("research", "re-identify"))
    assert d.codes == ("DR012",)
    assert "prohibits 're-identify'" in d.reasons[0].message
    assert d.reasons[0].agreements == ("test-agreement",)
    assert d.refused_items == ("name", "address")


def test_dr012_only_the_permitted_uses_and_a_use_must_be_stated() -> None:
    p = policy(agreement(top={"permissions": [{"action": "research"}, {"action": "aggregate"}]}))
    assert ask(p, uses=("research", "aggregate"))
    assert ask(p, uses=("planning",)).codes == ("DR012",)
    assert "states no use" in ask(p).reasons[0].message


def test_dr012_levels_narrow_the_permitted_uses() -> None:
    p = policy(
        agreement(
            top={"permissions": [{"action": "research"}, {"action": "aggregate"}]},
            item={"permissions": [{"action": "aggregate"}]},
        )
    )
    assert ask(p, uses=("aggregate",))
    d = ask(p, uses=("research",))
    assert d.codes == ("DR012",)
    assert d.refused_items == ("name",)  # only the item whose own conditions narrow the uses


def test_prohibitions_and_duties_come_back_with_a_permit() -> None:
    p = policy(agreement(flow=_without(FULL)))
    research = ask(p, uses=("research",))
    assert research
    assert research.prohibited == ("re-identify",)
    assert [o.action for o in research.obligations] == ["delete-after-use"]
    # A permitted use's own duties apply when the request states that use.
    d = ask(p, uses=("research", "aggregate"))
    assert d.obligations == (
        Obligation(
            action="delete-after-use",
            party="county-council",
            agreement="test-agreement",
            flow="referral",
        ),
        Obligation(
            action="suppress-small-numbers",
            party="county-council",
            agreement="test-agreement",
            flow="referral",
        ),
    )
    assert d.as_dict()["obligations"][1] == {
        "action": "suppress-small-numbers",
        "party": "county-council",
        "agreement": "test-agreement",
        "flow": "referral",
    }
    assert d.as_dict()["prohibited"] == ["re-identify"]
    # Equal answers are one shared object.
    assert ask(p, uses=("research", "aggregate")) is d


def _without(c: Doc) -> Doc:
    return {k: v for k, v in c.items() if k not in ("consent", "triggers")}


def test_a_request_that_states_nothing_still_gets_the_duties() -> None:
    p = policy(agreement(flow={"duties": [{"action": "delete-after-use", "party": "district"}]}))
    d = ask(p)
    assert d
    assert [(o.action, o.party) for o in d.obligations] == [
        ("delete-after-use", "district-council")
    ]


def test_dr013_onward_disclosure_must_be_permitted_by_the_source() -> None:
    onward = example_agreement()
    onward["id"] = "onward"
    onward["flows"][0] |= {"from": "county", "to": "district"}
    # Data came in to the county under test-agreement#referral; it goes back on under "onward".
    source = agreement(
        flow={
            "permissions": [
                {
                    "action": "onward-disclosure",
                    "under": ["onward"],
                    "duties": [{"action": "notify-sender-before-onward-disclosure"}],
                }
            ]
        }
    )
    p = policy(source, onward)
    back = REQ._replace(sender="county-council", recipient="district-council")
    assert p.decide(back)  # without saying where the data came from, only "onward" is asked
    d = p.decide(back._replace(received_under="test-agreement"))
    assert d
    assert [o.action for o in d.obligations] == ["notify-sender-before-onward-disclosure"]
    assert d.obligations[0].party == "county-council"
    assert p.decide(back._replace(received_under="test-agreement#referral")) == d
    # The sender did not receive anything under onward#referral (it sent it).
    d = p.decide(back._replace(received_under="onward#referral"))
    assert d.codes == ("DR013",)
    assert "did not receive" in d.reasons[0].message


@pytest.mark.parametrize(
    ("conditions", "fragment"),
    [
        pytest.param({}, "does not permit onward", id="silent-source"),
        pytest.param(
            {"prohibitions": [{"action": "onward-disclosure"}]},
            "does not permit onward",
            id="prohibited",
        ),
        pytest.param(
            {
                "permissions": [{"action": "onward-disclosure"}],
                "prohibitions": [{"action": "disclose-to-non-signatories"}],
            },
            "not a party",
            id="non-signatory",
        ),
        pytest.param(
            {"permissions": [{"action": "onward-disclosure", "under": ["elsewhere"]}]},
            "only under 'elsewhere'",
            id="under-another-agreement",
        ),
    ],
)
def test_dr013_refusals(conditions: Doc, fragment: str) -> None:
    onward = example_agreement()
    onward["id"] = "onward"
    onward["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
    onward["flows"][0] |= {"from": "county", "to": "police"}
    source = agreement(flow=conditions or {"duties": [{"action": "delete-after-use"}]})
    p = policy(source, onward)
    r = REQ._replace(sender="county-council", recipient="police")
    assert p.decide(r)
    d = p.decide(r._replace(received_under="test-agreement"))
    assert d.codes == ("DR013",), d.reasons
    assert fragment in d.reasons[0].message


def test_dr013_an_item_the_source_did_not_bring() -> None:
    source = agreement(flow={"permissions": [{"action": "onward-disclosure"}]})
    source["flows"][0]["items"] = ["name"]
    onward = example_agreement()
    onward["id"] = "onward"
    onward["flows"][0] |= {"from": "county", "to": "district"}
    p = policy(source, onward)
    r = REQ._replace(
        sender="county-council", recipient="district-council", received_under="test-agreement"
    )
    d = p.decide(r)
    assert d.codes == ("DR013",)
    assert d.refused_items == ("address",)


def test_dr012_the_source_prohibits_a_use_of_the_onward_recipient() -> None:
    source = agreement(
        flow={
            "permissions": [{"action": "onward-disclosure"}],
            "prohibitions": [{"action": "re-identify"}],
        }
    )
    onward = example_agreement()
    onward["id"] = "onward"
    onward["flows"][0] |= {"from": "county", "to": "district"}
    p = policy(source, onward)
    r = REQ._replace(
        sender="county-council", recipient="district-council", received_under="test-agreement"
    )
    assert p.decide(r._replace(uses=("research",)))
    assert p.decide(r._replace(uses=("re-identify",))).codes == ("DR012",)


@pytest.mark.parametrize(
    ("model", "state", "code"),
    [
        pytest.param("explicit", None, "DR014", id="explicit-none-recorded"),
        pytest.param("explicit", "national-opt-out", "DR014", id="explicit-opt-out-is-no-consent"),
        pytest.param("explicit", "refused", "DR015", id="explicit-refused"),
        pytest.param("explicit", "withdrawn", "DR015", id="explicit-withdrawn"),
        pytest.param("explicit", "consented", None, id="explicit-consented"),
        pytest.param("implied", None, None, id="implied-nothing-recorded"),
        pytest.param("implied", "refused", "DR015", id="implied-refused"),
        pytest.param("opt-out", "opted-out", "DR015", id="opt-out-opted-out"),
        pytest.param("opt-out", "consented", None, id="opt-out-consented"),
        pytest.param("none", "refused", None, id="none-refused"),
        pytest.param("none", "national-opt-out", None, id="national-opt-out-not-applicable"),
    ],
)
def test_consent_models(model: str, state: str | None, code: str | None) -> None:
    p = policy(agreement(flow={"consent": {"model": model, "overrides": ["court-order"]}}))
    d = ask(p, consent=state)
    assert d.codes == ((code,) if code else ())
    if code:  # an override the consent model names sets the objection aside, and says so
        assert not ask(p, consent=state, conditions=("safeguarding",))
        overridden = ask(p, consent=state, conditions=("safeguarding", "court-order"))
        assert overridden
        assert overridden.overrides == ("court-order",)


def test_dr016_the_national_data_opt_out() -> None:
    p = policy(
        agreement(
            flow={
                "consent": {
                    "model": "none",
                    "national_opt_out": True,
                    "overrides": ["s251-support"],
                }
            }
        )
    )
    assert ask(p, consent="refused")
    d = ask(p, consent="national-opt-out")
    assert d.codes == ("DR016",)
    assert "national data opt-out" in d.reasons[0].message
    assert ask(p, consent="national-opt-out", conditions=("s251-support",)).overrides == (
        "s251-support",
    )


def test_every_level_s_consent_must_be_met() -> None:
    p = policy(
        agreement(
            top={"consent": {"model": "implied"}},
            flow={"consent": {"model": "explicit", "overrides": ["safeguarding"]}},
        )
    )
    # The flow's explicit consent is overridden, but the agreement's implied consent is not.
    assert ask(p, consent="refused", conditions=("safeguarding",)).codes == ("DR015",)
    assert ask(p, consent="consented")


def test_dr017_a_case_by_case_flow_names_its_conditions() -> None:
    p = policy(agreement(flow={"triggers": ["marac-threshold", "s47-enquiry"]}))
    d = ask(p)
    assert d.codes == ("DR017",)
    assert "'marac-threshold', 's47-enquiry'" in d.reasons[0].message
    assert ask(p, conditions=("s47-enquiry",))
    assert ask(p, conditions=("lead-professional-request",)).codes == ("DR017",)


def test_a_systematic_flow_beside_a_case_by_case_one_permits_without_a_trigger() -> None:
    systematic = example_agreement()
    systematic["id"] = "systematic"
    p = policy(agreement(flow={"triggers": ["marac-threshold"]}), systematic)
    d = ask(p)
    assert d.agreements == ("systematic",)
    d = ask(p, conditions=("marac-threshold",))
    assert d.agreements == ("systematic", "test-agreement")


def test_dr018_unknown_uses_conditions_and_sources() -> None:
    p = policy()
    d = ask(p, uses=("flying",), conditions=("full-moon",), received_under="nowhere")
    assert d.codes == ("DR018", "DR018", "DR018")
    assert [r.message.split()[1] for r in d.reasons] == ["uses", "conditions", "source"]
    assert ask(p, uses=("research",), conditions=("safeguarding",))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        pytest.param({"uses": "research"}, "uses", id="uses-a-string"),
        pytest.param({"conditions": (1,)}, "conditions", id="condition-not-a-string"),
        pytest.param({"consent": "maybe"}, "consent", id="unknown-consent-state"),
        pytest.param({"received_under": 3}, "received_under", id="source-not-a-string"),
    ],
)
def test_malformed_condition_members_raise_usage_error(changes: Doc, match: str) -> None:
    p = policy()
    with pytest.raises(UsageError, match=match):
        p.decide(REQ._replace(**changes))
    with pytest.raises(UsageError, match=match):
        p.decide_many([REQ._replace(**changes)])


def test_lists_are_accepted_for_uses_and_conditions() -> None:
    p = policy(agreement(flow={"triggers": ["marac-threshold"]}))
    r = REQ._replace(uses=["research"], conditions=["marac-threshold"])  # type: ignore[arg-type]
    assert p.decide(r)
    assert p.decide_many([r, r])[0]


def test_requests_with_conditions_stay_hashable_and_old_requests_unchanged() -> None:
    assert len(Request._fields) == 11
    r = Request("a", "b", ("i",), "p", ON)
    assert (r.uses, r.received_under, r.consent, r.conditions) == ((), None, None, ())
    assert hash(r) == hash(Request("a", "b", ("i",), "p", ON, None, None, (), None, None, ()))


def test_conditions_are_in_the_compiled_index() -> None:
    p = policy(agreement(item={"prohibitions": [{"action": "re-identify"}]}))
    index = p.index
    ((ref, item),) = index.terms
    assert (str(ref), item) == ("test-agreement#referral", "name")
    runs = index.answers[("district-council", None, "county-council", None, "early-help")]
    assert runs["name"][0][3] == ((ref, index.terms[(ref, item)]),)
    assert runs["address"][0][3] is None  # no conditions: the quick path answers it
    (entry,) = index.pairs[("district-council", None, "county-council", None)]["name"]["early-help"]
    assert entry.terms is index.terms[(ref, item)]
    assert set(index.sources) == {"test-agreement", "test-agreement#referral"}
    assert "research" in index.uses
    assert "safeguarding" in index.conditions
    assert "delete-after-use" not in index.uses | index.conditions


# --- the command line and the example --------------------------------------------------------


def _check(*args: str) -> list[str]:
    return [
        "check",
        "--charter",
        str(EXAMPLES / "charter.json"),
        "--agreement",
        str(EXAMPLE),
        "--on",
        "2026-12-01",
        *args,
    ]


REFERRAL = (
    "--from",
    "worcestershire-acute-hospitals",
    "--to",
    "worcestershire-county-council:childrens-services",
    "--item",
    "child-identity",
    "safeguarding-concern",
    "--purpose",
    "safeguarding-children",
)
RESEARCH = (
    "--from",
    "worcestershire-acute-hospitals",
    "--to",
    "worcestershire-county-council:public-health",
    "--item",
    "admission-records",
    "--purpose",
    "population-health-analysis",
)
ONWARD = (
    "--from",
    "worcestershire-county-council:public-health",
    "--to",
    "nhs-herefordshire-worcestershire-icb",
    "--item",
    "admission-records",
    "--purpose",
    "population-health-analysis",
    "--use",
    "research",
)


@pytest.mark.parametrize(
    ("args", "code", "lines"),
    [
        pytest.param(
            (*REFERRAL, "--consent", "refused"), 1, ["  DR015 'child-identity'"], id="refused"
        ),
        pytest.param(
            (*REFERRAL, "--consent", "refused", "--condition", "safeguarding"),
            0,
            [
                "  override safeguarding: the person's objection is set aside",
                (
                    "  obligation record-reason-for-sharing: worcestershire-acute-hospitals"
                    " (from child-health-safeguarding-and-research#safeguarding-referral)"
                ),
            ],
            id="safeguarding-override",
        ),
        pytest.param(
            (*RESEARCH, "--use", "research", "aggregate", "--consent", "national-opt-out"),
            1,
            ["  DR016 'admission-records'"],
            id="national-opt-out",
        ),
        pytest.param(
            (*RESEARCH, "--use", "research", "decide-about-individuals"),
            1,
            ["  DR012 'admission-records'"],
            id="research-only",
        ),
        pytest.param(
            (*RESEARCH, "--use", "research", "aggregate"),
            0,
            [
                (
                    "  prohibited: decide-about-individuals, disclose-to-non-signatories,"
                    " re-identify, release-record-level"
                )
            ],
            id="research-with-aggregation",
        ),
        pytest.param(
            (*ONWARD, "--received-under", "child-health-safeguarding-and-research"),
            0,
            ["  obligation notify-sender-before-onward-disclosure"],
            id="onward-chain",
        ),
        pytest.param(
            (
                *ONWARD,
                "--received-under",
                "child-health-safeguarding-and-research#safeguarding-referral",
            ),
            1,
            ["  DR013 'admission-records'"],
            id="onward-chain-broken",
        ),
    ],
)
def test_check_with_conditions(
    args: tuple[str, ...], code: int, lines: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_check(*args)) == code
    out = capsys.readouterr().out.splitlines()
    for line in lines:
        assert any(o.startswith(line) for o in out), out


def test_check_json_carries_the_request_s_conditions(capsys: pytest.CaptureFixture[str]) -> None:
    args = (*REFERRAL, "--consent", "refused", "--condition", "safeguarding", "--format", "json")
    assert main(_check(*args)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["request"]["consent"] == "refused"
    assert out["request"]["conditions"] == ["safeguarding"]
    assert out["overrides"] == ["safeguarding"]
    assert out["obligations"][0]["action"] == "record-reason-for-sharing"


def test_check_refuses_an_unknown_consent_state(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(_check(*REFERRAL, "--consent", "perhaps"))
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_example_uses_every_kind_of_condition() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    typed = codec.structure(data, Agreement)
    found: list[Conditions] = [
        c
        for c in (
            typed.conditions,
            *(f.conditions for f in typed.flows),
            *(i.conditions for i in typed.items),
        )
        if c is not None
    ]
    assert any(c.consent and c.consent.model == "explicit" and c.consent.overrides for c in found)
    assert any(c.consent and c.consent.national_opt_out for c in found)
    assert any(c.triggers for c in found)
    assert any(p.action == "onward-disclosure" for c in found for p in c.permissions)
    assert any(p.action == "re-identify" for c in found for p in c.prohibitions)


def test_policies_without_conditions_have_no_terms() -> None:
    index = policy().index
    assert index.terms == {}
    assert all(
        run[3] is None
        for by_item in index.answers.values()
        for runs in by_item.values()
        for run in runs
    )
    assert copy.copy(REQ) == REQ


def test_the_command_line_offers_every_consent_state() -> None:
    from woda_sharing._conditions import CONSENT_STATES
    from woda_sharing.cli._check import CONSENT_CHOICES

    assert tuple(sorted(CONSENT_STATES)) == CONSENT_CHOICES


def test_the_service_reads_the_conditions_a_request_states() -> None:
    from woda_sharing.service._wire import Problem, parse_one

    body = {
        "sender": "district-council",
        "recipient": "county-council",
        "items": ["name"],
        "purpose": "early-help",
        "uses": ["research"],
        "received_under": "test-agreement#referral",
        "consent": "refused",
        "conditions": ["safeguarding"],
    }
    request, behalf = parse_one(json.dumps(body).encode(), ON)
    assert behalf == "district-council"
    assert (request.uses, request.received_under, request.consent, request.conditions) == (
        ("research",),
        "test-agreement#referral",
        "refused",
        ("safeguarding",),
    )
    bare, _ = parse_one(json.dumps({k: body[k] for k in list(body)[:4]}).encode(), ON)
    assert bare == REQ._replace(items=("name",))
    for bad, words in (
        ({"consent": "perhaps"}, "consent is one of"),
        ({"uses": "research"}, "uses is an array"),
        ({"conditions": [1]}, "conditions holds strings"),
    ):
        with pytest.raises(Problem, match=words):
            parse_one(json.dumps(body | bad).encode(), ON)
