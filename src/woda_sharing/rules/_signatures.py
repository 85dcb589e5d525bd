"""Rules on signatories and signed paper originals, in charters and agreements.

A document records who signed it for each body (a post, a date, whether on
paper) and where each signed paper original is held. A paper original is
either a print of an earlier digital version, whose digest the rendering
prints on every page, or came first and is transcribed by this document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Set

from woda_sharing._findings import Severity, pointer
from woda_sharing._model import Agreement, Charter
from woda_sharing.rules import BUILTIN, AgreementContext, CharterContext, Hit

__all__: list[str] = []

rule = BUILTIN.rule


def _unknown_bodies(document: Charter | Agreement, known: Set[str], what: str) -> Iterator[Hit]:
    for i, signatory in enumerate(document.signatories):
        if signatory.organisation not in known:
            yield Hit(
                pointer=pointer("signatories", i, "organisation"),
                message=f"signatory body {signatory.organisation!r} is not {what}",
                hint="name the body by its charter member id",
            )
    for i, paper in enumerate(document.paper_originals):
        if paper.held_by not in known:
            yield Hit(
                pointer=pointer("paper_originals", i, "held_by"),
                message=f"the body holding the paper original, {paper.held_by!r}, is not {what}",
                hint="name the body by its charter member id",
            )


def _inconsistent(document: Charter | Agreement, today: dt.date) -> Iterator[Hit]:
    for i, paper in enumerate(document.paper_originals):
        if paper.version is not None and paper.version >= document.version:
            yield Hit(
                pointer=pointer("paper_originals", i, "version"),
                message=f"the paper original is of version {paper.version}, but this is version {document.version}: a document cannot record the digest of itself or of a later version",
                hint="record a paper original of this version in the next version, with the digest printed on its pages",
            )
        previous = document.supersedes
        if (
            previous is not None
            and paper.version == previous.version
            and paper.digest != previous.digest
        ):
            yield Hit(
                pointer=pointer("paper_originals", i, "digest"),
                message=f"the paper original of version {paper.version} carries another digest than the version this one supersedes",
                hint="check the digest printed on the signed pages: the paper is not the version this one amends",
            )
        if paper.signed > today:
            yield Hit(
                pointer=pointer("paper_originals", i, "signed"),
                message=f"the paper original is dated {paper.signed.isoformat()}, after today",
            )
    for i, signatory in enumerate(document.signatories):
        if signatory.date > today:
            yield Hit(
                pointer=pointer("signatories", i, "date"),
                message=f"{signatory.organisation!r} signed on {signatory.date.isoformat()}, after today",
            )


def _paper_without_original(document: Charter | Agreement) -> Iterator[Hit]:
    if document.paper_originals:
        return
    for i, signatory in enumerate(document.signatories):
        if signatory.on_paper:
            yield Hit(
                pointer=pointer("signatories", i, "on_paper"),
                message=f"{signatory.organisation!r} signed on paper, but no paper original is recorded",
                hint="record in paper_originals when it was signed, who holds it and where",
            )


@rule("WS133", title="Signatory or paper original of an unknown body")
def agreement_bodies(ctx: AgreementContext) -> Iterator[Hit]:
    """Every signatory of an agreement, and every body holding a paper original of it, must be one of its parties' organisations."""
    known = {p.organisation for p in ctx.agreement.parties}
    yield from _unknown_bodies(ctx.agreement, known, "an organisation of a party")


@rule("WS331", title="Paper original or signature out of order")
def agreement_paper_order(ctx: AgreementContext) -> Iterator[Hit]:
    """A paper original must be of an earlier version, with the digest of the version it was printed from, and no signature may be dated after today.

    A document cannot carry its own digest, so a print of this version is
    recorded in the next one; when that is the version it supersedes, the
    digests must agree.
    """
    yield from _inconsistent(ctx.agreement, ctx.today)


@rule("WS332", title="Signed on paper without a record of the original", severity=Severity.WARNING)
def agreement_paper_recorded(ctx: AgreementContext) -> Iterator[Hit]:
    """A signatory marked ``on_paper`` needs a paper original recorded in ``paper_originals``: when it was signed, who holds it and where."""
    yield from _paper_without_original(ctx.agreement)


@rule("WS622", title="Charter signatory or paper original of an unknown body", applies_to="charter")
def charter_bodies(ctx: CharterContext) -> Iterator[Hit]:
    """Every signatory of a charter, and every body holding a paper original of it, must be a charter member."""
    yield from _unknown_bodies(ctx.charter, ctx.members.keys(), "a charter member")


@rule("WS623", title="Charter paper original or signature out of order", applies_to="charter")
def charter_paper_order(ctx: CharterContext) -> Iterator[Hit]:
    """As WS331, for a charter: a paper original is of an earlier version with its digest, and no signature is dated after today."""
    yield from _inconsistent(ctx.charter, ctx.today)


@rule(
    "WS624",
    title="Charter signed on paper without a record of the original",
    severity=Severity.WARNING,
    applies_to="charter",
)
def charter_paper_recorded(ctx: CharterContext) -> Iterator[Hit]:
    """As WS332, for a charter: a signatory marked ``on_paper`` needs a recorded paper original."""
    yield from _paper_without_original(ctx.charter)
