"""Legal bases in plain English, with a link to the provision on legislation.gov.uk.

A reader signing off an agreement should see what each basis means and be one
click from the law itself. The wording here explains; the catalogue entry's
``citation`` stays the authority and is always shown beside it.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote

from attrs import frozen

from woda_sharing._legal import (
    Art6Basis,
    Art9Condition,
    Art10Basis,
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
)

__all__ = ["Explained", "explain"]

LEGISLATION: Final = "https://www.legislation.gov.uk"
_UK_GDPR: Final = f"{LEGISLATION}/eur/2016/679"
_DPA_2018: Final = f"{LEGISLATION}/ukpga/2018/12"

#: Acts the catalogue's gateways cite, by short title: (type, year, chapter) on legislation.gov.uk.
ACTS: Final = {
    "Care Act 2014": "ukpga/2014/23",
    "Children Act 1989": "ukpga/1989/41",
    "Children Act 2004": "ukpga/2004/31",
    "Crime and Disorder Act 1998": "ukpga/1998/37",
    "Digital Economy Act 2017": "ukpga/2017/30",
    "Fire and Rescue Services Act 2004": "ukpga/2004/21",
    "Health and Social Care Act 2012": "ukpga/2012/7",
    "Housing Act 1996": "ukpga/1996/52",
    "Local Government Act 1972": "ukpga/1972/70",
    "Localism Act 2011": "ukpga/2011/20",
    "National Health Service Act 2006": "ukpga/2006/41",
}

_ART6: Final = {
    "a": "The person has given consent to the processing for this purpose.",
    "b": "The processing is needed for a contract with the person.",
    "c": "The processing is needed to comply with a legal obligation.",
    "d": "The processing is needed to protect someone's life.",
    "e": "The processing is needed to perform a task in the public interest or to exercise official authority vested in the organisation.",
    "ea": "The processing is needed for a recognised legitimate interest, a condition in Annex 1 to UK GDPR.",
    "f": "The processing is needed for legitimate interests that the person's interests do not override (not available to public authorities for their public tasks).",
}

_ART9: Final = {
    "a": "The person has given explicit consent.",
    "b": "The processing is needed for obligations in employment, social security or social protection law.",
    "c": "The processing is needed to protect someone's life when they cannot give consent.",
    "d": "Processing by a not-for-profit body about its members.",
    "e": "The person has made the information public themselves.",
    "f": "The processing is needed for legal claims or by courts.",
    "g": "The processing is needed for reasons of substantial public interest, with a condition in DPA 2018 Schedule 1 Part 2.",
    "h": "The processing is needed for health or social care, by or under a professional's duty of confidentiality.",
    "i": "The processing is needed for reasons of public interest in public health.",
    "j": "The processing is needed for archiving, research or statistics, with safeguards.",
}

_COMMON_LAW: Final = {
    "implied-consent": "The duty of confidence is met by implied consent, for the person's direct care.",
    "explicit-consent": "The person who gave the information in confidence has explicitly agreed to the sharing.",
    "legal-requirement": "A statute or a court order requires the disclosure.",
    "section-251-support": "The sharing has support under section 251 of the National Health Service Act 2006.",
    "overriding-public-interest": "The public interest in sharing outweighs the duty of confidence in this case.",
}


@frozen(kw_only=True)
class Explained:
    """A catalogue entry for readers: what it means and where the law is."""

    id: str
    title: str
    citation: str
    plain: str
    url: str | None


def _section(section: str) -> str:
    return quote(section.lower(), safe="")


def explain(entry: CatalogueEntry) -> Explained:
    """Return *entry* in plain English with a link to its provision.

    The entry's own ``url`` wins; otherwise the link is built from the basis.
    A kind of basis this module does not know is shown by its title, unlinked.
    """
    plain, url = _explain(entry.basis, entry.title)
    return Explained(
        id=entry.id,
        title=entry.title,
        citation=entry.citation,
        plain=plain,
        url=entry.url or url,
    )


def _explain(basis: LegalBasis, title: str) -> tuple[str, str | None]:  # noqa: PLR0911 - one return per kind of basis
    if isinstance(basis, Art6Basis):
        plain = _ART6.get(basis.point.value, f"{title}.")
        if basis.annex_1_paragraph is not None:
            plain = f"{plain[:-1]} (paragraph {basis.annex_1_paragraph})."
        return plain, f"{_UK_GDPR}/article/6"
    if isinstance(basis, FurtherProcessing):
        return (
            (
                "Further processing for a new purpose that is compatible with the original one"
                f" ({humane(basis.condition)}). Compatibility is not a lawful basis in itself."
            ),
            f"{_UK_GDPR}/article/8A",
        )
    if isinstance(basis, Art9Condition):
        text = _ART9.get(basis.point.value, f"{title}.")
        return f"Special category data: {text[0].lower()}{text[1:]}", f"{_UK_GDPR}/article/9"
    if isinstance(basis, Art10Basis):
        how = (
            "under the control of official authority"
            if basis.authority == "official-authority"
            else "as authorised by law, with a condition in DPA 2018 Schedule 1"
        )
        return f"Criminal offence data, processed {how}.", f"{_UK_GDPR}/article/10"
    if isinstance(basis, Schedule1Condition):
        policy = (
            " The organisation holds the appropriate policy document the Schedule requires."
            if basis.appropriate_policy_document
            else ""
        )
        return (
            (
                f"A condition in Part {basis.part} of Schedule 1 to the Data Protection Act 2018"
                f" (paragraph {basis.paragraph}): {title}.{policy}"
            ),
            f"{_DPA_2018}/schedule/1/paragraph/{basis.paragraph}",
        )
    if isinstance(basis, InternationalLawCondition):
        return (
            (
                "Relevant international law, a condition in Schedule A1 to the Data Protection Act"
                f" 2018 (paragraph {basis.paragraph})."
            ),
            f"{_DPA_2018}/schedule/A1/paragraph/{basis.paragraph}",
        )
    if isinstance(basis, Schedule2Exemption):
        return (
            (
                f"An exemption in Part {basis.part} of Schedule 2 to the Data Protection Act 2018"
                f" (paragraph {basis.paragraph}): it disapplies the provisions it lists so far as"
                " they would prejudice its purpose. It is not a lawful basis."
            ),
            f"{_DPA_2018}/schedule/2/paragraph/{basis.paragraph}",
        )
    if isinstance(basis, LawEnforcementBasis):
        return _law_enforcement(basis)
    if isinstance(basis, StatutoryGateway):
        act = ACTS.get(basis.act)
        url = (
            f"{LEGISLATION}/{act}/section/{_section(basis.section)}"
            if act
            else f"{LEGISLATION}/all?title={quote(basis.act)}"
        )
        what = {
            "duty": "A statutory duty to share",
            "power": "A statutory power to share",
            "function": "A statutory function that implies sharing to carry it out",
        }[basis.disclosure]
        return (
            (
                f"{what}: {basis.act}, section {basis.section}."
                " It sits beside a UK GDPR basis, never in place of one."
            ),
            url,
        )
    if isinstance(basis, CommonLawPower):
        return (
            (
                "The police's common law power to disclose for a policing purpose. It sits beside"
                " a UK GDPR or Part 3 basis, never in place of one."
            ),
            None,
        )
    assert isinstance(basis, CommonLawBasis)  # noqa: S101 - the family is closed
    section_251 = (
        f"{LEGISLATION}/{ACTS['National Health Service Act 2006']}/section/251"
        if basis.ground == "section-251-support"
        else None
    )
    return f"Common law duty of confidentiality: {_COMMON_LAW[basis.ground]}", section_251


def _law_enforcement(basis: LawEnforcementBasis) -> tuple[str, str]:
    ground = (
        "with the person's consent"
        if basis.ground == "consent"
        else "as needed for a law enforcement task of a competent authority"
    )
    if basis.schedule_8_paragraph is None:
        return (
            f"Law enforcement processing under Part 3 of the Data Protection Act 2018, {ground}.",
            f"{_DPA_2018}/section/35",
        )
    return (
        (
            f"Sensitive law enforcement processing under Part 3 of the Data Protection Act 2018,"
            f" {ground}, with the condition in Schedule 8 paragraph {basis.schedule_8_paragraph}."
        ),
        f"{_DPA_2018}/schedule/8/paragraph/{basis.schedule_8_paragraph}",
    )


def humane(value: str) -> str:
    """An identifier as words."""
    return value.replace("-", " ")
