"""The legal-basis catalogue: shipped data, coverage of the law, typed bases and extension."""

from __future__ import annotations

import datetime as dt
import json
import re
import typing
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from woda_sharing import _codec as codec
from woda_sharing import _schema as schema
from woda_sharing._legal import (
    ANNEX_1_CONDITIONS,
    ART9_NEEDS_SCHEDULE_1,
    ART9_SCHEDULE_1_PARTS,
    SCHEDULE_1_NEEDS_POLICY_DOCUMENT,
    SCHEDULE_1_PARAGRAPHS,
    SCHEDULE_8_PARAGRAPHS,
    Art6Basis,
    Art6Point,
    Art9Condition,
    Art9Point,
    Art10Basis,
    Catalogue,
    CatalogueEntry,
    CommonLawBasis,
    CommonLawPower,
    FurtherProcessing,
    InternationalLawCondition,
    LawEnforcementBasis,
    LegalBasis,
    Schedule1Condition,
    Schedule2Exemption,
    StatutoryGateway,
    basis_type,
)
from woda_sharing._validation import validate
from woda_sharing.exceptions import CatalogueError, DocumentError
from woda_sharing.rules import builtin_catalogue

ROOT = Path(__file__).parent.parent
TODAY = dt.date(2024, 6, 1)


def _raw_entries() -> list[dict[str, Any]]:
    raw = resources.files("woda_sharing").joinpath("data/legal-bases.json").read_bytes()
    entries: list[dict[str, Any]] = json.loads(raw)["entries"]
    return entries


RAW = _raw_entries()
BUILTIN = builtin_catalogue()


def _literals(cls: type, name: str) -> set[str]:
    """The values a ``Literal[...]`` attribute of an attrs class admits."""
    return set(typing.get_args(typing.get_type_hints(cls)[name]))


def _of_type(cls: type[Any]) -> Iterator[Any]:
    return (entry.basis for entry in BUILTIN if isinstance(entry.basis, cls))


# --- The shipped data ------------------------------------------------------------------------


def test_shipped_entries_match_the_published_schema() -> None:
    registry: Registry[Any] = Registry().with_resource(
        schema.SCHEMA_BASE + "common.schema.json",
        Resource.from_contents(
            schema.load_schema("common.schema.json"), default_specification=DRAFT202012
        ),
    )
    validator = Draft202012Validator(
        {"$ref": schema.SCHEMA_BASE + "common.schema.json#/$defs/legal_basis_entries"},
        registry=registry,
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(RAW)]
    assert errors == []


def test_the_schema_check_itself_rejects_a_bad_entry() -> None:
    """Guard against a vacuous schema test: a broken entry must fail the same check."""
    registry: Registry[Any] = Registry().with_resource(
        schema.SCHEMA_BASE + "common.schema.json",
        Resource.from_contents(
            schema.load_schema("common.schema.json"), default_specification=DRAFT202012
        ),
    )
    validator = Draft202012Validator(
        {"$ref": schema.SCHEMA_BASE + "common.schema.json#/$defs/legal_basis_entries"},
        registry=registry,
    )
    bad = [{**RAW[0], "basis": {"type": "charter"}}]
    assert not validator.is_valid(bad)


def test_ids_are_unique() -> None:
    ids = [entry["id"] for entry in RAW]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []
    assert len(BUILTIN) == len(ids)


@pytest.mark.parametrize("raw", RAW, ids=[entry["id"] for entry in RAW])
def test_entry_round_trips_through_the_codec(raw: dict[str, Any]) -> None:
    entry = codec.structure(raw, CatalogueEntry)
    assert codec.unstructure(entry) == raw
    assert BUILTIN[raw["id"]] == entry


def test_ids_other_modules_and_examples_cite_are_kept() -> None:
    cited = {
        "uk-gdpr-art-6-1-e",
        "uk-gdpr-art-9-2-g",
        "uk-gdpr-art-9-2-h",
        "dpa-2018-sch-1-para-2",
        "dpa-2018-sch-1-para-6",
        "dpa-2018-sch-1-para-18",
        "dpa-2018-sch-1-para-36",
        "dpa-2018-s35-task",
        "dpa-2018-s35-sch-8-para-1",
        "dpa-2018-s35-sch-8-para-4",
        "cda-1998-s115",
        "children-act-2004-s10",
        "children-act-2004-s11",
        "care-act-2014-s42",
        "common-law-implied-consent",
        "common-law-explicit-consent",
        "common-law-overriding-public-interest",
    }
    assert sorted(cited - {entry.id for entry in BUILTIN}) == []


def _example_citations() -> list[tuple[Path, str]]:
    out = []
    for path in sorted((ROOT / "examples" / "worcestershire").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        declared = {e["id"] for e in data.get("legal_bases", [])}
        for flow in data.get("flows", []):
            out += [(path, b) for b in flow.get("bases", []) if b not in declared]
    return out


@pytest.mark.skipif(not _example_citations(), reason="no example agreements in this tree")
def test_every_basis_the_examples_cite_is_built_in_or_declared() -> None:
    unknown = sorted({(p.name, b) for p, b in _example_citations() if b not in BUILTIN})
    assert unknown == []


# --- Coverage of the law (computed from the typed family, not listed by hand) ----------------


def test_every_article_6_point_is_present() -> None:
    assert {b.point for b in _of_type(Art6Basis)} == set(Art6Point)


def test_every_article_9_point_is_present() -> None:
    assert {b.point for b in _of_type(Art9Condition)} == set(Art9Point)


def test_both_forms_of_article_10_are_present() -> None:
    assert {b.authority for b in _of_type(Art10Basis)} == _literals(Art10Basis, "authority")


def test_every_schedule_1_condition_is_present() -> None:
    expected = {(part, n) for part, paragraphs in SCHEDULE_1_PARAGRAPHS.items() for n in paragraphs}
    assert {(b.part, b.paragraph) for b in _of_type(Schedule1Condition)} == expected


def test_every_part_3_ground_and_schedule_8_condition_is_present() -> None:
    bases = list(_of_type(LawEnforcementBasis))
    assert {b.ground for b in bases} == _literals(LawEnforcementBasis, "ground")
    schedule_8 = {b.schedule_8_paragraph for b in bases if b.schedule_8_paragraph is not None}
    assert schedule_8 == set(SCHEDULE_8_PARAGRAPHS)
    # Schedule 8 conditions serve sensitive processing that is strictly necessary for the
    # law enforcement task (s.35(5)), not the consent route (s.35(4)).
    assert all(b.ground == "law-enforcement-task" for b in bases if b.schedule_8_paragraph)


def test_every_common_law_ground_is_present() -> None:
    assert {b.ground for b in _of_type(CommonLawBasis)} == _literals(CommonLawBasis, "ground")


def test_schedule_paragraph_tables_follow_the_act() -> None:
    """DPA 2018 Schedule 1: Part 1 paras 1-4, para 5 is the APD rule, Part 2 paras 6-28,
    Part 3 paras 29-37, Part 4 paras 38-41 are safeguards; Schedule 8 has paras 1-9."""
    assert {p: (r.start, r.stop - 1) for p, r in SCHEDULE_1_PARAGRAPHS.items()} == {
        1: (1, 4),
        2: (6, 28),
        3: (29, 37),
    }
    assert (SCHEDULE_8_PARAGRAPHS.start, SCHEDULE_8_PARAGRAPHS.stop - 1) == (1, 9)


def test_every_article_9_point_needing_schedule_1_has_a_matching_entry() -> None:
    assert set(ART9_SCHEDULE_1_PARTS) == ART9_NEEDS_SCHEDULE_1
    present = {(b.part, b.paragraph) for b in _of_type(Schedule1Condition)}
    unmatched = sorted(p for p in ART9_NEEDS_SCHEDULE_1 if not ART9_SCHEDULE_1_PARTS[p] & present)
    assert unmatched == []


@pytest.mark.parametrize(
    ("point", "needs"),
    [(p, p.value in {"b", "g", "h", "i", "j"}) for p in Art9Point],
    ids=[f"art-9-2-{p.value}" for p in Art9Point],
)
def test_article_9_points_needing_schedule_1_follow_dpa_2018_s10(
    point: Art9Point, *, needs: bool
) -> None:
    assert Art9Condition(point=point).needs_schedule_1 is needs


def test_article_9_points_pair_with_their_schedule_1_paragraphs() -> None:
    """s.10(2)-(3): (b) employment para 1, (h) health or social care para 2, (i) public health
    para 3, (j) research para 4, (g) any Part 2 substantial public interest condition."""
    assert ART9_SCHEDULE_1_PARTS["b"] == {(1, 1)}
    assert ART9_SCHEDULE_1_PARTS["h"] == {(1, 2)}
    assert ART9_SCHEDULE_1_PARTS["i"] == {(1, 3)}
    assert ART9_SCHEDULE_1_PARTS["j"] == {(1, 4)}
    assert ART9_SCHEDULE_1_PARTS["g"] == {(2, n) for n in range(6, 29)}


# --- The appropriate policy document --------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "paragraph", "needed"),
    [
        (1, 1, True),
        (1, 2, False),
        (1, 3, False),
        (1, 4, False),
        (2, 6, True),
        (2, 10, True),
        (2, 13, False),
        (2, 18, True),
        (2, 27, True),
        (2, 28, True),
        (3, 29, False),
        (3, 34, False),
        (3, 35, True),
        (3, 36, True),
        (3, 37, True),
    ],
    ids=[
        "para-1-by-1(1)(b)",
        "para-2-none",
        "para-3-none",
        "para-4-none",
        "para-6-by-5(1)",
        "para-10-by-5(1)-save-disclosure-to-competent-authority",
        "para-13-waived-by-13(3)",
        "para-18-by-5(1)",
        "para-27-by-5(1)-save-disclosure-to-anti-doping-body",
        "para-28-by-5(1)",
        "para-29-none",
        "para-34-none",
        "para-35-by-35(1)",
        "para-36-inherits-part-2",
        "para-37-inherits-para-20",
    ],
)
def test_policy_document_requirement_follows_schedule_1(
    part: typing.Literal[1, 2, 3], paragraph: int, *, needed: bool
) -> None:
    condition = Schedule1Condition(
        part=part, paragraph=paragraph, appropriate_policy_document=False
    )
    assert condition.needs_policy_document is needed
    assert ((part, paragraph) in SCHEDULE_1_NEEDS_POLICY_DOCUMENT) is needed


def test_builtin_schedule_1_entries_record_the_document_the_law_requires() -> None:
    wrong = sorted(
        entry.id
        for entry in BUILTIN
        if isinstance(entry.basis, Schedule1Condition)
        and entry.basis.appropriate_policy_document != entry.basis.needs_policy_document
    )
    assert wrong == []


# --- Citations and id patterns --------------------------------------------------------------


def _expected_id(basis: LegalBasis) -> str | None:  # noqa: PLR0911 - one return per type
    match basis:
        case Art6Basis() if basis.annex_1_paragraph is not None:
            return f"uk-gdpr-art-6-1-{basis.point.value}-annex-1-para-{basis.annex_1_paragraph}"
        case Art6Basis():
            return f"uk-gdpr-art-6-1-{basis.point.value}"
        case Art9Condition():
            return f"uk-gdpr-art-9-2-{basis.point.value}"
        case Art10Basis():
            return f"uk-gdpr-art-10-{basis.authority}"
        case Schedule1Condition():
            return f"dpa-2018-sch-1-para-{basis.paragraph}"
        case LawEnforcementBasis() if basis.schedule_8_paragraph is not None:
            return f"dpa-2018-s35-sch-8-para-{basis.schedule_8_paragraph}"
        case LawEnforcementBasis():
            return {"consent": "dpa-2018-s35-consent", "law-enforcement-task": "dpa-2018-s35-task"}[
                basis.ground
            ]
        case CommonLawBasis():
            return f"common-law-{basis.ground}"
        case _:
            return None  # gateways: checked by the next test


@pytest.mark.parametrize("entry", list(BUILTIN), ids=[e.id for e in BUILTIN])
def test_entry_id_and_citation_follow_the_provision(entry: CatalogueEntry) -> None:
    basis = entry.basis
    expected = _expected_id(basis)
    if expected is not None:
        assert entry.id == expected
    if isinstance(basis, Schedule1Condition):
        assert f"Schedule 1 Part {basis.part} paragraph {basis.paragraph} " in entry.citation
    elif isinstance(basis, LawEnforcementBasis) and basis.schedule_8_paragraph is not None:
        assert f"Schedule 8 paragraph {basis.schedule_8_paragraph}" in entry.citation
    elif isinstance(basis, Art6Basis):
        assert f"Article 6(1)({basis.point.value})" in entry.citation
    elif isinstance(basis, Art9Condition):
        assert f"Article 9(2)({basis.point.value})" in entry.citation
    elif isinstance(basis, StatutoryGateway):
        assert entry.citation.startswith(f"{basis.act} s.{basis.section}")
        assert re.fullmatch(r"[A-Z][A-Za-z ()',-]+ [0-9]{4}", basis.act)
        section = re.sub(r"\(([0-9a-z]+)\)", r"-\1", basis.section.lower())
        assert entry.id.endswith(f"-s{section}")
        assert "charter" not in basis.act.lower()


#: The gateways the catalogue holds, as checked against the acts: the section, and what it does
#: (a duty to disclose, a power to disclose, or a function that implies sharing). Each entry's
#: ``source`` says how far the text and commencement could be checked.
GATEWAYS = [
    ("cda-1998-s115", "Crime and Disorder Act 1998", "115", "power-to-disclose"),
    ("cda-1998-s17", "Crime and Disorder Act 1998", "17", "function"),
    ("cda-1998-s17a", "Crime and Disorder Act 1998", "17A", "duty-to-disclose"),
    ("children-act-1989-s17", "Children Act 1989", "17", "function"),
    ("children-act-1989-s27", "Children Act 1989", "27", "function"),
    ("children-act-1989-s47", "Children Act 1989", "47", "function"),
    ("children-act-1989-s47-9", "Children Act 1989", "47(9)", "duty-to-disclose"),
    ("children-act-2004-s10", "Children Act 2004", "10", "function"),
    ("children-act-2004-s11", "Children Act 2004", "11", "function"),
    ("children-act-2004-s16e", "Children Act 2004", "16E", "function"),
    ("children-act-2004-s16h", "Children Act 2004", "16H", "duty-to-disclose"),
    ("children-act-2004-s16la", "Children Act 2004", "16LA", "duty-to-disclose"),
    ("care-act-2014-s6", "Care Act 2014", "6", "function"),
    ("care-act-2014-s7", "Care Act 2014", "7", "function"),
    ("care-act-2014-s42", "Care Act 2014", "42", "function"),
    ("care-act-2014-s44", "Care Act 2014", "44", "function"),
    ("care-act-2014-s45", "Care Act 2014", "45", "duty-to-disclose"),
    ("education-act-2002-s157", "Education Act 2002", "157", "function"),
    ("education-act-2002-s175", "Education Act 2002", "175", "function"),
    ("cja-2003-s325", "Criminal Justice Act 2003", "325", "power-to-disclose"),
    ("ctsa-2015-s26", "Counter-Terrorism and Security Act 2015", "26", "function"),
    ("ctsa-2015-s36", "Counter-Terrorism and Security Act 2015", "36", "function"),
    ("ctsa-2015-s38", "Counter-Terrorism and Security Act 2015", "38", "duty-to-disclose"),
    ("pcsca-2022-s16", "Police, Crime, Sentencing and Courts Act 2022", "16", "power-to-disclose"),
    ("wra-2012-s131", "Welfare Reform Act 2012", "131", "power-to-disclose"),
    ("oma-2007-s14", "Offender Management Act 2007", "14", "power-to-disclose"),
    ("nhs-act-2006-s82", "National Health Service Act 2006", "82", "function"),
    ("hsca-2012-s251a", "Health and Social Care Act 2012", "251A", "function"),
    ("hsca-2012-s251b", "Health and Social Care Act 2012", "251B", "duty-to-disclose"),
    ("cca-2004-s2", "Civil Contingencies Act 2004", "2", "power-to-disclose"),
    ("dea-2017-s35", "Digital Economy Act 2017", "35", "power-to-disclose"),
    ("dea-2017-s48", "Digital Economy Act 2017", "48", "power-to-disclose"),
    ("dea-2017-s56", "Digital Economy Act 2017", "56", "power-to-disclose"),
    ("housing-act-1996-s213b", "Housing Act 1996", "213B", "duty-to-disclose"),
    ("localism-act-2011-s1", "Localism Act 2011", "1", "function"),
    ("lga-1972-s111", "Local Government Act 1972", "111", "function"),
    ("frsa-2004-s6", "Fire and Rescue Services Act 2004", "6", "function"),
]


def test_the_gateway_table_covers_every_built_in_gateway() -> None:
    assert sorted(row[0] for row in GATEWAYS) == sorted(
        e.id for e in BUILTIN if isinstance(e.basis, StatutoryGateway)
    )


@pytest.mark.parametrize(
    ("basis_id", "act", "section", "nature"), GATEWAYS, ids=[row[0] for row in GATEWAYS]
)
def test_statutory_gateways(basis_id: str, act: str, section: str, nature: str) -> None:
    assert BUILTIN[basis_id].basis == StatutoryGateway(
        act=act,
        section=section,
        nature=nature,  # type: ignore[arg-type]
    )


# --- Typed bases refuse what the law does not have ------------------------------------------


@pytest.mark.parametrize(
    ("part", "paragraph"),
    [(1, 0), (1, 5), (2, 5), (2, 29), (3, 28), (3, 38), (1, True), (4, 1), (0, 1)],
    ids=[
        "part-1-para-0",
        "part-1-para-5-is-the-apd-rule",
        "part-2-para-5-is-the-apd-rule",
        "part-2-para-29-is-part-3",
        "part-3-para-28-is-part-2",
        "part-3-para-38-is-part-4",
        "a-bool-is-not-a-paragraph",
        "no-part-4-conditions",
        "no-part-0",
    ],
)
def test_schedule_1_condition_refuses_impossible_paragraphs(part: Any, paragraph: Any) -> None:
    with pytest.raises(CatalogueError, match="Schedule 1"):
        Schedule1Condition(part=part, paragraph=paragraph, appropriate_policy_document=True)


@given(part=st.sampled_from([1, 2, 3]), paragraph=st.integers(min_value=-3, max_value=45))
def test_schedule_1_condition_exists_exactly_for_paragraphs_of_its_part(
    part: typing.Literal[1, 2, 3], paragraph: int
) -> None:
    lawful = paragraph in SCHEDULE_1_PARAGRAPHS[part]
    try:
        Schedule1Condition(part=part, paragraph=paragraph, appropriate_policy_document=False)
    except CatalogueError:
        assert not lawful
    else:
        assert lawful


@pytest.mark.parametrize("paragraph", [0, 10, -1, True], ids=["zero", "ten", "negative", "bool"])
def test_law_enforcement_basis_refuses_impossible_schedule_8_paragraphs(paragraph: Any) -> None:
    with pytest.raises(CatalogueError, match="Schedule 8"):
        LawEnforcementBasis(ground="law-enforcement-task", schedule_8_paragraph=paragraph)


def test_the_codec_reports_an_impossible_paragraph_the_schema_allows() -> None:
    raw = dict(RAW[0])
    raw["basis"] = {
        "type": "dpa-2018-schedule-1",
        "part": 1,
        "paragraph": 20,  # within the schema's 1-37, but Part 1 ends at paragraph 4
        "appropriate_policy_document": False,
    }
    with pytest.raises(DocumentError, match="Part 1 has no condition in paragraph 20"):
        codec.structure(raw, CatalogueEntry)


@pytest.mark.parametrize(
    "name",
    sorted(
        {
            "uk-gdpr-art6",
            "uk-gdpr-art8a",
            "uk-gdpr-art9",
            "uk-gdpr-art10",
            "dpa-2018-schedule-1",
            "dpa-2018-schedule-a1",
            "dpa-2018-schedule-2",
            "dpa-2018-part-3",
            "statutory-gateway",
            "common-law-power",
            "common-law",
        }
    ),
)
def test_basis_type_maps_each_wire_name_to_its_class(name: str) -> None:
    cls = basis_type(name)
    assert _literals(cls, "type") == {name}


@pytest.mark.parametrize(
    "name",
    ["charter", "UK-GDPR-ART6", "", "None", "uk-gdpr-art6 "],
    ids=["charter", "wrong-case", "empty", "none", "trailing-space"],
)
def test_basis_type_refuses_unknown_types(name: str) -> None:
    with pytest.raises(CatalogueError, match="unknown legal basis type"):
        basis_type(name)


def test_the_schema_and_basis_type_agree_on_the_family() -> None:
    defs = schema.load_schema("common.schema.json")["$defs"]["legal_basis"]
    wire_names = set(defs["properties"]["type"]["enum"])
    for name in wire_names:
        basis_type(name)
    assert {_literals(cls, "type").pop() for cls in typing.get_args(LegalBasis)} == wire_names


# --- Extension ------------------------------------------------------------------------------

PREVENT = CatalogueEntry(
    id="care-act-2014-s2",
    title="Duty of a local authority to prevent needs for care and support",
    citation="Care Act 2014 s.2",
    basis=StatutoryGateway(act="Care Act 2014", section="2", nature="duty"),
)


def test_extended_adds_entries_and_leaves_the_original_alone() -> None:
    extended = BUILTIN.extended([PREVENT])
    assert extended["care-act-2014-s2"] == PREVENT
    assert "care-act-2014-s2" not in BUILTIN
    assert len(extended) == len(BUILTIN) + 1
    assert builtin_catalogue() is BUILTIN  # the shipped catalogue is loaded once


def test_extended_refuses_an_id_with_a_different_basis() -> None:
    clash = CatalogueEntry(
        id="cda-1998-s115",
        title="Disclosure of information",
        citation="Crime and Disorder Act 1998 s.115",
        basis=StatutoryGateway(act="Crime and Disorder Act 1998", section="115", nature="duty"),
    )
    with pytest.raises(CatalogueError, match="'cda-1998-s115' is already defined differently"):
        BUILTIN.extended([clash])
    assert BUILTIN["cda-1998-s115"].basis.nature == "power-to-disclose"  # type: ignore[union-attr]


def test_extended_accepts_an_identical_redeclaration_with_its_own_wording() -> None:
    original = BUILTIN["housing-act-1996-s213b"]
    local = CatalogueEntry(
        id=original.id,
        title="Duty of public authorities to refer cases to a local housing authority",
        citation="Housing Act 1996 s.213B",
        basis=original.basis,
    )
    extended = BUILTIN.extended([local, local])
    merged = extended[original.id]
    assert (merged.title, merged.citation, merged.basis) == (
        local.title,
        local.citation,
        local.basis,
    )
    assert (merged.url, merged.source, merged.in_force) == (
        original.url,
        original.source,
        original.in_force,
    )
    assert len(extended) == len(BUILTIN)


def test_of_refuses_clashes_within_one_batch() -> None:
    other = CatalogueEntry(
        id=PREVENT.id,
        title=PREVENT.title,
        citation=PREVENT.citation,
        basis=StatutoryGateway(act="Care Act 2014", section="2", nature="power"),
    )
    with pytest.raises(CatalogueError):
        Catalogue.of([PREVENT, other])
    assert list(Catalogue.of([PREVENT, PREVENT])) == [PREVENT]


def test_catalogue_lookup() -> None:
    catalogue = Catalogue.of([PREVENT])
    assert catalogue.get("care-act-2014-s2") == PREVENT
    assert catalogue.get("missing") is None
    assert "missing" not in catalogue
    with pytest.raises(KeyError):
        catalogue["missing"]


# --- Through validation ---------------------------------------------------------------------


def _cite(agreement: dict[str, Any], basis_id: str) -> None:
    agreement["flows"][0]["bases"].append(basis_id)


def test_an_agreement_may_declare_its_own_basis(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    _cite(agreement, PREVENT.id)
    assert [f.code for f in validate(agreement, charter=charter, today=TODAY).findings] == ["WS109"]
    agreement["legal_bases"] = [codec.unstructure(PREVENT)]
    assert validate(agreement, charter=charter, today=TODAY).findings == ()


def test_a_caller_may_pass_an_extended_catalogue(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    _cite(agreement, PREVENT.id)
    catalogue = builtin_catalogue().extended([PREVENT])
    report = validate(agreement, charter=charter, today=TODAY, catalogue=catalogue)
    assert report.findings == ()


def test_a_clashing_declaration_is_a_finding_not_an_exception(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    agreement["legal_bases"] = [
        {
            "id": "uk-gdpr-art-6-1-e",
            "title": "Public task",
            "citation": "UK GDPR Article 6(1)(c)",
            "basis": {"type": "uk-gdpr-art6", "point": "c"},
        }
    ]
    report = validate(agreement, charter=charter, today=TODAY)
    assert [(f.code, f.pointer) for f in report.errors] == [("WS013", "/legal_bases")]


def test_an_identical_redeclaration_of_a_builtin_is_accepted(
    charter: dict[str, Any], agreement: dict[str, Any]
) -> None:
    agreement["legal_bases"] = [codec.unstructure(BUILTIN["uk-gdpr-art-6-1-e"])]
    assert validate(agreement, charter=charter, today=TODAY).findings == ()


# --- Typed round trips ----------------------------------------------------------------------

_BASES: st.SearchStrategy[LegalBasis] = st.one_of(
    st.builds(Art6Basis, point=st.sampled_from([p for p in Art6Point if p.value != "ea"])),
    st.builds(
        Art6Basis,
        point=st.just(Art6Point.RECOGNISED_LEGITIMATE_INTERESTS),
        annex_1_paragraph=st.sampled_from(sorted(ANNEX_1_CONDITIONS)) | st.integers(8, 100),
    ),
    st.builds(
        FurtherProcessing,
        condition=st.sampled_from(sorted(_literals(FurtherProcessing, "condition"))),
    ),
    st.builds(InternationalLawCondition, paragraph=st.integers(1, 100)),
    st.builds(
        Schedule2Exemption,
        part=st.sampled_from(sorted(_literals(Schedule2Exemption, "part"))),
        paragraph=st.integers(1, 100),
    ),
    st.builds(CommonLawPower, power=st.just("police-policing-purpose")),
    st.builds(Art9Condition, point=st.sampled_from(Art9Point)),
    st.builds(Art10Basis, authority=st.sampled_from(["official-authority", "authorised-by-law"])),
    st.sampled_from(sorted(SCHEDULE_1_PARAGRAPHS)).flatmap(
        lambda part: st.builds(
            Schedule1Condition,
            part=st.just(part),
            paragraph=st.sampled_from(SCHEDULE_1_PARAGRAPHS[part]),
            appropriate_policy_document=st.booleans(),
        )
    ),
    st.builds(
        LawEnforcementBasis,
        ground=st.sampled_from(["consent", "law-enforcement-task"]),
        schedule_8_paragraph=st.none() | st.sampled_from(SCHEDULE_8_PARAGRAPHS),
        appropriate_policy_document=st.none() | st.booleans(),
        strictly_necessary=st.none() | st.booleans(),
    ),
    st.builds(
        StatutoryGateway,
        act=st.text(min_size=1, max_size=40),
        section=st.text(min_size=1, max_size=8),
        nature=st.sampled_from(sorted(_literals(StatutoryGateway, "nature"))),
    ),
    st.builds(
        CommonLawBasis,
        ground=st.sampled_from(sorted(_literals(CommonLawBasis, "ground"))),
    ),
)


@given(basis=_BASES)
def test_any_basis_round_trips_through_the_codec(basis: LegalBasis) -> None:
    entry = CatalogueEntry(id="local-basis", title="A title", citation="A citation", basis=basis)
    wire = codec.unstructure(entry)
    assert wire["basis"]["type"] == basis.type
    assert codec.structure(wire, CatalogueEntry) == entry


# --- The how-to guide's examples run ----------------------------------------------------------


def test_the_extend_catalogue_guide_runs(capsys: pytest.CaptureFixture[str]) -> None:
    page = (ROOT / "docs" / "how-to" / "extend-catalogue.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, re.DOTALL)
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "extend-catalogue.md", "exec"), {})  # noqa: S102 - our own docs
    assert "is already defined differently" in capsys.readouterr().out
