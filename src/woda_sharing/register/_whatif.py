"""What-if policies: the register's charter and agreements with proposed documents put in their place.

`proposed_policy` compiles the policy that would be in force if *proposed*
documents (an amendment of an agreement, a new agreement, or a new version
of the charter) were endorsed: the register's current documents, with each
proposed one replacing the stored document of the same kind and id. Under a
new charter version the stored agreements are taken as if they cited it.
Replay the log against it with `DecisionLog.replay`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import evolve

from woda_sharing import _canonical as canonical
from woda_sharing import _codec as codec
from woda_sharing._decisions import Policy
from woda_sharing._model import Agreement, Charter, CharterRef
from woda_sharing._validation import CharterInfo, validate
from woda_sharing.exceptions import PolicyError, UsageError
from woda_sharing.register._core import Query, State

if TYPE_CHECKING:
    from woda_sharing.register._store import Register

__all__ = ["proposed_policy"]


def proposed_policy(
    register: Register, charter: str, proposed: Iterable[Mapping[str, Any]]
) -> Policy:
    """The policy of charter *charter* in *register* if the *proposed* documents were in force.

    Each proposed document (wire JSON) is validated; a proposed charter must
    have the id *charter*, and replaces its current version; each proposed
    agreement replaces the current agreement of its id, or is added. Proposed
    documents count as endorsed (the question is what would change if partners
    endorsed them); stored agreements count as endorsed as at import. Raises
    `PolicyError` when a proposed document is not valid or does not fit.
    """
    docs = list(proposed)
    if not all(isinstance(d, Mapping) for d in docs):
        raise UsageError("proposed documents are wire mappings")
    new_charters = [d for d in docs if d.get("kind") == "charter"]
    others = [d for d in docs if d.get("kind") not in ("charter", "agreement")]
    if others or len(new_charters) > 1:
        raise PolicyError("propose at most one charter, and agreements")
    if new_charters:
        data = new_charters[0]
        if data.get("id") != charter:
            raise PolicyError(f"the proposed charter is {data.get('id')!r}, not {charter!r}")
        report = validate(data)
        if not report.ok or not isinstance(report.document, Charter):
            first = report.errors[0] if report.errors else None
            raise PolicyError(
                f"the proposed charter is not valid: {first.code + ' ' + first.message if first else ''}"
            )
        info = CharterInfo(report.document, canonical.digest(data))
    else:
        data = register.body("charter", charter)
        info = CharterInfo(codec.structure_schema_valid(data, Charter), canonical.digest(data))
    typed = info.charter
    cites = CharterRef(id=typed.id, version=typed.version, digest=info.digest or "")
    agreements: dict[str, Agreement | Mapping[str, Any]] = {}
    endorsed: dict[str, bool] = {}
    digests: dict[str, str] = {}
    for entry, body in register.bodies(Query(charter=charter, current=True)):
        stored = codec.structure_schema_valid(body, Agreement)
        if new_charters:
            stored = evolve(stored, charter=cites)  # as if re-pointed at the new version
        elif entry.charter != (typed.id, typed.version):
            continue
        else:
            digests[entry.id] = entry.digest
        agreements[entry.id] = stored
        endorsed[entry.id] = entry.state is State.ENDORSED
    for d in docs:
        if d.get("kind") == "agreement":
            ident = str(d.get("id"))
            agreements[ident] = d
            endorsed[ident] = True
            digests.pop(ident, None)
    return Policy.compile(info, agreements.values(), endorsed=endorsed, digests=digests)
