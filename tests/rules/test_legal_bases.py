from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.rules._support import (
    Case,
    Doc,
    E,
    Mutation,
    W,
    add_item,
    bases,
    check,
    nhs_flow,
    parametrize,
    police_flow,
)

ART6E = "uk-gdpr-art-6-1-e"


def _with(*basis_ids: str, item: tuple[str, str | None] | None = None) -> Mutation:
    """Add an item of (category, special category), if given, and set the first flow's bases."""

    def mutate(c: Doc, a: Doc) -> None:
        if item is not None:
            category, special = item
            add_item(a, "extra", category, special=special)
        bases(a, *basis_ids)

    return mutate


HEALTH = ("special-category", "health")
PSEUDONYMISED_HEALTH = ("pseudonymised", "health")
CRIMINAL = ("criminal-offence", None)


def _entry(entry_id: str, basis: Doc) -> Doc:
    return {"id": entry_id, "title": entry_id, "citation": "test citation", "basis": basis}


def _local(
    entry: Doc,
    *basis_ids: str,
    item: tuple[str, str | None] | None = None,
    exemptions: tuple[str, ...] = (),
) -> Mutation:
    """Declare an agreement-level legal-basis entry and cite it (with other bases, and exemptions)."""

    def mutate(c: Doc, a: Doc) -> None:
        a["legal_bases"] = [entry]
        _with(*basis_ids, item=item)(c, a)
        if exemptions:
            a["flows"][0]["exemptions"] = list(exemptions)

    return mutate


def _anonymised_only(c: Doc, a: Doc) -> None:
    for item in a["items"]:
        item["category"] = "anonymised"
    bases(a)


def _pseudonymised_no_basis(c: Doc, a: Doc) -> None:
    a["items"][0]["category"] = "pseudonymised"
    bases(a)


def _police(*basis_ids: str, item: tuple[str, str | None] | None = None) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        police_flow(a, *basis_ids)
        if item is not None:
            add_item(a, "extra", item[0], special=item[1])

    return mutate


def _police_to_competent_county(
    *basis_ids: str, item: tuple[str, str | None] | None = None
) -> Mutation:
    """A police flow to a county council that is a competent authority too: wholly Part 3."""
    police = _police(*basis_ids, item=item)

    def mutate(c: Doc, a: Doc) -> None:
        c["members"][0]["competent_authority"] = True
        police(c, a)

    return mutate


def _to_police(*basis_ids: str) -> Mutation:
    """The first flow goes from the district council to the police, for crime prevention."""

    def mutate(c: Doc, a: Doc) -> None:
        a["parties"].append({"id": "police", "organisation": "police", "role": "controller"})
        a["purposes"][0]["id"] = "crime-prevention"
        a["flows"][0].update(
            {"to": "police", "purposes": ["crime-prevention"], "bases": list(basis_ids)}
        )

    return mutate


def _sender_not_public(then: Mutation) -> Mutation:
    def mutate(c: Doc, a: Doc) -> None:
        c["members"][1]["public_authority"] = False
        then(c, a)

    return mutate


def _nhs(*basis_ids: str) -> Callable[[Doc, Doc], None]:
    def mutate(c: Doc, a: Doc) -> None:
        nhs_flow(c, a)
        add_item(a, "extra", "special-category", special="health")
        bases(a, *basis_ids)

    return mutate


def _health_between_councils(c: Doc, a: Doc) -> None:
    add_item(a, "extra", "special-category", special="health")
    bases(a, ART6E, "uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2")


def _confidential_case_notes(c: Doc, a: Doc) -> None:
    add_item(a, "case-notes", "personal")
    a["items"][-1]["confidential"] = True


def _dual_hatter(capacity_basis: str) -> Mutation:
    """The county moves the data from its housing capacity to its children's services capacity."""

    def mutate(c: Doc, a: Doc) -> None:
        a["parties"][0]["capacity"] = "childrens-services"
        a["parties"].append(
            {
                "id": "housing",
                "organisation": "county-council",
                "role": "controller",
                "capacity": "housing",
            }
        )
        a["flows"][0].update({"from": "housing", "capacity_basis": capacity_basis})

    return mutate


def _dated(entry_id: str, basis: Doc, **dates: str) -> Doc:
    return {**_entry(entry_id, basis), **dates}


def _part_3(
    *,
    schedule_8: int | None = None,
    consent: bool = False,
    apd: bool | None = None,
    strictly: bool | None = None,
) -> Doc:
    basis: Doc = {
        "type": "dpa-2018-part-3",
        "ground": "consent" if consent else "law-enforcement-task",
    }
    if schedule_8 is not None:
        basis["schedule_8_paragraph"] = schedule_8
    if apd is not None:
        basis["appropriate_policy_document"] = apd
    if strictly is not None:
        basis["strictly_necessary"] = strictly
    return _entry("local-part-3", basis)


def _police_to_county_local(entry: Doc, item: tuple[str, str | None]) -> Mutation:
    police = _police_to_competent_county("local-part-3", item=item)

    def mutate(c: Doc, a: Doc) -> None:
        a["legal_bases"] = [entry]
        police(c, a)

    return mutate


EA_SAFEGUARDING = "uk-gdpr-art-6-1-ea-annex-1-para-6"
ART6_E_BASIS: Doc = {"type": "uk-gdpr-art6", "point": "e"}
SCH1_PARA_2 = "dpa-2018-sch-1-para-2"
CHARTER_GATEWAY = _entry(
    "charter-gateway",
    {
        "type": "statutory-gateway",
        "act": "Test data sharing Charter",
        "section": "4",
        "nature": "power",
    },
)
NO_POLICY_PARA_10 = _entry(
    "para-10-no-policy",
    {
        "type": "dpa-2018-schedule-1",
        "part": 2,
        "paragraph": 10,
        "appropriate_policy_document": False,
    },
)
NO_POLICY_PARA_2 = _entry(
    "para-2-no-policy",
    {
        "type": "dpa-2018-schedule-1",
        "part": 1,
        "paragraph": 2,
        "appropriate_policy_document": False,
    },
)

CASES = [
    # WS201: Article 6
    Case(id="public-task", code="WS201"),
    Case(id="anonymised-needs-none", code="WS201", mutate=_anonymised_only),
    Case(
        id="part-3-exempt",
        code="WS201",
        mutate=_police_to_competent_county("dpa-2018-s35-task"),
    ),
    # DPA 2018 ss.29-31: the council receiving from the police processes under UK GDPR
    Case(
        id="council-side-of-a-police-disclosure",
        code="WS201",
        mutate=_police("dpa-2018-s35-task"),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(id="no-basis", code="WS201", mutate=_with(), expected=((E, "/flows/0/bases"),)),
    Case(
        id="pseudonymised-is-personal",
        code="WS201",
        mutate=_pseudonymised_no_basis,
        expected=((E, "/flows/0/bases"),),
    ),
    Case(
        id="only-a-gateway",
        code="WS201",
        mutate=_with("cda-1998-s115"),
        expected=((E, "/flows/0/bases"),),
    ),
    # WS202: Article 9
    Case(id="art9-f", code="WS202", mutate=_with(ART6E, "uk-gdpr-art-9-2-f", item=HEALTH)),
    # Article 4(1)(5), Recital 26: pseudonymised health data is still health data
    Case(
        id="pseudonymised-health",
        code="WS202",
        mutate=_with(ART6E, item=PSEUDONYMISED_HEALTH),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(
        id="pseudonymised-health-with-condition",
        code="WS202",
        mutate=_with(
            ART6E, "uk-gdpr-art-9-2-j", "dpa-2018-sch-1-para-4", item=PSEUDONYMISED_HEALTH
        ),
    ),
    Case(
        id="part-3-exempt",
        code="WS202",
        mutate=_police_to_competent_county("dpa-2018-s35-sch-8-para-4", item=HEALTH),
    ),
    Case(
        id="no-art9",
        code="WS202",
        mutate=_with(ART6E, item=HEALTH),
        expected=((E, "/flows/0/bases"),),
    ),
    # WS203: Schedule 1 for Article 9(2)(b), (g), (h), (i), (j)
    Case(
        id="h-with-para-2",
        code="WS203",
        mutate=_with(ART6E, "uk-gdpr-art-9-2-h", SCH1_PARA_2, item=HEALTH),
    ),
    Case(
        id="g-with-para-18",
        code="WS203",
        mutate=_with(ART6E, "uk-gdpr-art-9-2-g", "dpa-2018-sch-1-para-18", item=HEALTH),
    ),
    Case(id="a-needs-none", code="WS203", mutate=_with(ART6E, "uk-gdpr-art-9-2-a", item=HEALTH)),
    Case(
        id="h-alone",
        code="WS203",
        mutate=_with(ART6E, "uk-gdpr-art-9-2-h", item=HEALTH),
        expected=((E, "/flows/0/bases/1"),),
    ),
    Case(
        id="g-with-part-1-paragraph",
        code="WS203",
        mutate=_with(ART6E, SCH1_PARA_2, "uk-gdpr-art-9-2-g", item=HEALTH),
        expected=((E, "/flows/0/bases/2"),),
    ),
    Case(
        id="j-with-para-2",
        code="WS203",
        mutate=_with(ART6E, "uk-gdpr-art-9-2-j", SCH1_PARA_2, item=HEALTH),
        expected=((E, "/flows/0/bases/1"),),
    ),
    # WS204: appropriate policy document
    Case(
        id="para-10-with-policy",
        code="WS204",
        mutate=_with(ART6E, "uk-gdpr-art-9-2-g", "dpa-2018-sch-1-para-10", item=HEALTH),
    ),
    Case(
        id="para-2-needs-no-policy",
        code="WS204",
        mutate=_local(
            NO_POLICY_PARA_2, ART6E, "uk-gdpr-art-9-2-h", "para-2-no-policy", item=HEALTH
        ),
    ),
    Case(
        id="para-10-without-policy",
        code="WS204",
        mutate=_local(
            NO_POLICY_PARA_10, ART6E, "uk-gdpr-art-9-2-g", "para-10-no-policy", item=HEALTH
        ),
        expected=((E, "/flows/0/bases/2"),),
    ),
    # WS205: Article 10
    Case(
        id="official-authority",
        code="WS205",
        mutate=_with(ART6E, "uk-gdpr-art-10-official-authority", item=CRIMINAL),
    ),
    Case(
        id="authorised-by-law-with-schedule-1",
        code="WS205",
        mutate=_with(
            ART6E, "uk-gdpr-art-10-authorised-by-law", "dpa-2018-sch-1-para-36", item=CRIMINAL
        ),
    ),
    Case(
        id="official-authority-is-for-public-bodies",
        code="WS205",
        mutate=_sender_not_public(_with(ART6E, "uk-gdpr-art-10-official-authority", item=CRIMINAL)),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(
        id="part-3-exempt",
        code="WS205",
        mutate=_police_to_competent_county("dpa-2018-s35-sch-8-para-4", item=CRIMINAL),
    ),
    Case(
        id="no-art10",
        code="WS205",
        mutate=_with(ART6E, item=CRIMINAL),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(
        id="authorised-by-law-alone",
        code="WS205",
        mutate=_with(ART6E, "uk-gdpr-art-10-authorised-by-law", item=CRIMINAL),
        expected=((E, "/flows/0/bases"),),
    ),
    # WS206: the charter is never a legal basis
    Case(id="real-gateway", code="WS206", mutate=_with(ART6E, "cda-1998-s115")),
    Case(
        id="charter-id",
        code="WS206",
        mutate=_with(ART6E, "test-charter"),
        expected=((E, "/flows/0/bases/1"),),
        message="charter",
    ),
    Case(
        id="agreement-id",
        code="WS206",
        mutate=_with(ART6E, "test-agreement"),
        expected=((E, "/flows/0/bases/1"),),
    ),
    Case(
        id="charter-as-gateway",
        code="WS206",
        mutate=_local(CHARTER_GATEWAY, ART6E, "charter-gateway"),
        expected=((E, "/flows/0/bases/1"),),
    ),
    Case(
        id="charter-as-capacity-basis",
        code="WS206",
        mutate=lambda c, a: a["flows"][0].update(capacity_basis="test-charter"),
        expected=((E, "/flows/0/capacity_basis"),),
    ),
    # WS207 / WS208: public authorities, legitimate interests and consent
    Case(id="public-task", code="WS207"),
    Case(
        id="private-sender",
        code="WS207",
        mutate=_sender_not_public(_with("uk-gdpr-art-6-1-f")),
    ),
    Case(
        id="legitimate-interests",
        code="WS207",
        mutate=_with("uk-gdpr-art-6-1-f"),
        expected=((E, "/flows/0/bases/0"),),
    ),
    Case(id="public-task", code="WS208"),
    Case(id="private-sender", code="WS208", mutate=_sender_not_public(_with("uk-gdpr-art-6-1-a"))),
    Case(
        id="consent",
        code="WS208",
        mutate=_with(ART6E, "uk-gdpr-art-6-1-a"),
        expected=((W, "/flows/0/bases/1"),),
    ),
    Case(
        id="explicit-consent",
        code="WS208",
        mutate=_with(ART6E, "uk-gdpr-art-9-2-a", item=HEALTH),
        expected=((W, "/flows/0/bases/1"),),
    ),
    Case(
        id="common-law-explicit-consent",
        code="WS208",
        mutate=_with(
            ART6E, "uk-gdpr-art-9-2-h", SCH1_PARA_2, "common-law-explicit-consent", item=HEALTH
        ),
    ),
    # WS209 / WS210: law enforcement processing and DPA 2018 Part 3
    Case(id="part-3", code="WS209", mutate=_police(ART6E, "dpa-2018-s35-task")),
    Case(
        id="to-the-police-records-part-3",
        code="WS209",
        mutate=_to_police(ART6E, "dpa-2018-s35-task"),
    ),
    Case(
        id="to-the-police-without-part-3",
        code="WS209",
        mutate=_to_police(ART6E),
        expected=((W, "/flows/0/bases"),),
    ),
    Case(id="not-law-enforcement", code="WS209"),
    Case(
        id="uk-gdpr-for-law-enforcement",
        code="WS209",
        mutate=_police(ART6E),
        expected=((E, "/flows/0/bases"),),
    ),
    Case(id="part-3", code="WS210", mutate=_police(ART6E, "dpa-2018-s35-task")),
    Case(
        id="part-3-between-councils",
        code="WS210",
        mutate=_with(ART6E, "dpa-2018-s35-task"),
        expected=((W, "/flows/0/bases/1"),),
    ),
    # WS211: sensitive law enforcement processing
    Case(
        id="schedule-8",
        code="WS211",
        mutate=_police_to_competent_county("dpa-2018-s35-sch-8-para-4", item=HEALTH),
    ),
    Case(
        id="not-sensitive",
        code="WS211",
        mutate=_police_to_competent_county("dpa-2018-s35-task"),
    ),
    # s.35(8): criminal offence data is not sensitive processing under Part 3
    Case(
        id="criminal-not-sensitive",
        code="WS211",
        mutate=_police_to_competent_county("dpa-2018-s35-task", item=CRIMINAL),
    ),
    Case(
        id="no-schedule-8",
        code="WS211",
        mutate=_police_to_competent_county("dpa-2018-s35-task", item=HEALTH),
        expected=((E, "/flows/0/bases"),),
    ),
    # WS212: common law duty of confidentiality
    Case(
        id="implied-consent",
        code="WS212",
        mutate=_nhs(ART6E, "uk-gdpr-art-9-2-h", SCH1_PARA_2, "common-law-implied-consent"),
    ),
    Case(
        id="nhs-without-common-law",
        code="WS212",
        mutate=_nhs(ART6E, "uk-gdpr-art-9-2-h", SCH1_PARA_2),
        expected=((W, "/flows/0/bases"),),
    ),
    # The duty attaches to information given in confidence, not to NHS status
    Case(
        id="health-between-councils",
        code="WS212",
        mutate=_health_between_councils,
        expected=((W, "/flows/0/bases"),),
        message="given in confidence",
    ),
    Case(
        id="council-case-notes-in-confidence",
        code="WS212",
        mutate=_confidential_case_notes,
        expected=((W, "/flows/0/bases"),),
    ),
    Case(
        id="health-not-given-in-confidence",
        code="WS212",
        mutate=lambda c, a: (
            _health_between_councils(c, a),
            a["items"][2].update(confidential=False),
        ),
    ),
    Case(
        id="case-notes-with-legal-requirement",
        code="WS212",
        mutate=lambda c, a: (
            _confidential_case_notes(c, a),
            bases(a, ART6E, "common-law-legal-requirement"),
        ),
    ),
    # Article 6(1)(ea): recognised legitimate interests
    Case(
        id="ea-is-an-article-6-basis",
        code="WS201",
        mutate=_sender_not_public(_with(EA_SAFEGUARDING)),
        also=frozenset({"WS213"}),
    ),
    Case(
        id="article-8a-is-not-a-basis",
        code="WS201",
        mutate=_with("uk-gdpr-art-8a-annex-2-safeguarding"),
        expected=((E, "/flows/0/bases"),),
        also=frozenset({"WS213"}),
    ),
    Case(
        id="exemption-is-not-a-basis",
        code="WS201",
        mutate=_with("dpa-2018-sch-2-para-2"),
        expected=((E, "/flows/0/bases"),),
        also=frozenset({"WS214"}),
    ),
    Case(
        id="recognised-legitimate-interests",
        code="WS207",
        mutate=_with(EA_SAFEGUARDING),
        expected=((E, "/flows/0/bases/0"),),
        message="in the performance of its tasks",
        also=frozenset({"WS213"}),
    ),
    Case(
        id="private-sender-ea",
        code="WS207",
        mutate=_sender_not_public(_with(EA_SAFEGUARDING)),
        also=frozenset({"WS213"}),
    ),
    Case(
        id="outside-public-tasks",
        code="WS207",
        mutate=lambda c, a: (
            bases(a, "uk-gdpr-art-6-1-f"),
            a["flows"][0].update(outside_public_tasks=True),
        ),
    ),
    # WS204: Schedule 1 paragraph 10(2) waives the document for a disclosure to a competent authority
    Case(
        id="para-10-to-a-competent-authority",
        code="WS204",
        mutate=lambda c, a: (
            _to_police(
                ART6E, "uk-gdpr-art-9-2-g", "para-10-no-policy", "dpa-2018-s35-sch-8-para-4"
            )(c, a),
            a.update(legal_bases=[NO_POLICY_PARA_10]),
            add_item(a, "extra", "special-category", special="health"),
        ),
    ),
    # WS211: s.35(4)(b), (5)(a) and (5)(c)
    Case(
        id="schedule-8-not-strictly-necessary",
        code="WS211",
        mutate=_police_to_county_local(
            _part_3(schedule_8=4, apd=True, strictly=False), item=HEALTH
        ),
        expected=((E, "/flows/0/bases/0"),),
        message="strictly necessary",
    ),
    Case(
        id="schedule-8-without-policy-document",
        code="WS211",
        mutate=_police_to_county_local(
            _part_3(schedule_8=4, apd=False, strictly=True), item=HEALTH
        ),
        expected=((E, "/flows/0/bases/0"),),
        message="appropriate policy document",
    ),
    Case(
        id="schedule-8-safeguards-not-recorded",
        code="WS211",
        mutate=_police_to_county_local(_part_3(schedule_8=4), item=HEALTH),
        expected=((E, "/flows/0/bases/0"),),
    ),
    Case(
        id="schedule-8-with-safeguards",
        code="WS211",
        mutate=_police_to_county_local(_part_3(schedule_8=4, apd=True, strictly=True), item=HEALTH),
    ),
    Case(
        id="consent-without-policy-document",
        code="WS211",
        mutate=_police_to_county_local(_part_3(consent=True, apd=False), item=HEALTH),
        expected=((E, "/flows/0/bases/0"),),
    ),
    Case(
        id="consent-with-policy-document",
        code="WS211",
        mutate=_police_to_competent_county("dpa-2018-s35-consent", item=HEALTH),
    ),
    # WS213: bases in time
    Case(id="in-force", code="WS213"),
    Case(
        id="ea-before-commencement",
        code="WS213",
        mutate=_sender_not_public(_with(EA_SAFEGUARDING)),
        expected=((E, "/flows/0/bases/0"),),
        message="2026-02-05",
    ),
    Case(
        id="ea-after-commencement",
        code="WS213",
        mutate=_sender_not_public(
            lambda c, a: (_with(EA_SAFEGUARDING)(c, a), a.update(start="2026-03-01"))
        ),
        today=dt.date(2026, 6, 1),
        also=frozenset({"WS303"}),
    ),
    Case(
        id="capacity-basis-before-commencement",
        code="WS213",
        mutate=_dual_hatter("uk-gdpr-art-8a-annex-2-safeguarding"),
        expected=((E, "/flows/0/capacity_basis"),),
    ),
    Case(
        id="exemption-before-commencement",
        code="WS213",
        mutate=_local(
            _dated(
                "old-exemption",
                {"type": "dpa-2018-schedule-2", "part": 1, "paragraph": 2},
                in_force="2025-01-01",
            ),
            ART6E,
            exemptions=("old-exemption",),
        ),
        expected=((E, "/flows/0/exemptions/0"),),
    ),
    Case(
        id="repealed-before-start",
        code="WS213",
        mutate=_local(
            _dated(
                "dpa-1998-sch-2-para-5", ART6_E_BASIS, in_force="2000-03-01", repealed="2018-05-25"
            ),
            "dpa-1998-sch-2-para-5",
        ),
        expected=((E, "/flows/0/bases/0"),),
        message="repealed",
    ),
    Case(
        id="repealed-since-start",
        code="WS213",
        mutate=_local(
            _dated("soon-repealed", ART6_E_BASIS, in_force="2018-05-25", repealed="2024-04-01"),
            "soon-repealed",
        ),
        expected=((W, "/flows/0/bases/0"),),
    ),
    Case(
        id="repealed-after-today",
        code="WS213",
        mutate=_local(
            _dated("later-repealed", ART6_E_BASIS, in_force="2018-05-25", repealed="2030-01-01"),
            "later-repealed",
        ),
    ),
    Case(
        id="no-date-recorded",
        code="WS213",
        mutate=_with(ART6E, "cda-1998-s115"),
    ),
    # WS214: an exemption is never a lawful basis
    Case(
        id="exemption-where-it-belongs",
        code="WS214",
        mutate=lambda c, a: a["flows"][0].update(exemptions=["dpa-2018-sch-2-para-2"]),
    ),
    Case(
        id="exemption-among-bases",
        code="WS214",
        mutate=_with(ART6E, "dpa-2018-sch-2-para-2"),
        expected=((E, "/flows/0/bases/1"),),
        message="never a lawful basis",
    ),
    Case(
        id="exemption-as-capacity-basis",
        code="WS214",
        mutate=_dual_hatter("dpa-2018-sch-2-para-5"),
        expected=((E, "/flows/0/capacity_basis"),),
    ),
    Case(
        id="basis-among-exemptions",
        code="WS214",
        mutate=lambda c, a: a["flows"][0].update(exemptions=[ART6E]),
        expected=((E, "/flows/0/exemptions/0"),),
    ),
]


@parametrize(CASES)
def test_legal_basis_rules(case: Case) -> None:
    check(case)


def test_rules_judge_each_context_on_its_own_flows() -> None:
    """The per-context cache of resolved bases never leaks one document's facts into another."""
    from tests.conftest import EXAMPLE_TODAY
    from woda_sharing import _codec as codec
    from woda_sharing._model import Agreement, Charter
    from woda_sharing.rules import AgreementContext, builtin_catalogue, builtin_rules
    from woda_sharing.testing import example_agreement, example_charter

    charter = codec.structure(example_charter(), Charter)
    good = example_agreement()
    bad = example_agreement()
    bases(bad)

    def context(data: Doc) -> AgreementContext:
        agreement = codec.structure(data, Agreement)
        return AgreementContext(
            charter=charter, agreement=agreement, catalogue=builtin_catalogue(), today=EXAMPLE_TODAY
        )

    rule = builtin_rules().get("WS201")
    assert rule is not None
    bad_ctx, good_ctx = context(bad), context(good)
    for _ in range(2):
        assert [f.pointer for f in rule.run(bad_ctx)] == ["/flows/0/bases"]
        assert list(rule.run(good_ctx)) == []
