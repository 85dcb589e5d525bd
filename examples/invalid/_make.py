"""Regenerate the invalid examples: ``python examples/invalid/_make.py``.

Each agreement starts from one valid agreement under ``charter.json`` and
changes one thing, so that exactly one error rule fires (warnings from other
rules may come along). ``_expected.json`` maps each file to the code it shows
and the JSON Pointer it fires at. The committed JSON files are the product;
this script only keeps them consistent.

Dates: the validator judges review dates against today's date unless told
otherwise (``woda-sharing validate --today YYYY-MM-DD``). The charter here
allows ten years between reviews (``review_interval_months``: 120) and the
agreements' review date is 2035-06-30, so they stay free of review findings
on the real date from mid-2025 until mid-2035; only the review examples use
dates that are past (WS303), or beyond any interval (WS304), for good.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from woda_sharing import _canonical as canonical

Doc = dict[str, Any]

HERE = Path(__file__).parent
REVIEW = "2035-06-30"

COUNTY = "worcestershire-county-council"
DISTRICT = "wychavon-district-council"
POLICE = "west-mercia-police"
NHS = "herefordshire-and-worcestershire-nhs-trust"

CHARTER: Doc = {
    "kind": "charter",
    "format_version": 1,
    "id": "woda-invalid-examples",
    "version": 1,
    "title": "Data sharing charter for the invalid examples",
    "description": "A valid charter, modelled on the WODA charter, that the invalid example "
    "agreements sit under. Registration numbers are placeholders (EXAMPLE-nnnn).",
    "effective": "2024-01-01",
    "members": [
        {
            "id": COUNTY,
            "name": "Worcestershire County Council",
            "sector": "county-council",
            "public_authority": True,
            "registration": "EXAMPLE-0001",
        },
        {
            "id": DISTRICT,
            "name": "Wychavon District Council",
            "sector": "district-council",
            "public_authority": True,
            "registration": "EXAMPLE-0002",
        },
        {
            "id": POLICE,
            "name": "West Mercia Police",
            "sector": "police",
            "public_authority": True,
            "competent_authority": True,
            "registration": "EXAMPLE-0003",
        },
        {
            "id": NHS,
            "name": "Herefordshire and Worcestershire Health and Care NHS Trust",
            "sector": "nhs",
            "public_authority": True,
            "registration": "EXAMPLE-0004",
        },
    ],
    "principles": [
        {
            "id": "lawful",
            "text": "Every sharing has its own lawful basis; this charter is not one.",
        },
        {"id": "minimal", "text": "Only the data a purpose needs is shared."},
    ],
    "purposes": [
        {"id": "early-help", "title": "Early help for families"},
        {
            "id": "crime-prevention",
            "title": "Preventing crime and disorder",
            "law_enforcement": True,
        },
    ],
    "controls": [
        "dpia",
        "retention",
        "security",
        "rights",
        "transparency",
        "breach",
        "termination",
        "review",
    ],
    "endorsement": {"rule": "all-members", "roles": ["siro", "dpo"]},
    "review_interval_months": 120,
}

AGREEMENT: Doc = {
    "kind": "agreement",
    "format_version": 1,
    "id": "early-help-referrals",
    "version": 1,
    "title": "Early help referrals from Wychavon to Worcestershire County Council",
    "charter": {"id": CHARTER["id"], "version": 1, "digest": canonical.digest(CHARTER)},
    "parties": [
        {"id": "county", "organisation": COUNTY, "role": "controller"},
        {"id": "wychavon", "organisation": DISTRICT, "role": "controller"},
    ],
    "purposes": [{"id": "early-help", "needs": ["name", "address"]}],
    "items": [
        {"id": "name", "title": "Name of each family member", "category": "personal"},
        {"id": "address", "title": "Home address", "category": "personal"},
    ],
    "flows": [
        {
            "id": "referral",
            "from": "wychavon",
            "to": "county",
            "items": ["name", "address"],
            "purposes": ["early-help"],
            "bases": ["uk-gdpr-art-6-1-e"],
            "frequency": "ad-hoc",
            "method": "secure-portal",
            "security": ["encryption-in-transit"],
        }
    ],
    "retention": {"months": 24, "deletion": "secure-deletion"},
    "security": ["access-control", "audit-logging"],
    "dpia": {"reference": "DPIA-EXAMPLE-1", "completed": "2024-01-15"},
    "start": "2024-02-01",
    "review": REVIEW,
    "rights": {
        "contact": "dpo@example.invalid",
        "subject_access": "Each controller answers requests for the data it holds.",
        "objections": "Objections go to the controller that collected the data.",
        "complaints": "Complaints go to the DPO, then the ICO.",
    },
    "transparency": {"privacy_notice": "https://example.invalid/privacy"},
    "breach": {"notify_within_hours": 24, "contact": "dpo@example.invalid"},
    "termination": {"notice_days": 30, "on_termination": "delete"},
}


def _add_item(a: Doc, item: Doc) -> None:
    a["items"].append(item)
    a["purposes"][0]["needs"].append(item["id"])
    a["flows"][0]["items"].append(item["id"])


HEALTH: Doc = {
    "id": "health-needs",
    "title": "Health needs of family members",
    "category": "special-category",
    "special_category": "health",
}
OFFENCES: Doc = {"id": "offences", "title": "Recent offences", "category": "criminal-offence"}


def _bases(a: Doc, *ids: str) -> None:
    a["flows"][0]["bases"] = list(ids)


def _police_flow(a: Doc, *ids: str) -> None:
    a["parties"].append({"id": "police", "organisation": POLICE, "role": "controller"})
    a["purposes"][0]["id"] = "crime-prevention"
    a["flows"][0].update(
        {"id": "disclosure", "from": "police", "purposes": ["crime-prevention"], "bases": list(ids)}
    )


def ws101(a: Doc) -> str:
    """A flow sends to a party the agreement never declares."""
    a["flows"][0]["to"] = "worcester-city"
    return "/flows/0/to"


def ws102(a: Doc) -> str:
    """A flow shares an item that is not declared."""
    a["flows"][0]["items"].append("date-of-birth")
    return "/flows/0/items/2"


def ws103(a: Doc) -> str:
    """A flow serves a purpose the agreement does not declare."""
    a["flows"][0]["purposes"].append("homelessness-prevention")
    return "/flows/0/purposes/1"


def ws104(a: Doc) -> str:
    """A purpose the charter does not permit."""
    a["purposes"][0]["id"] = "council-tax-marketing"
    a["flows"][0]["purposes"] = ["council-tax-marketing"]
    return "/purposes/0/id"


def ws105(a: Doc) -> str:
    """A party whose organisation is not a member of the charter."""
    a["parties"][1]["organisation"] = "redditch-borough-council"
    return "/parties/1/organisation"


def ws106(a: Doc) -> str:
    """The charter changed after the agreement cited it (digest mismatch)."""
    a["charter"]["digest"] = canonical.digest({"an": "earlier draft of the charter"})
    return "/charter/digest"


def ws107(a: Doc) -> str:
    """An item id declared twice."""
    a["items"].append({"id": "address", "title": "Correspondence address", "category": "personal"})
    return "/items/2/id"


def ws108(a: Doc) -> str:
    """A purpose needs an item that is not declared."""
    a["purposes"][0]["needs"].append("school")
    return "/purposes/0/needs/2"


def ws109(a: Doc) -> str:
    """A flow cites a legal basis that is in no catalogue."""
    _bases(a, "uk-gdpr-art-6-1-e", "general-power-to-share-data")
    return "/flows/0/bases/1"


def ws201(a: Doc) -> str:
    """Personal data shared on a statutory gateway alone, with no Article 6 basis."""
    _bases(a, "cda-1998-s115")
    return "/flows/0/bases"


def ws202(a: Doc) -> str:
    """Health data shared with no Article 9(2) condition."""
    _add_item(a, HEALTH)
    return "/flows/0/bases"


def ws203(a: Doc) -> str:
    """Article 9(2)(h) cited without the Schedule 1 paragraph 2 condition it needs."""
    _add_item(a, HEALTH)
    _bases(a, "uk-gdpr-art-6-1-e", "uk-gdpr-art-9-2-h")
    return "/flows/0/bases/1"


def ws204(a: Doc) -> str:
    """A Schedule 1 Part 2 condition cited without an appropriate policy document."""
    _add_item(a, HEALTH)
    a["legal_bases"] = [
        {
            "id": "safeguarding-no-policy",
            "title": "Safeguarding of children and of individuals at risk",
            "citation": "DPA 2018 Schedule 1 paragraph 18",
            "basis": {
                "type": "dpa-2018-schedule-1",
                "part": 2,
                "paragraph": 18,
                "appropriate_policy_document": False,
            },
        }
    ]
    _bases(a, "uk-gdpr-art-6-1-e", "uk-gdpr-art-9-2-g", "safeguarding-no-policy")
    return "/flows/0/bases/2"


def ws205(a: Doc) -> str:
    """Criminal offence data under Article 10 "authorised by law" with no Schedule 1 condition."""
    _add_item(a, OFFENCES)
    _bases(a, "uk-gdpr-art-6-1-e", "uk-gdpr-art-10-authorised-by-law")
    return "/flows/0/bases"


def ws206(a: Doc) -> str:
    """The charter cited as if it were a legal basis."""
    _bases(a, "uk-gdpr-art-6-1-e", CHARTER["id"])
    return "/flows/0/bases/1"


def ws207(a: Doc) -> str:
    """A district council (a public authority) relying on legitimate interests."""
    _bases(a, "uk-gdpr-art-6-1-f")
    return "/flows/0/bases/0"


def ws207_ea(a: Doc) -> str:
    """A district council relying on recognised legitimate interests (Article 6(1)(ea)) for its own task."""
    a["start"] = "2026-03-01"
    _bases(a, "uk-gdpr-art-6-1-ea-annex-1-para-6")
    return "/flows/0/bases/0"


def ws209(a: Doc) -> str:
    """Police disclosure for crime prevention filed under UK GDPR instead of DPA 2018 Part 3."""
    _police_flow(a, "uk-gdpr-art-6-1-e")
    return "/flows/0/bases"


def ws211(a: Doc) -> str:
    """Health data (sensitive processing) under DPA 2018 Part 3 with no Schedule 8 condition.

    The receiving council's own processing is under UK GDPR, so it cites its bases too.
    """
    _police_flow(
        a,
        "dpa-2018-s35-task",
        "uk-gdpr-art-6-1-e",
        "uk-gdpr-art-9-2-g",
        "dpa-2018-sch-1-para-18",
    )
    _add_item(a, HEALTH)
    return "/flows/0/bases"


def ws211_strict(a: Doc) -> str:
    """Sensitive law enforcement processing on a Schedule 8 condition not judged strictly necessary (s.35(5)(a))."""
    a["legal_bases"] = [
        {
            "id": "safeguarding-schedule-8-not-strictly-necessary",
            "title": "Safeguarding of children and of individuals at risk",
            "citation": "DPA 2018 s.35(5) and Schedule 8 paragraph 4",
            "basis": {
                "type": "dpa-2018-part-3",
                "ground": "law-enforcement-task",
                "schedule_8_paragraph": 4,
                "appropriate_policy_document": True,
                "strictly_necessary": False,
            },
        }
    ]
    _police_flow(
        a,
        "safeguarding-schedule-8-not-strictly-necessary",
        "uk-gdpr-art-6-1-e",
        "uk-gdpr-art-9-2-g",
        "dpa-2018-sch-1-para-18",
    )
    _add_item(a, HEALTH)
    return "/flows/0/bases/0"


def ws213(a: Doc) -> str:
    """A dual hatter's capacity basis (Article 8A) that came into force after the agreement started."""
    a["parties"][0]["capacity"] = "childrens-services"
    a["parties"].append(
        {
            "id": "county-housing",
            "organisation": COUNTY,
            "role": "controller",
            "capacity": "housing",
        }
    )
    a["flows"][0].update(
        {"from": "county-housing", "capacity_basis": "uk-gdpr-art-8a-annex-2-safeguarding"}
    )
    return "/flows/0/capacity_basis"


def ws214(a: Doc) -> str:
    """A DPA 2018 Schedule 2 exemption (crime and taxation) cited as if it were a lawful basis."""
    _bases(a, "uk-gdpr-art-6-1-e", "dpa-2018-sch-2-para-2")
    return "/flows/0/bases/1"


def ws301(a: Doc) -> str:
    """An item of personal data with no retention, and no default retention."""
    del a["retention"]
    a["items"][1]["retention"] = {"months": 24, "deletion": "secure-deletion"}
    return "/items/0/retention"


def ws302(a: Doc) -> str:
    """No review date."""
    del a["review"]
    return "/review"


def ws303(a: Doc) -> str:
    """A review date that has passed."""
    a["review"] = "2025-01-31"
    return "/review"


def ws304(a: Doc) -> str:
    """A review date beyond the charter's review interval."""
    a["review"] = "2099-01-31"
    return "/review"


def ws305(a: Doc) -> str:
    """The agreement ends before it starts."""
    a["end"] = "2024-01-31"
    return "/end"


def ws307(a: Doc) -> str:
    """A flow matches datasets, and no DPIA is referenced (data matching needs one)."""
    del a["dpia"]
    a["flows"][0]["data_matching"] = True
    return "/dpia"


def ws307_genetic(a: Doc) -> str:
    """Genetic data shared and no DPIA referenced (genetic data is on the ICO's list)."""
    del a["dpia"]
    _add_item(
        a,
        {
            "id": "genetic-test-results",
            "title": "Genetic test results",
            "category": "special-category",
            "special_category": "genetic",
        },
    )
    _bases(a, "uk-gdpr-art-6-1-e", "uk-gdpr-art-9-2-h", "dpa-2018-sch-1-para-2")
    return "/dpia"


def ws308(a: Doc) -> str:
    """The charter requires rights arrangements; the agreement has none."""
    del a["rights"]
    return "/rights"


def ws401(a: Doc) -> str:
    """A processor sends data to a party other than the controller it acts for."""
    a["parties"].append(
        {"id": "case-system", "organisation": NHS, "role": "processor", "acting_for": "county"}
    )
    a["flows"][0].update({"from": "case-system", "to": "wychavon"})
    return "/flows/0/to"


def ws401_sub(a: Doc) -> str:
    """A sub-processor engaged by a processor without the controller's written authorisation."""
    a["parties"][1]["capacity"] = "early-help"
    a["parties"].extend(
        [
            {"id": "case-system", "organisation": NHS, "role": "processor", "acting_for": "county"},
            {
                "id": "hosting",
                "organisation": DISTRICT,
                "role": "processor",
                "capacity": "hosting",
                "acting_for": "case-system",
            },
        ]
    )
    return "/parties/3/authorisation"


def ws402(a: Doc) -> str:
    """One organisation listed as two parties with no capacities to tell them apart."""
    a["parties"].append({"id": "county-2", "organisation": COUNTY, "role": "controller"})
    return "/parties/2"


def ws403(a: Doc) -> str:
    """A dual hatter moves data between its two capacities without a capacity basis."""
    a["parties"][0]["capacity"] = "childrens-services"
    a["parties"].append(
        {
            "id": "county-education",
            "organisation": COUNTY,
            "role": "controller",
            "capacity": "education",
        }
    )
    a["flows"][0]["from"] = "county-education"
    return "/flows/0/capacity_basis"


def ws404(a: Doc) -> str:
    """A flow from a party to itself."""
    a["flows"][0]["to"] = "wychavon"
    return "/flows/0/to"


def ws405(a: Doc) -> str:
    """No party is a controller: both are processors for each other."""
    a["parties"][0].update(role="processor", acting_for="wychavon")
    a["parties"][1].update(role="processor", acting_for="county")
    return "/parties"


def ws501(a: Doc) -> str:
    """A flow shares an item its purpose does not need (data minimisation)."""
    a["purposes"][0]["needs"] = ["name"]
    return "/flows/0/items/1"


def ws601(c: Doc) -> str:
    """An endorsement threshold larger than the number of members."""
    c["endorsement"] = {"rule": "threshold", "threshold": 5, "roles": ["siro"]}
    return "/endorsement/threshold"


def ws602(c: Doc) -> str:
    """A charter purpose id declared twice."""
    c["purposes"].append({"id": "early-help", "title": "Early intervention"})
    return "/purposes/2/id"


AGREEMENTS: dict[str, Callable[[Doc], str]] = {
    "ws101-flow-undeclared-party": ws101,
    "ws102-flow-undeclared-item": ws102,
    "ws103-flow-undeclared-purpose": ws103,
    "ws104-purpose-not-permitted": ws104,
    "ws105-party-not-member": ws105,
    "ws106-charter-changed-since-cited": ws106,
    "ws107-item-declared-twice": ws107,
    "ws108-purpose-needs-undeclared-item": ws108,
    "ws109-unknown-legal-basis": ws109,
    "ws201-personal-data-without-art6": ws201,
    "ws202-special-category-without-art9": ws202,
    "ws203-art9-without-schedule-1": ws203,
    "ws204-schedule-1-without-policy-document": ws204,
    "ws205-criminal-offence-without-art10": ws205,
    "ws206-charter-cited-as-legal-basis": ws206,
    "ws207-public-authority-legitimate-interests": ws207,
    "ws207-public-authority-recognised-legitimate-interests": ws207_ea,
    "ws209-law-enforcement-under-uk-gdpr": ws209,
    "ws211-sensitive-law-enforcement-without-schedule-8": ws211,
    "ws211-sensitive-law-enforcement-not-strictly-necessary": ws211_strict,
    "ws213-capacity-basis-not-in-force-at-start": ws213,
    "ws214-exemption-cited-as-legal-basis": ws214,
    "ws301-personal-data-without-retention": ws301,
    "ws302-review-date-missing": ws302,
    "ws303-review-date-past": ws303,
    "ws304-review-beyond-charter-interval": ws304,
    "ws305-end-before-start": ws305,
    "ws307-dpia-missing-for-data-matching": ws307,
    "ws307-dpia-missing-for-genetic-data": ws307_genetic,
    "ws308-charter-control-missing": ws308,
    "ws401-processor-acting-as-controller": ws401,
    "ws401-sub-processor-without-authorisation": ws401_sub,
    "ws402-organisation-twice-without-capacities": ws402,
    "ws403-dual-hatter-flow-without-capacity-basis": ws403,
    "ws404-flow-to-itself": ws404,
    "ws405-no-controller": ws405,
    "ws501-item-no-purpose-needs": ws501,
}

CHARTERS: dict[str, Callable[[Doc], str]] = {
    "ws601-threshold-unreachable": ws601,
    "ws602-purpose-declared-twice": ws602,
}


def _write(name: str, document: Doc) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    (HERE / name).write_text(text, encoding="utf-8")


def main() -> None:
    """Write ``charter.json``, one file per rule and ``_expected.json``."""
    _write("charter.json", CHARTER)
    expected: dict[str, dict[str, str]] = {}
    for stem, mutate in AGREEMENTS.items():
        agreement = copy.deepcopy(AGREEMENT)
        agreement["id"] = stem
        path = mutate(agreement)
        expected[f"{stem}.json"] = {"code": stem[:5].upper(), "pointer": path}
        _write(f"{stem}.json", agreement)
    for stem, mutate in CHARTERS.items():
        charter = copy.deepcopy(CHARTER)
        charter["id"] = stem
        path = mutate(charter)
        expected[f"{stem}.json"] = {"code": stem[:5].upper(), "pointer": path}
        _write(f"{stem}.json", charter)
    _write("_expected.json", dict(sorted(expected.items())))
    _write_readme({**AGREEMENTS, **CHARTERS}, expected)


def _write_readme(makers: dict[str, Callable[[Doc], str]], expected: dict[str, Any]) -> None:
    lines = [
        "# Invalid examples",
        "",
        "Generated by `_make.py`: edit that script, not these files. Each file breaks one",
        "rule of a valid agreement (or charter) under `charter.json`, so that",
        "",
        "```sh",
        "woda-sharing validate examples/invalid/charter.json examples/invalid/FILE",
        "```",
        "",
        "exits 1 with exactly that error code, at the JSON Pointer `_expected.json` gives.",
        "Warnings from other rules may come along. `charter.json` alone is valid.",
        "",
        "| File | Code | Pointer | What is wrong |",
        "| --- | --- | --- | --- |",
    ]
    for stem, make in makers.items():
        name = f"{stem}.json"
        doc = " ".join((make.__doc__ or "").split())
        lines.append(
            f"| `{name}` | `{expected[name]['code']}` | `{expected[name]['pointer']}` | {doc} |"
        )
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
