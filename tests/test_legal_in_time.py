"""The catalogue in time and the DUAA 2025 kinds: dates, sources, (ea), Article 8A, exemptions."""

from __future__ import annotations

import datetime as dt
import re
import typing
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
    Amendment,
    Art6Basis,
    Art6Point,
    CatalogueEntry,
    CommonLawBasis,
    CommonLawPower,
    FurtherProcessing,
    InternationalLawCondition,
    LawEnforcementBasis,
    Schedule2Exemption,
    StatutoryGateway,
)
from woda_sharing.exceptions import CatalogueError, DocumentError
from woda_sharing.rules import builtin_catalogue

BUILTIN = builtin_catalogue()
#: The Data (Use and Access) Act 2025 received Royal Assent on 19 June 2025.
DUAA_ASSENT = dt.date(2025, 6, 19)


def _year_of_act(entry: CatalogueEntry) -> int | None:
    """The year of the act the entry cites (the GDPR counts as 2016), if it names one."""
    if entry.citation.startswith("UK GDPR"):
        return 2016
    match = re.search(r"(?:Act|Regulations) ((?:19|20)[0-9]{2})", entry.citation)
    return int(match.group(1)) if match else None


@pytest.mark.parametrize("entry", list(BUILTIN), ids=[e.id for e in BUILTIN])
def test_every_entry_says_what_it_was_checked_against(entry: CatalogueEntry) -> None:
    assert entry.source, f"{entry.id} records no source"
    if entry.in_force is None and not isinstance(entry.basis, (CommonLawBasis, CommonLawPower)):
        # An entry whose commencement could not be checked says so, rather than guess a date.
        assert "not" in entry.source, entry.source


@pytest.mark.parametrize("entry", list(BUILTIN), ids=[e.id for e in BUILTIN])
def test_dates_follow_the_act_and_each_other(entry: CatalogueEntry) -> None:
    year = _year_of_act(entry)
    if entry.in_force is not None and year is not None:
        assert entry.in_force.year >= year
    previous = entry.in_force or dt.date.min
    for amendment in entry.amended:
        assert amendment.date >= previous, "amendments are listed oldest first, after commencement"
        assert amendment.by
        previous = amendment.date
    if entry.repealed is not None:
        assert entry.in_force is None or entry.repealed > entry.in_force


@pytest.mark.parametrize("entry", list(BUILTIN), ids=[e.id for e in BUILTIN])
def test_statute_points_at_legislation_gov_uk(entry: CatalogueEntry) -> None:
    if isinstance(entry.basis, (CommonLawBasis, CommonLawPower)) and entry.url is None:
        return
    assert entry.url is not None
    assert entry.url.startswith("https://www.legislation.gov.uk/")


#: The provisions the Data (Use and Access) Act 2025 amended, with the commencement dates the
#: stored legislation.gov.uk copies of SI 2025/904 and SI 2026/82 give.
DUAA_AMENDED = {
    "uk-gdpr-art-6-1-e": {dt.date(2025, 8, 20), dt.date(2026, 2, 5)},
    "uk-gdpr-art-6-1-f": {dt.date(2026, 2, 5)},
    "uk-gdpr-art-9-2-g": {dt.date(2025, 8, 20)},
    "uk-gdpr-art-9-2-j": {dt.date(2026, 2, 5)},
    "uk-gdpr-art-10-authorised-by-law": {dt.date(2025, 8, 20)},
    "dpa-2018-sch-1-para-4": {dt.date(2026, 2, 5)},
    "dpa-2018-sch-1-para-23": {dt.date(2026, 2, 5)},
    "dpa-2018-s35-consent": {dt.date(2025, 8, 19)},
}


@pytest.mark.parametrize("basis_id", sorted(DUAA_AMENDED))
def test_the_duaa_amendments_are_recorded(basis_id: str) -> None:
    entry = BUILTIN[basis_id]
    duaa = {a.date for a in entry.amended if "Data (Use and Access) Act 2025" in a.by}
    assert duaa == DUAA_AMENDED[basis_id]
    assert all(d > DUAA_ASSENT for d in duaa)


def test_the_duaa_bases_came_into_force_on_5_february_2026() -> None:
    new = [e for e in BUILTIN if isinstance(e.basis, FurtherProcessing)]
    new += [e for e in BUILTIN if isinstance(e.basis, Art6Basis) and e.basis.annex_1_paragraph]
    assert len(new) == 15
    assert {e.in_force for e in new} == {dt.date(2026, 2, 5)}


def test_every_annex_1_condition_and_annex_2_condition_is_present() -> None:
    paragraphs = {
        e.basis.annex_1_paragraph
        for e in BUILTIN
        if isinstance(e.basis, Art6Basis)
        and e.basis.point is Art6Point.RECOGNISED_LEGITIMATE_INTERESTS
    }
    assert paragraphs == set(ANNEX_1_CONDITIONS)
    conditions = {e.basis.condition for e in BUILTIN if isinstance(e.basis, FurtherProcessing)}
    assert conditions == set(typing.get_args(typing.get_type_hints(FurtherProcessing)["condition"]))


def test_the_article_10_official_authority_pin_cite_is_article_10_1() -> None:
    assert BUILTIN["uk-gdpr-art-10-official-authority"].citation.startswith("UK GDPR Article 10(1)")
    assert "s.10(4)" not in BUILTIN["uk-gdpr-art-10-official-authority"].citation


def test_children_act_2004_s16la_commencement_is_not_guessed() -> None:
    entry = BUILTIN["children-act-2004-s16la"]
    assert entry.in_force is None
    assert "NOT VERIFIED" in entry.citation


@pytest.mark.parametrize(
    ("basis_id", "nature"),
    [
        # The five statutory duties that are not duties to disclose
        ("children-act-2004-s10", "function"),
        ("children-act-2004-s11", "function"),
        ("care-act-2014-s6", "function"),
        ("care-act-2014-s42", "function"),
        ("frsa-2004-s6", "function"),
        # Children Act 1989 s.47 is a duty to provide information only under s.47(9)
        ("children-act-1989-s47", "function"),
        ("children-act-1989-s47-9", "duty-to-disclose"),
    ],
)
def test_nature_says_what_the_provision_does(basis_id: str, nature: str) -> None:
    basis = BUILTIN[basis_id].basis
    assert isinstance(basis, StatutoryGateway)
    assert basis.nature == nature


@pytest.mark.parametrize(
    ("nature", "discloses"),
    [
        ("duty-to-disclose", "duty"),
        ("duty", "duty"),
        ("power-to-disclose", "power"),
        ("power", "power"),
        ("function", "function"),
    ],
)
def test_format_1_natures_keep_their_meaning(nature: Any, discloses: str) -> None:
    gateway = StatutoryGateway(act="Test Act 2020", section="1", nature=nature)
    assert gateway.disclosure == discloses


# --- (ea), Article 8A, Schedule A1, Schedule 2 ----------------------------------------------


def test_recognised_legitimate_interests_need_an_annex_1_condition() -> None:
    with pytest.raises(CatalogueError, match="Annex 1"):
        Art6Basis(point=Art6Point.RECOGNISED_LEGITIMATE_INTERESTS)
    with pytest.raises(CatalogueError, match="only point \\(ea\\)"):
        Art6Basis(point=Art6Point.PUBLIC_TASK, annex_1_paragraph=1)


@given(st.integers(min_value=-2, max_value=12))
def test_annex_1_paragraphs_that_interpret_are_not_conditions(paragraph: int) -> None:
    point = Art6Point.RECOGNISED_LEGITIMATE_INTERESTS
    if paragraph in ANNEX_1_CONDITIONS or paragraph > 7:  # regulations may add paragraphs
        assert Art6Basis(point=point, annex_1_paragraph=paragraph).annex_1_paragraph == paragraph
    else:
        with pytest.raises(CatalogueError, match="Annex 1"):
            Art6Basis(point=point, annex_1_paragraph=paragraph)


def _entry(basis: dict[str, Any]) -> dict[str, Any]:
    return {"id": "x", "title": "x", "citation": "x", "basis": basis}


def _entry_validator() -> Draft202012Validator:
    """The published schema's check of one legal-basis entry."""
    registry: Registry[Any] = Registry().with_resource(
        schema.SCHEMA_BASE + "common.schema.json",
        Resource.from_contents(
            schema.load_schema("common.schema.json"), default_specification=DRAFT202012
        ),
    )
    return Draft202012Validator(
        {"$ref": schema.SCHEMA_BASE + "common.schema.json#/$defs/legal_basis_entry"},
        registry=registry,
    )


@pytest.mark.parametrize(
    "basis",
    [
        {"type": "uk-gdpr-art6", "point": "ea"},
        {"type": "uk-gdpr-art6", "point": "e", "annex_1_paragraph": 1},
        {"type": "uk-gdpr-art8a", "condition": "because-we-said-so"},
        {"type": "dpa-2018-schedule-2", "part": 7, "paragraph": 2},
        {"type": "statutory-gateway", "act": "X Act 2000", "section": "1", "nature": "may"},
        {"type": "dpa-2018-part-3", "ground": "consent", "strictly_necessary": "yes"},
    ],
    ids=["ea-alone", "annex-1-on-e", "unknown-annex-2", "no-part-7", "unknown-nature", "not-bool"],
)
def test_the_schema_refuses_malformed_new_bases(basis: dict[str, Any]) -> None:
    validator = _entry_validator()
    assert list(validator.iter_errors(_entry(basis)))


@pytest.mark.parametrize(
    ("basis", "cls"),
    [
        ({"type": "uk-gdpr-art6", "point": "ea", "annex_1_paragraph": 5}, Art6Basis),
        ({"type": "uk-gdpr-art8a", "condition": "crime"}, FurtherProcessing),
        ({"type": "dpa-2018-schedule-a1", "paragraph": 1}, InternationalLawCondition),
        ({"type": "dpa-2018-schedule-2", "part": 1, "paragraph": 5}, Schedule2Exemption),
        ({"type": "common-law-power", "power": "police-policing-purpose"}, CommonLawPower),
        (
            {
                "type": "dpa-2018-part-3",
                "ground": "law-enforcement-task",
                "schedule_8_paragraph": 4,
                "appropriate_policy_document": False,
                "strictly_necessary": True,
            },
            LawEnforcementBasis,
        ),
    ],
    ids=["ea", "art8a", "schedule-a1", "schedule-2", "common-law-power", "part-3-safeguards"],
)
def test_new_bases_round_trip(basis: dict[str, Any], cls: type) -> None:
    raw = {
        **_entry(basis),
        "url": "https://www.legislation.gov.uk/ukpga/2018/12",
        "in_force": "2018-05-25",
        "amended": [{"date": "2026-02-05", "by": "an act"}],
        "source": "a test",
    }
    validator = _entry_validator()
    assert not list(validator.iter_errors(raw))
    entry = codec.structure(raw, CatalogueEntry)
    assert isinstance(entry.basis, cls)
    assert entry.amended == (Amendment(date=dt.date(2026, 2, 5), by="an act"),)
    assert codec.unstructure(entry) == raw


def test_the_codec_refuses_ea_without_its_condition_even_past_the_schema() -> None:
    with pytest.raises(DocumentError, match="Annex 1"):
        codec.structure(_entry({"type": "uk-gdpr-art6", "point": "ea"}), CatalogueEntry)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 2, 4), False),
        (dt.date(2026, 2, 5), True),
        (dt.date(2030, 1, 1), True),
    ],
)
def test_in_force_on(day: dt.date, expected: bool) -> None:
    assert BUILTIN["uk-gdpr-art-6-1-ea-annex-1-para-5"].in_force_on(day) is expected


def test_in_force_on_knows_repeal_and_unknown_dates() -> None:
    old = CatalogueEntry(
        id="old",
        title="old",
        citation="old",
        basis=Art6Basis(point=Art6Point.PUBLIC_TASK),
        in_force=dt.date(2000, 3, 1),
        repealed=dt.date(2018, 5, 25),
    )
    assert old.in_force_on(dt.date(2018, 5, 24)) is True
    assert old.in_force_on(dt.date(2018, 5, 25)) is False
    assert BUILTIN["cda-1998-s115"].in_force_on(dt.date(1990, 1, 1)) is None


@pytest.mark.parametrize("paragraph", [0, -1, True], ids=["zero", "negative", "bool"])
def test_schedule_a1_and_schedule_2_refuse_impossible_paragraphs(paragraph: Any) -> None:
    with pytest.raises(CatalogueError, match="Schedule A1"):
        InternationalLawCondition(paragraph=paragraph)
    with pytest.raises(CatalogueError, match="Schedule 2"):
        Schedule2Exemption(part=1, paragraph=paragraph)


def test_a_redeclaration_keeps_the_recorded_dates_and_refuses_other_ones() -> None:
    import attrs

    from woda_sharing import CatalogueError
    from woda_sharing.rules import builtin_catalogue

    builtin = builtin_catalogue()
    dated = next(e for e in builtin if e.in_force is not None)
    undated = attrs.evolve(dated, title="Local title", in_force=None, url=None, source=None)
    merged = builtin.extended([undated])
    assert merged[dated.id].title == "Local title"
    assert merged[dated.id].in_force == dated.in_force
    assert merged[dated.id].source == dated.source
    moved = attrs.evolve(dated, in_force=dated.in_force.replace(year=1990))
    with pytest.raises(CatalogueError, match="in_force"):
        builtin.extended([moved])
