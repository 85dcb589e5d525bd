"""Tests for woda_sharing._decisions: compiled policies and run-time sharing decisions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from woda_sharing import _codec as codec
from woda_sharing import _decisions as decisions
from woda_sharing._canonical import digest
from woda_sharing._decisions import (
    REASONS,
    Decision,
    FlowRef,
    IndexEntry,
    Policy,
    PolicyIndex,
    Request,
    parse_party,
    reason_table,
)
from woda_sharing._model import (
    Agreement,
    Charter,
    CharterPurpose,
    CharterRef,
    Conditions,
    Consent,
    DataItem,
    Duty,
    EndorsementRule,
    Flow,
    Member,
    Party,
    Permission,
    Prohibition,
    Purpose,
    Role,
    Sector,
)
from woda_sharing._validation import CharterInfo
from woda_sharing.exceptions import PolicyError, UsageError
from woda_sharing.rules import builtin_catalogue
from woda_sharing.testing import example_agreement, example_charter

ON = dt.date(2024, 6, 1)  # the example agreement runs from 2024-02-01, review 2025-01-31
REQ = Request(
    sender="district-council",
    recipient="county-council",
    items=("name", "address"),
    purpose="early-help",
    on=ON,
)
Doc = dict[str, Any]


def typed(data: Doc) -> Agreement:
    """Type an agreement without validating it, to reach states validation would refuse."""
    return codec.structure(data, Agreement)


def compile_(*agreements: Doc | Agreement, **options: Any) -> Policy:
    return Policy.compile(example_charter(), agreements or (example_agreement(),), **options)


# --- permitted ------------------------------------------------------------------------------


def test_permitted_names_agreement_flow_and_resolved_bases() -> None:
    decision = compile_().decide(REQ)
    assert decision
    assert decision.permitted
    assert decision.reasons == ()
    assert decision.refused_items == ()
    assert decision.flows == (FlowRef(agreement="test-agreement", flow="referral"),)
    assert decision.agreements == ("test-agreement",)
    (basis,) = decision.bases
    assert basis == builtin_catalogue()["uk-gdpr-art-6-1-e"]
    assert "6(1)(e)" in basis.citation


def test_default_deny_other_direction() -> None:
    decision = compile_().decide(REQ._replace(sender=REQ.recipient, recipient=REQ.sender))
    assert not decision
    assert decision.codes == ("DR001",)
    assert decision.refused_items == ("name", "address")


def test_equal_permitted_outcomes_share_one_object() -> None:
    policy = compile_()
    assert policy.decide(REQ) is policy.decide(REQ._replace(items=("address", "name")))
    assert policy.decide(REQ) is policy.decide(REQ._replace(items=["name", "address"]))  # type: ignore[arg-type]


def test_decision_is_immutable() -> None:
    decision = compile_().decide(REQ)
    with pytest.raises(AttributeError):
        decision.permitted = False  # type: ignore[misc]


def test_agreement_local_legal_basis_resolves() -> None:
    agreement = example_agreement()
    agreement["legal_bases"] = [
        {
            "id": "local-gateway",
            "title": "A local gateway",
            "citation": "Example Act 2020 s.1",
            "basis": {
                "type": "statutory-gateway",
                "act": "Example Act 2020",
                "section": "1",
                "nature": "power",
            },
        }
    ]
    agreement["flows"][0]["bases"].append("local-gateway")
    decision = compile_(agreement).decide(REQ)
    assert [b.id for b in decision.bases] == ["uk-gdpr-art-6-1-e", "local-gateway"]
    assert decision.bases[1].citation == "Example Act 2020 s.1"


# --- each refusal reason --------------------------------------------------------------------


def _second_flow(agreement: Doc, **changes: Any) -> Doc:
    flow = {**agreement["flows"][0], "id": "second", **changes}
    agreement["flows"].append(flow)
    return agreement


def _add_item(agreement: Doc, item: str, *, needed: bool = True) -> Doc:
    agreement["items"].append({"id": item, "title": item, "category": "personal"})
    if needed:
        agreement["purposes"][0]["needs"].append(item)
    return agreement


def _dr002(a: Doc) -> tuple[Doc, Request]:
    return _add_item(a, "dob"), REQ._replace(items=("name", "dob"))


def _dr003(a: Doc) -> tuple[Doc, Request]:
    a["purposes"].append({"id": "crime-prevention", "needs": ["name"]})
    return a, REQ._replace(purpose="crime-prevention", items=("name",))


def _dr010(a: Doc) -> tuple[Doc, Request]:
    a["purposes"][0]["needs"] = ["name"]
    return a, REQ


def _dr007(a: Doc) -> tuple[Doc, Request]:
    a["parties"][0]["organisation"] = "outsider"
    return a, REQ._replace(recipient="outsider")


def _dr009_org(a: Doc) -> tuple[Doc, Request]:
    return a, REQ._replace(sender="nobody")


def _dr009_capacity(a: Doc) -> tuple[Doc, Request]:
    return a, REQ._replace(sender_capacity="revenues")


def _dr009_item(a: Doc) -> tuple[Doc, Request]:
    return a, REQ._replace(items=("name", "shoe-size"))


def _dr009_purpose(a: Doc) -> tuple[Doc, Request]:
    return a, REQ._replace(purpose="marketing")


def _dr011(a: Doc) -> tuple[Doc, Request]:
    return a, REQ._replace(items=())


def _dr004(a: Doc) -> tuple[Doc, Request]:
    return a, REQ._replace(on=dt.date(2024, 1, 31))


def _dr005(a: Doc) -> tuple[Doc, Request]:
    return a, REQ._replace(on=dt.date(2025, 2, 1))


CASES: list[tuple[str, Callable[[Doc], tuple[Doc, Request]], tuple[str, ...], tuple[str, ...]]] = [
    ("DR002-item-not-carried", _dr002, ("DR002",), ("dob",)),
    ("DR003-purpose-not-covered", _dr003, ("DR003",), ("name",)),
    ("DR004-before-start", _dr004, ("DR004",), ("name", "address")),
    ("DR005-past-review", _dr005, ("DR005",), ("name", "address")),
    ("DR007-not-a-member", _dr007, ("DR007",), ("name", "address")),
    ("DR009-unknown-organisation", _dr009_org, ("DR009",), ("name", "address")),
    ("DR009-unknown-capacity", _dr009_capacity, ("DR009",), ("name", "address")),
    ("DR009-unknown-item", _dr009_item, ("DR009",), ("name", "shoe-size")),
    ("DR009-unknown-purpose", _dr009_purpose, ("DR009",), ("name", "address")),
    ("DR010-not-needed", _dr010, ("DR010",), ("address",)),
    ("DR011-no-items", _dr011, ("DR011",), ()),
]


@pytest.mark.parametrize(
    ("make", "codes", "refused"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refusal_reason(
    make: Callable[[Doc], tuple[Doc, Request]], codes: tuple[str, ...], refused: tuple[str, ...]
) -> None:
    agreement, request = make(example_agreement())
    decision = compile_(typed(agreement)).decide(request)
    assert not decision
    assert decision.codes == codes
    assert decision.refused_items == refused
    assert decision.flows == ()
    assert decision.bases == ()
    assert all(r.code in REASONS and r.message for r in decision.reasons)


def test_unknown_identifiers_are_all_reported() -> None:
    request = REQ._replace(sender="x", recipient="y", items=("z",), purpose="w")
    decision = compile_().decide(request)
    assert decision.codes == ("DR009",) * 4
    messages = " ".join(r.message for r in decision.reasons)
    for name in ("'x'", "'y'", "'z'", "'w'"):
        assert name in messages
    assert [r.items for r in decision.reasons if r.items] == [("z",)]


def test_several_failing_conditions_are_all_reported() -> None:
    agreement = example_agreement()
    agreement["end"] = "2024-12-31"
    request = REQ._replace(on=dt.date(2025, 2, 1))
    decision = compile_(agreement, endorsed={}).decide(request)
    assert decision.codes == ("DR004", "DR005", "DR006")
    assert all(r.agreements == ("test-agreement",) for r in decision.reasons)
    assert all(r.items == ("name", "address") for r in decision.reasons)


@pytest.mark.parametrize(
    ("on", "codes"),
    [(dt.date(2025, 1, 31), ("DR006",)), (dt.date(2025, 2, 1), ("DR005", "DR006"))],
    ids=["review-day", "day-after-review"],
)
def test_review_reason_only_after_the_review_day(on: dt.date, codes: tuple[str, ...]) -> None:
    assert compile_(endorsed={}).decide(REQ._replace(on=on)).codes == codes


# --- multi-item rule ------------------------------------------------------------------------


def test_multi_item_permitted_only_if_every_item_is() -> None:
    agreement = _add_item(example_agreement(), "dob")
    policy = compile_(agreement)
    assert policy.decide(REQ)
    decision = policy.decide(REQ._replace(items=("name", "dob", "address")))
    assert not decision
    assert decision.refused_items == ("dob",)
    (reason,) = decision.reasons
    assert reason.code == "DR002"
    assert reason.items == ("dob",)


def test_items_from_two_flows_each_permitted() -> None:
    agreement = _add_item(example_agreement(), "dob")
    _second_flow(agreement, items=["dob"])
    decision = compile_(agreement).decide(REQ._replace(items=("name", "dob")))
    assert decision
    assert [f.flow for f in decision.flows] == ["referral", "second"]


def test_mixed_reasons_across_items() -> None:
    agreement = _add_item(example_agreement(), "dob", needed=False)
    _add_item(agreement, "nhs-number")
    _second_flow(agreement, items=["dob"])
    decision = compile_(typed(agreement)).decide(REQ._replace(items=("name", "dob", "nhs-number")))
    assert decision.codes == ("DR002", "DR010")
    assert decision.refused_items == ("dob", "nhs-number")


# --- dates ----------------------------------------------------------------------------------

DATES = [
    ("day-before-start", dt.date(2024, 1, 31), ("DR004",)),
    ("start-day", dt.date(2024, 2, 1), ()),
    ("end-day", dt.date(2024, 9, 30), ()),
    ("day-after-end", dt.date(2024, 10, 1), ("DR004",)),
    ("review-day", dt.date(2025, 1, 31), ("DR004",)),
]


@pytest.mark.parametrize(("on", "codes"), [d[1:] for d in DATES], ids=[d[0] for d in DATES])
def test_dates_with_end(on: dt.date, codes: tuple[str, ...]) -> None:
    agreement = example_agreement()
    agreement["end"] = "2024-09-30"
    decision = compile_(agreement).decide(REQ._replace(on=on))
    assert decision.codes == codes
    assert bool(decision) is (codes == ())


@pytest.mark.parametrize(
    ("on", "permitted"),
    [(dt.date(2025, 1, 31), True), (dt.date(2025, 2, 1), False)],
    ids=["review-day", "day-after-review"],
)
def test_review_date_is_the_last_permitted_day(on: dt.date, permitted: bool) -> None:
    assert bool(compile_().decide(REQ._replace(on=on))) is permitted


def test_a_later_agreement_covers_after_the_first_lapses() -> None:
    later = example_agreement()
    later["id"] = "renewed"
    later["start"] = "2025-02-01"
    later["review"] = "2026-01-31"
    policy = compile_(typed(example_agreement()), typed(later))
    decision = policy.decide(REQ._replace(on=dt.date(2025, 6, 1)))
    assert decision.agreements == ("renewed",)
    assert policy.decide(REQ).agreements == ("test-agreement",)


# --- endorsement ----------------------------------------------------------------------------

ENDORSED: list[tuple[str, Any, bool]] = [
    ("not-required", None, True),
    ("mapping-true", {"test-agreement": True}, True),
    ("mapping-false", {"test-agreement": False}, False),
    ("mapping-missing", {"other": True}, False),
    ("mapping-truthy-not-true", {"test-agreement": 1}, False),
    ("callable-true", lambda a: a.id == "test-agreement", True),
    ("callable-false", lambda a: False, False),
]


@pytest.mark.parametrize(
    ("endorsed", "permitted"), [e[1:] for e in ENDORSED], ids=[e[0] for e in ENDORSED]
)
def test_endorsement_requirement(endorsed: Any, permitted: bool) -> None:
    policy = compile_(endorsed=endorsed)
    decision = policy.decide(REQ)
    assert bool(decision) is permitted
    assert policy.endorsement_required is (endorsed is not None)
    if not permitted:
        assert decision.codes == ("DR006",)
        assert decision.reasons[0].agreements == ("test-agreement",)


def test_endorsed_agreement_wins_over_unendorsed_one() -> None:
    other = example_agreement()
    other["id"] = "unendorsed"
    policy = compile_(example_agreement(), other, endorsed={"test-agreement": True})
    assert policy.decide(REQ).agreements == ("test-agreement",)


def test_keyring_adapter_verifies_endorsements() -> None:
    keys = pytest.importorskip("woda_sharing._keys")
    keyring = pytest.importorskip("woda_sharing._keyring")
    signing = pytest.importorskip("woda_sharing._signing")
    utc = dt.UTC
    charter = example_charter()
    agreement = example_agreement(charter)
    ring = keyring.new_keyring("test")
    signed = agreement
    for org in ("county-council", "district-council"):
        signer = keys.generate_signer("Ed25519")
        ring = keyring.add_key(
            ring, org, signer.public_jwk, not_before=dt.datetime(2024, 1, 1, tzinfo=utc)
        )
        half = signed
        signed = signing.endorse(
            signed,
            signer,
            organisation=org,
            role="siro",
            signed_at=dt.datetime(2024, 3, 1, tzinfo=utc),
        )
    at = dt.datetime(2024, 6, 1, tzinfo=utc)
    assert signing.endorsed_by_keyring(charter, [signed], ring, at=at) == {"test-agreement": True}
    assert signing.endorsed_by_keyring(charter, [half], ring, at=at) == {"test-agreement": False}
    endorsed = signing.endorsed_by_keyring(charter, [half], ring, at=at)
    assert Policy.compile(charter, [half], endorsed=endorsed).decide(REQ).codes == ("DR006",)
    endorsed = signing.endorsed_by_keyring(charter, [signed], ring, at=at)
    assert Policy.compile(charter, [signed], endorsed=endorsed).decide(REQ)


# --- capacities -----------------------------------------------------------------------------


def _dual_hatter(*, capacity_basis: str | None) -> Doc:
    agreement = example_agreement()
    agreement["parties"] = [
        {
            "id": "housing",
            "organisation": "district-council",
            "capacity": "housing",
            "role": "controller",
        },
        {
            "id": "revenues",
            "organisation": "district-council",
            "capacity": "revenues",
            "role": "controller",
        },
    ]
    agreement["flows"][0]["from"] = "housing"
    agreement["flows"][0]["to"] = "revenues"
    if capacity_basis:
        agreement["flows"][0]["capacity_basis"] = capacity_basis
    return agreement


CROSS = REQ._replace(
    recipient="district-council", sender_capacity="housing", recipient_capacity="revenues"
)


def test_cross_capacity_with_its_own_basis_is_permitted() -> None:
    decision = compile_(_dual_hatter(capacity_basis="lga-1972-s111")).decide(CROSS)
    assert decision
    assert [b.id for b in decision.bases] == ["uk-gdpr-art-6-1-e", "lga-1972-s111"]


def test_cross_capacity_without_basis_is_refused() -> None:
    decision = compile_(typed(_dual_hatter(capacity_basis=None))).decide(CROSS)
    assert decision.codes == ("DR008",)


def test_cross_capacity_without_basis_does_not_compile_from_wire() -> None:
    with pytest.raises(PolicyError, match="WS403"):
        compile_(_dual_hatter(capacity_basis=None))


CAPACITY_MISMATCH = [
    ("reverse", CROSS._replace(sender_capacity="revenues", recipient_capacity="housing"), "DR001"),
    ("no-capacities", CROSS._replace(sender_capacity=None, recipient_capacity=None), "DR001"),
    ("same-capacity", CROSS._replace(recipient_capacity="housing"), "DR001"),
    ("case-differs", CROSS._replace(sender_capacity="Housing"), "DR009"),
]


@pytest.mark.parametrize(
    ("request_", "code"), [c[1:] for c in CAPACITY_MISMATCH], ids=[c[0] for c in CAPACITY_MISMATCH]
)
def test_capacities_match_exactly(request_: Request, code: str) -> None:
    decision = compile_(_dual_hatter(capacity_basis="lga-1972-s111")).decide(request_)
    assert decision.codes == (code,)


# --- compiling ------------------------------------------------------------------------------


def test_compiles_typed_documents() -> None:
    charter = codec.structure(example_charter(), Charter)
    policy = Policy.compile(charter, [typed(example_agreement())])
    assert policy.decide(REQ)
    assert policy.members == {"county-council", "district-council", "police"}
    assert "early-help" in policy.purposes
    assert policy.items == {"name", "address"}
    assert "agreements=1 flows=1" in repr(policy)


def test_compiles_with_a_prepared_charter_info() -> None:
    info = CharterInfo.from_data(example_charter())
    assert Policy.compile(info, [example_agreement()]).decide(REQ)


def _mismatched_charter(a: Doc) -> Doc:
    a["charter"]["version"] = 2
    return a


def _unknown_basis(a: Doc) -> Doc:
    a["flows"][0]["bases"] = ["no-such-basis"]
    return a


def _missing_party(a: Doc) -> Doc:
    a["flows"][0]["to"] = "ghost"
    return a


BAD = [
    ("other-charter-version", _mismatched_charter, "version 2"),
    ("unknown-basis", _unknown_basis, "no-such-basis"),
    ("missing-party", _missing_party, "does not list"),
]


@pytest.mark.parametrize(("mutate", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_compile_refuses_inconsistent_typed_agreements(
    mutate: Callable[[Doc], Doc], match: str
) -> None:
    with pytest.raises(PolicyError, match=match):
        compile_(typed(mutate(example_agreement())))


@pytest.mark.parametrize(("mutate", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_compile_refuses_invalid_wire_agreements(mutate: Callable[[Doc], Doc], match: str) -> None:
    with pytest.raises(PolicyError, match="is not valid"):
        compile_(mutate(example_agreement()))


def test_compile_refuses_duplicate_agreement_ids() -> None:
    with pytest.raises(PolicyError, match="given twice"):
        compile_(example_agreement(), example_agreement())


def test_compile_refuses_invalid_charter() -> None:
    charter = example_charter()
    del charter["members"]
    with pytest.raises(PolicyError, match="charter is not valid"):
        Policy.compile(charter, [])


def test_compile_accepts_agreement_past_its_review_date() -> None:
    # Validation today would flag WS303; the policy judges review dates per decision instead.
    agreement = example_agreement()
    agreement["review"] = "2020-01-01"
    agreement["start"] = "2019-01-01"  # after its bases came into force (WS213)
    agreement["dpia"]["completed"] = "2018-12-01"
    assert compile_(agreement).decide(REQ).codes == ("DR005",)


@pytest.mark.parametrize(
    ("charter", "agreements"),
    [("not a charter", []), (example_charter(), ["not an agreement"])],
    ids=["charter", "agreement"],
)
def test_compile_usage_errors(charter: Any, agreements: Any) -> None:
    with pytest.raises(UsageError):
        Policy.compile(charter, agreements)


def test_policy_cannot_be_built_directly() -> None:
    with pytest.raises(UsageError, match=r"Policy\.compile"):
        Policy()


# --- requests -------------------------------------------------------------------------------

_ANY: Any = REQ  # malformed on purpose: typed as Any so the checker lets them through

MALFORMED: list[tuple[str, Any]] = [
    ("items-a-string", _ANY._replace(items="name")),
    ("items-not-strings", _ANY._replace(items=("name", 1))),
    ("datetime-not-date", _ANY._replace(on=dt.datetime(2024, 6, 1, tzinfo=dt.UTC))),
    ("date-a-string", _ANY._replace(on="2024-06-01")),
    ("sender-none", _ANY._replace(sender=None)),
    ("capacity-an-int", _ANY._replace(sender_capacity=3)),
    ("not-a-tuple", {"sender": "x"}),
    ("too-short", ("a", "b")),
]


@pytest.mark.parametrize("request_", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_requests_raise_usage_error(request_: Any) -> None:
    policy = compile_()
    with pytest.raises(UsageError):
        policy.decide(request_)
    with pytest.raises(UsageError):
        policy.decide_many([REQ, request_])


def test_plain_tuple_request_is_accepted() -> None:
    assert compile_().decide(tuple(REQ))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("police", ("police", None)),
        ("district:county", ("district", "county")),
        ("a:b:c", ("a", "b:c")),
    ],
    ids=["org", "org-capacity", "colon-in-capacity"],
)
def test_parse_party(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_party(text) == expected


@pytest.mark.parametrize("text", ["", ":cap", "org:"], ids=["empty", "no-org", "empty-capacity"])
def test_parse_party_refuses(text: str) -> None:
    with pytest.raises(UsageError):
        parse_party(text)


def test_reason_table_lists_every_code_once_in_order() -> None:
    table = reason_table()
    codes = [code for code, _ in table]
    assert codes == sorted(REASONS)
    assert len(set(codes)) == len(codes)
    assert all(summary for _, summary in table)
    assert codes[0] == "DR001"


def test_as_dict_round_trips_the_answer() -> None:
    out = compile_().decide(REQ._replace(items=("name", "nope"))).as_dict()
    assert out["permitted"] is False
    assert out["refused_items"] == ["name", "nope"]
    assert out["reasons"][0]["code"] == "DR009"
    good = compile_().decide(REQ).as_dict()
    assert good["flows"] == [{"agreement": "test-agreement", "flow": "referral"}]
    assert good["bases"][0]["id"] == "uk-gdpr-art-6-1-e"


# --- batches --------------------------------------------------------------------------------


def _mixed_requests() -> list[Request]:
    return [
        REQ,
        REQ._replace(on=dt.date(2025, 6, 1)),
        REQ._replace(sender="nobody"),
        REQ,
        REQ._replace(items=("name",)),
        REQ._replace(sender=REQ.recipient, recipient=REQ.sender),
    ]


def test_batch_gives_the_same_answers_as_single_decisions() -> None:
    policy = compile_()
    requests = _mixed_requests()
    batch = policy.decide_many(requests)
    assert batch == [policy.decide(r) for r in requests]
    assert [bool(d) for d in batch] == [True, False, False, True, True, False]
    assert batch[0] is batch[3]
    assert policy.decide_many(requests) == batch  # warm memo, same answers


def test_batch_accepts_any_iterable_and_unhashable_requests() -> None:
    policy = compile_()
    requests = _mixed_requests()
    assert policy.decide_many(iter(requests)) == policy.decide_many(requests)
    as_lists = [r._replace(items=list(r.items)) for r in requests]  # type: ignore[arg-type]
    assert policy.decide_many(as_lists) == policy.decide_many(requests)


def test_batch_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decisions, "_MEMO_LIMIT", 4)
    policy = compile_()
    requests = [REQ._replace(on=ON + dt.timedelta(days=n)) for n in range(3)]
    policy.decide_many(requests)
    size_before = len(policy._memo)
    policy.decide_many([REQ._replace(on=ON - dt.timedelta(days=n + 1)) for n in range(3)])
    assert size_before == 3
    assert len(policy._memo) == 3  # cleared, then refilled with the new batch


def test_permitted_requests_share_their_decision() -> None:
    # A permitted request is answered from the index, alone or in a batch, with the same
    # decision object every time.
    policy = compile_()
    requests = [REQ._replace(on=ON + dt.timedelta(days=n)) for n in range(3)]
    first = policy.decide_many(requests)
    assert all(first)
    assert [policy.decide(r) for r in requests] == first
    assert all(a is b for a, b in zip(policy.decide_many(requests), first, strict=True))
    assert all(policy.decide(r) is d for r, d in zip(requests, first, strict=True))


# --- property: the compiled policy agrees with a plain scan ---------------------------------

ORGS = ("a", "b")
CAPACITIES = (None, "k1", "k2")
ITEMS = ("i1", "i2", "i3", "i4")
PURPOSES = ("p1", "p2", "p3")
DAY0 = dt.date(2024, 1, 1)
BASIS = "uk-gdpr-art-6-1-e"

CHARTER = Charter(
    id="c",
    version=1,
    title="c",
    effective=DAY0,
    members=tuple(Member(id=o, name=o, sector=Sector.OTHER, public_authority=True) for o in ORGS),
    principles=(),
    purposes=tuple(CharterPurpose(id=p, title=p) for p in PURPOSES[:2]),
    controls=(),
    endorsement=EndorsementRule(rule="all-members", roles=("siro",)),
    review_interval_months=12,
)

days = st.integers(0, 12).map(lambda n: DAY0 + dt.timedelta(days=n))

USES = ("research", "aggregate", "re-identify")
NAMED = ("safeguarding", "marac-threshold")
STATES = (None, "consented", "refused", "opted-out", "national-opt-out")


@st.composite
def conditions_(draw: st.DrawFn) -> Conditions | None:
    """Conditions of use, mostly none, drawn from a small vocabulary so that requests meet them."""
    if draw(st.integers(0, 2)) != 0:
        return None
    duty = Duty(action="delete-after-use")
    permissions = [
        Permission(action=u, duties=draw(st.sampled_from(((), (duty,)))))
        for u in draw(st.lists(st.sampled_from(USES[:2]), unique=True, max_size=2))
    ]
    if draw(st.booleans()):
        under = draw(st.lists(st.sampled_from(("ag0", "ag1", "ag2")), unique=True, max_size=2))
        permissions.append(Permission(action="onward-disclosure", under=tuple(under)))
    prohibitions = draw(
        st.lists(
            st.sampled_from((*USES, "onward-disclosure", "disclose-to-non-signatories")),
            unique=True,
            max_size=1,
        )
    )
    consent = draw(
        st.none()
        | st.builds(
            Consent,
            model=st.sampled_from(("none", "implied", "explicit", "opt-out")),
            overrides=st.lists(st.sampled_from(NAMED), unique=True, max_size=1).map(tuple),
            national_opt_out=st.booleans(),
        )
    )
    return Conditions(
        permissions=tuple(permissions),
        prohibitions=tuple(Prohibition(action=p) for p in prohibitions),
        duties=draw(st.sampled_from(((), (Duty(action="record-reason-for-sharing"),)))),
        consent=consent,
        triggers=draw(st.sampled_from(((), (), (NAMED[1],), NAMED))),
    )


def after(start: dt.date) -> st.SearchStrategy[dt.date]:
    """A date from a day before *start* to a fortnight after it."""
    return st.integers(-1, 14).map(lambda n: start + dt.timedelta(days=n))


@st.composite
def agreements_(draw: st.DrawFn, index: int) -> Agreement:
    parties = draw(
        st.lists(
            st.tuples(st.sampled_from((*ORGS, *ORGS, *ORGS, "x")), st.sampled_from(CAPACITIES)),
            min_size=2,
            max_size=3,
            unique=True,
        )
    )
    ids = [f"q{n}" for n in range(len(parties))]
    items = draw(st.lists(st.sampled_from(ITEMS), min_size=1, unique=True))
    purposes = draw(st.lists(st.sampled_from(PURPOSES), min_size=1, unique=True))
    flows = []
    for n in range(draw(st.integers(1, 4))):
        src, dst = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        flows.append(
            Flow(
                id=f"f{n}",
                source=src,
                recipient=dst,
                items=tuple(draw(st.lists(st.sampled_from(items), min_size=1, unique=True))),
                purposes=tuple(draw(st.lists(st.sampled_from(purposes), min_size=1, unique=True))),
                bases=(BASIS,),
                frequency="daily",
                method="api",
                capacity_basis=draw(st.sampled_from((None, "lga-1972-s111"))),
                conditions=draw(conditions_()),
            )
        )
    start = draw(days)
    return Agreement(
        id=f"ag{index}",
        version=1,
        title="t",
        charter=CharterRef(id="c", version=1, digest=""),
        parties=tuple(
            Party(id=i, organisation=o, capacity=c, role=Role.CONTROLLER)
            for i, (o, c) in zip(ids, parties, strict=True)
        ),
        purposes=tuple(
            Purpose(
                id=p,
                needs=tuple(
                    draw(
                        st.just(items)
                        | st.just(items)
                        | st.lists(st.sampled_from(items), unique=True)
                    )
                ),
            )
            for p in purposes
        ),
        items=tuple(
            DataItem(id=i, title=i, category=Category_PERSONAL, conditions=draw(conditions_()))
            for i in items
        ),
        flows=tuple(flows),
        conditions=draw(conditions_()),
        start=start,
        end=draw(st.none() | after(start)),
        review=draw(st.none() | after(start)),
    )


from woda_sharing._model import Category  # noqa: E402 - kept beside its one use

Category_PERSONAL = Category.PERSONAL


@st.composite
def requests_(draw: st.DrawFn, agreements: Sequence[Agreement]) -> Request:
    """Mostly questions about the agreements' own flows and dates, sometimes anything at all."""
    pairs = [(a, {p.id: p for p in a.parties}, f) for a in agreements for f in a.flows]
    agreement, parties, flow = draw(st.sampled_from(pairs))
    src, dst = parties[flow.source], parties[flow.recipient]
    chains = [
        (a1, f1, a2, f2, sorted(set(f1.items) & set(f2.items)))
        for a1, p1, f1 in pairs
        for a2, p2, f2 in pairs
        if (p1[f1.recipient].organisation, p1[f1.recipient].capacity)
        == (p2[f2.source].organisation, p2[f2.source].capacity)
        and set(f1.items) & set(f2.items)
    ]
    if chains and draw(st.integers(0, 2)) == 0:  # an onward disclosure along a chain of flows
        a1, f1, a2, f2, common = draw(st.sampled_from(chains))
        p2 = {p.id: p for p in a2.parties}
        return Request(
            sender=p2[f2.source].organisation,
            sender_capacity=p2[f2.source].capacity,
            recipient=p2[f2.recipient].organisation,
            recipient_capacity=p2[f2.recipient].capacity,
            items=tuple(draw(st.lists(st.sampled_from(common), min_size=1, max_size=2))),
            purpose=draw(st.sampled_from(f2.purposes)),
            on=draw(st.sampled_from((a2.start, a1.start, max(a1.start, a2.start)))),
            uses=draw(st.sampled_from(((), ("research",), USES[:2]))),
            received_under=draw(st.sampled_from((a1.id, f"{a1.id}#{f1.id}"))),
            conditions=NAMED,
            consent=draw(st.sampled_from(STATES)),
        )
    if draw(st.integers(0, 3)) == 0:
        anything = st.sampled_from((*ORGS, "x", "zz"))
        capacity = st.sampled_from((*CAPACITIES, "k9"))
        return Request(
            sender=draw(anything),
            sender_capacity=draw(capacity),
            recipient=draw(anything),
            recipient_capacity=draw(capacity),
            items=tuple(draw(st.lists(st.sampled_from((*ITEMS, "i9")), max_size=3))),
            purpose=draw(st.sampled_from((*PURPOSES, "p9"))),
            on=draw(days),
        )
    edges = [d for d in (agreement.start, agreement.end, agreement.review) if d is not None]
    near = st.sampled_from(edges).flatmap(
        lambda d: st.sampled_from((d - dt.timedelta(days=1), d, d + dt.timedelta(days=1)))
    )
    sources = [a.id for a in agreements] + [f"{a.id}#{f.id}" for a in agreements for f in a.flows]
    # Mostly flows that brought data to the sender, so that chains are often sound.
    sources += [
        ref
        for a in agreements
        for f in a.flows
        for p in a.parties
        if p.id == f.recipient and (p.organisation, p.capacity) == (src.organisation, src.capacity)
        for ref in (a.id, f"{a.id}#{f.id}") * 3
    ]
    return Request(
        uses=draw(st.sampled_from(((), ("research",), USES[:2], USES[1:]))),
        consent=draw(st.sampled_from(STATES)),
        conditions=draw(st.sampled_from(((), NAMED, NAMED[:1], NAMED[1:]))),
        received_under=draw(st.none() | st.none() | st.sampled_from(sources)),
        sender=src.organisation,
        sender_capacity=src.capacity,
        recipient=dst.organisation,
        recipient_capacity=dst.capacity,
        items=tuple(draw(st.lists(st.sampled_from(flow.items), min_size=1, max_size=2))),
        purpose=draw(st.sampled_from(flow.purposes)),
        on=draw(near | days),
    )


def scan(  # noqa: PLR0912, PLR0915 - the oracle is deliberately one plain, literal function
    charter: Charter,
    agreements: Sequence[Agreement],
    endorsed: dict[str, bool] | None,
    r: Request,
) -> tuple[Any, ...]:
    """The obvious answer: look at every flow of every agreement, one item at a time.

    A permit also gives the obligations, overrides and prohibited uses, as sets.
    """
    members = {m.id for m in charter.members}
    all_parties = [(p.organisation, p.capacity) for a in agreements for p in a.parties]
    orgs = members | {o for o, _ in all_parties}
    items = list(dict.fromkeys(r.items))
    codes: list[str] = []
    for org, cap in ((r.sender, r.sender_capacity), (r.recipient, r.recipient_capacity)):
        if org not in orgs:
            codes.append("DR009")
        elif org not in members:
            codes.append("DR007")
        elif cap is not None and (org, cap) not in all_parties:
            codes.append("DR009")
    if any(i not in {d.id for a in agreements for d in a.items} for i in items):
        codes.append("DR009")
    if r.purpose not in {p.id for p in charter.purposes} | {
        p.id for a in agreements for p in a.purposes
    }:
        codes.append("DR009")
    if not items:
        codes.append("DR011")
    if codes:
        return False, tuple(sorted(set(codes))), tuple(items), ()

    def party(a: Agreement, pid: str) -> tuple[str, str | None]:
        p = next(p for p in a.parties if p.id == pid)
        return p.organisation, p.capacity

    between = [
        (a, f)
        for a in agreements
        for f in a.flows
        if party(a, f.source) == (r.sender, r.sender_capacity)
        and party(a, f.recipient) == (r.recipient, r.recipient_capacity)
    ]
    if not between:
        return False, ("DR001",), tuple(items), ()
    found: set[str] = set()
    refused: list[str] = []
    permits: set[FlowRef] = set()
    duties: set[tuple[str, str, str, str]] = set()
    overrides: set[str] = set()
    prohibited: set[str] = set()
    for item in items:
        carrying = [(a, f) for a, f in between if item in f.items]
        for_purpose = [(a, f) for a, f in carrying if r.purpose in f.purposes]
        needed = [
            (a, f)
            for a, f in for_purpose
            if any(p.id == r.purpose and item in p.needs for p in a.purposes)
        ]
        if not carrying or not for_purpose or not needed:
            found.add("DR002" if not carrying else "DR003" if not for_purpose else "DR010")
            refused.append(item)
            continue
        allowed: set[str] | None = None
        if r.received_under is not None:
            code, allowed = _came_in(agreements, r, item, party)
            if code is not None:
                found.add(code)
                refused.append(item)
                continue
        ok = False
        item_failing: set[str] = set()
        for a, f in needed:
            failing = set()
            if r.on < a.start or (a.end is not None and r.on > a.end):
                failing.add("DR004")
            if a.review is not None and r.on > a.review:
                failing.add("DR005")
            if endorsed is not None and not endorsed.get(a.id, False):
                failing.add("DR006")
            src, dst = party(a, f.source), party(a, f.recipient)
            if src[0] == dst[0] and src[1] != dst[1] and f.capacity_basis is None:
                failing.add("DR008")
            used: list[str] = []
            if not failing and allowed is not None and a.id not in allowed:
                failing.add("DR013")
            elif not failing:
                code = _condition_code(_levels(a, f, item), r, used)
                if code is not None:
                    failing.add(code)
            if not failing:
                ok = True
                permits.add(FlowRef(agreement=a.id, flow=f.id))
                levels = _levels(a, f, item)
                overrides.update(used)
                prohibited.update(p.action for c in levels for p in c.prohibitions)
                who = "{}:{}".format(*dst) if dst[1] is not None else dst[0]
                duties.update((d.action, who, a.id, f.id) for c in levels for d in c.duties)
                duties.update(
                    (d.action, who, a.id, f.id)
                    for c in levels
                    for p in c.permissions
                    if p.action in r.uses
                    for d in p.duties
                )
            else:
                item_failing |= failing
        if not ok:  # a permitted item gives no reasons, whatever other flows fail
            found |= item_failing
            refused.append(item)
    if refused:
        return False, tuple(sorted(found)), tuple(refused), ()
    flows = tuple(sorted(permits, key=lambda f: (f.agreement, f.flow)))
    return True, (), (), flows, duties, overrides, prohibited


def _levels(a: Agreement, f: Flow, item: str) -> list[Conditions]:
    declared = next((i for i in a.items if i.id == item), None)
    found = (a.conditions, f.conditions, declared.conditions if declared else None)
    return [c for c in found if c is not None and not c.empty]


def _use_code(levels: list[Conditions], uses: tuple[str, ...]) -> str | None:
    prohibited = {p.action for c in levels for p in c.prohibitions}
    permitted = [
        {p.action for p in c.permissions if p.action != "onward-disclosure"} for c in levels
    ]
    permitted = [p for p in permitted if p]
    if any(u in prohibited for u in uses):
        return "DR012"
    if permitted and (not uses or any(not all(u in p for p in permitted) for u in uses)):
        return "DR012"
    return None


def _condition_code(levels: list[Conditions], r: Request, used: list[str]) -> str | None:
    """The first condition of use of a flow that *r* does not meet, literally."""
    code = _use_code(levels, r.uses)
    if code is not None:
        return code
    for c in levels:
        if c.triggers and not set(c.triggers) & set(r.conditions):
            return "DR017"
    for c in levels:
        if c.consent is None:
            continue
        k = c.consent
        code = None
        if r.consent == "national-opt-out" and k.national_opt_out:
            code = "DR016"
        elif k.model == "explicit" and r.consent != "consented":
            code = "DR015" if r.consent in ("refused", "withdrawn", "opted-out") else "DR014"
        elif k.model in ("implied", "opt-out") and r.consent in (
            "refused",
            "withdrawn",
            "opted-out",
        ):
            code = "DR015"
        if code is not None:
            override = [o for o in k.overrides if o in r.conditions]
            if not override:
                return code
            used.append(override[0])
    return None


def _came_in(
    agreements: Sequence[Agreement],
    r: Request,
    item: str,
    party: Callable[[Agreement, str], tuple[str, str | None]],
) -> tuple[str | None, set[str] | None]:
    """Whether *item* may go on from where it came in: a failing code, or the agreements allowed."""
    ident, _, flow = (r.received_under or "").partition("#")
    sources = [
        (a, f)
        for a in agreements
        if a.id == ident
        for f in a.flows
        if (not flow or f.id == flow) and party(a, f.recipient) == (r.sender, r.sender_capacity)
    ]
    carrying = [(a, f) for a, f in sources if item in f.items]
    if not carrying:
        return "DR013", None
    allowed: set[str] | None = None
    for n, (a, f) in enumerate(carrying):
        levels = _levels(a, f, item)
        onward = [p for c in levels for p in c.permissions if p.action == "onward-disclosure"]
        prohibited = {p.action for c in levels for p in c.prohibitions}
        if not onward or "onward-disclosure" in prohibited:
            return "DR013", None
        signatories = {p.organisation for p in a.parties}
        if "disclose-to-non-signatories" in prohibited and r.recipient not in signatories:
            return "DR013", None
        if _use_code(levels, r.uses) is not None:
            return "DR012", None
        under = None if any(not p.under for p in onward) else {u for p in onward for u in p.under}
        if n == 0 or allowed is None:
            allowed = under
        elif under is not None:
            allowed &= under
    return None, allowed


def _summary(d: Decision) -> tuple[Any, ...]:
    if not d.permitted:
        return d.permitted, tuple(sorted(set(d.codes))), d.refused_items, d.flows
    duties = {(o.action, o.party, o.agreement, o.flow) for o in d.obligations}
    return True, (), (), d.flows, duties, set(d.overrides), set(d.prohibited)


@settings(max_examples=60, deadline=None)
@given(
    agreements=st.integers(1, 3).flatmap(lambda n: st.tuples(*(agreements_(i) for i in range(n)))),
    endorsed=st.none()
    | st.dictionaries(st.sampled_from(("ag0", "ag1", "ag2")), st.booleans() | st.just(True)),
    data=st.data(),
)
def test_compiled_policy_agrees_with_a_plain_scan(
    agreements: tuple[Agreement, ...], endorsed: dict[str, bool] | None, data: st.DataObject
) -> None:
    requests = data.draw(st.lists(requests_(agreements), min_size=5, max_size=25))
    policy = Policy.compile(CHARTER, agreements, endorsed=endorsed)
    expected = [scan(CHARTER, agreements, endorsed, r) for r in requests]
    assert [_summary(policy.decide(r)) for r in requests] == expected
    assert [_summary(d) for d in policy.decide_many(requests)] == expected


@settings(max_examples=30, deadline=None)
@given(agreements=st.tuples(agreements_(0), agreements_(1)))
def test_every_flow_permits_what_it_carries_while_in_force(agreements: Iterable[Agreement]) -> None:
    agreements = tuple(agreements)
    policy = Policy.compile(CHARTER, agreements)
    for a in agreements:
        if a.end is not None and a.end < a.start:
            continue
        parties = {p.id: p for p in a.parties}
        for f in a.flows:
            src, dst = parties[f.source], parties[f.recipient]
            if src.organisation == "x" or dst.organisation == "x":
                continue
            for purpose in f.purposes:
                needs = next(p.needs for p in a.purposes if p.id == purpose)
                for item in set(f.items) & set(needs):
                    crossing = src.organisation == dst.organisation and src.capacity != dst.capacity
                    if (a.review is not None and a.review < a.start) or (
                        crossing and f.capacity_basis is None
                    ):
                        continue
                    request = Request(
                        sender=src.organisation,
                        sender_capacity=src.capacity,
                        recipient=dst.organisation,
                        recipient_capacity=dst.capacity,
                        items=(item,),
                        purpose=purpose,
                        on=a.start,
                    )
                    if _condition_code(_levels(a, f, item), request, []) is not None:
                        continue  # its conditions of use ask for more than a bare request
                    decision = policy.decide(request)
                    assert decision, decision.reasons
                    assert FlowRef(agreement=a.id, flow=f.id) in decision.flows


def test_clashing_legal_basis_entries_are_a_policy_error() -> None:
    charter = example_charter()
    agreement = example_agreement(charter)
    agreement["legal_bases"] = [
        {
            "id": "uk-gdpr-art-6-1-e",
            "title": "clash",
            "citation": "clash",
            "basis": {"type": "uk-gdpr-art6", "point": "a"},
        }
    ]
    typed = codec.structure(agreement, Agreement)
    with pytest.raises(PolicyError, match="uk-gdpr-art-6-1-e"):
        Policy.compile(charter, [typed])


# --- the compiled index ----------------------------------------------------------------------

PAIR = ("district-council", None, "county-council", None)
REFERRAL = FlowRef(agreement="test-agreement", flow="referral")


def test_index_is_a_frozen_value_the_policy_holds() -> None:
    index = compile_().index
    assert isinstance(index, PolicyIndex)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        index.charter_id = "other"  # type: ignore[misc]
    assert index.charter_id == "test-charter"
    assert index.agreement_ids == ("test-agreement",)
    assert not index.endorsement_required
    assert index.known_parties == {("county-council", None), ("district-council", None)}
    assert index.good_parties >= {("county-council", None), ("police", None)}
    assert index.items == {"name", "address"}


def test_index_entries_and_windows() -> None:
    index = compile_().index
    assert list(index.pairs) == [PAIR]
    (entry,) = index.pairs[PAIR]["name"]["early-help"]
    assert entry == IndexEntry(
        agreement="test-agreement",
        ref=REFERRAL,
        start=dt.date(2024, 2, 1),
        end=None,
        review=dt.date(2025, 1, 31),
        needed=True,
        endorsed=True,
        capacity_ok=True,
        bases=(builtin_catalogue()["uk-gdpr-art-6-1-e"],),
    )
    # The fast path keeps the window up to the review date, for entries that can permit.
    assert index.windows[(PAIR, "name", "early-help")] == (
        (dt.date(2024, 2, 1), dt.date(2025, 1, 31), REFERRAL),
    )
    assert index.flow_bases[REFERRAL] == entry.bases
    # The same window, arranged per pair and purpose, then item, for single lookups.
    assert index.answers[(*PAIR, "early-help")]["name"] == (
        (dt.date(2024, 2, 1), dt.date(2025, 1, 31), frozenset({REFERRAL}), None),
    )


def test_index_leaves_unendorsed_entries_out_of_the_fast_path() -> None:
    index = compile_(endorsed={}).index
    assert index.endorsement_required
    (entry,) = index.pairs[PAIR]["name"]["early-help"]
    assert not entry.endorsed
    assert index.windows == {}
    assert index.answers == {}


_A, _B, _C = (FlowRef(agreement=a, flow="f") for a in "abc")


def _d(day: int) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=day)


@pytest.mark.parametrize(
    ("windows", "runs"),
    [
        pytest.param([(_d(0), _d(9), _A)], [(_d(0), _d(9), {_A})], id="one"),
        pytest.param([(_d(9), _d(0), _A)], [], id="one-empty"),
        pytest.param(
            [(_d(0), _d(9), _A), (_d(5), _d(14), _B)],
            [(_d(0), _d(4), {_A}), (_d(5), _d(9), {_A, _B}), (_d(10), _d(14), {_B})],
            id="overlapping",
        ),
        pytest.param(
            [(_d(0), _d(2), _A), (_d(5), dt.date.max, _B)],
            [(_d(0), _d(2), {_A}), (_d(5), dt.date.max, {_B})],
            id="gap-and-open-end",
        ),
        pytest.param(
            [(_d(0), _d(9), _A), (_d(3), _d(3), _B), (_d(9), _d(0), _C)],
            [(_d(0), _d(2), {_A}), (_d(3), _d(3), {_A, _B}), (_d(4), _d(9), {_A})],
            id="nested-and-empty",
        ),
    ],
)
def test_runs_of_days_with_the_same_flows(
    windows: list[tuple[dt.date, dt.date, FlowRef]],
    runs: list[tuple[dt.date, dt.date, set[FlowRef]]],
) -> None:
    assert decisions._runs(windows) == tuple((a, b, frozenset(f)) for a, b, f in runs)


def test_policy_is_built_from_an_index_with_the_same_answers() -> None:
    info = CharterInfo.from_data(example_charter())
    agreement = codec.structure(example_agreement(), Agreement)
    index = PolicyIndex.build(info.charter, [agreement])
    assert index != compile_().index  # built from typed documents, it knows no digests
    assert {d.digest for d in index.documents} == {None}
    digests = {"test-charter": info.digest or "", "test-agreement": digest(example_agreement())}
    index = PolicyIndex.build(info.charter, [agreement], digests=digests)
    assert index == compile_().index
    assert [d.digest for d in compile_().documents] == list(digests.values())
    assert Policy(index).decide(REQ) == compile_().decide(REQ)
    with pytest.raises(UsageError, match="compile"):
        Policy("not an index")  # type: ignore[arg-type]
