"""WS109 as it was before issue 16 made it faster: the oracle of
tests/rules/test_differential.py (a copy; only the table it registers in differs).
"""

from __future__ import annotations

from collections.abc import Iterator

from tests.rules._legacy import LEGACY
from woda_sharing._findings import pointer
from woda_sharing.rules import AgreementContext, Hit, cited_bases
from woda_sharing.rules._references import _guess

__all__: list[str] = []


@LEGACY.rule("WS109", title="Flow cites an unknown legal basis")
def basis_known(ctx: AgreementContext) -> Iterator[Hit]:
    """Every basis id a flow cites must resolve in the catalogue (built-in, charter or agreement entries)."""
    documents = ctx.document_ids
    for i, flow in enumerate(ctx.agreement.flows):
        for tokens, basis in cited_bases(flow):
            if basis in ctx.catalogue or basis in documents:
                continue  # the charter or agreement cited as a basis: WS206
            yield Hit(
                pointer=pointer("flows", i, *tokens),
                message=f"legal basis {basis!r} is not in the catalogue"
                f"{_guess(basis, (entry.id for entry in ctx.catalogue))}",
                hint="cite a built-in basis id, or declare it under legal_bases with its citation",
            )
