"""Amendments: accept a new version only with the consent the trusted version requires.

`verify` judges a document by its own endorsement rule, so on its own it
cannot tell an amendment agreed by the partnership from one written by a
single member: a charter version 2 that lists one member, or lowers its
threshold, is "fully endorsed" by that one member. `verify_update` adopts the
rule TUF uses to rotate its root keys: a candidate version is accepted only if

1. it follows the trusted version along a sound chain (`check_update`: a
   higher version, each version superseding the previous one by its exact
   digest; no rollback, fork or gap);
2. its endorsements meet the **trusted** version's rule: the members (for a
   charter) or parties (for an agreement) of the version it amends consent to
   it, as many as that version requires, in the roles it accepts;
3. it meets its **own** rule, as `verify` judges it.

With intermediate versions each step is checked in turn, so every version
was agreed under the rule of the one before it. Members or parties that an
amendment removes must therefore endorse it too when the old rule needs
them; their endorsements are cryptographically checked like any other and
count towards the old rule only (`verify` of the new version alone reports
them as ``organisation-not-expected``, since the new version does not list
them).

`verify_update` never raises for a bad document; `require_update` is its
raising twin.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing import _signing as signing
from woda_sharing._chain import check_update
from woda_sharing._codec import structure
from woda_sharing._keyring import Keyring
from woda_sharing._model import Agreement, Charter
from woda_sharing._signing import (
    EndorsementRequirement,
    Status,
    VerificationResult,
    endorsement_requirement,
    verify,
)
from woda_sharing.exceptions import (
    CanonicalizationError,
    ChainError,
    DocumentError,
    UpdateError,
    UsageError,
)

__all__ = [
    "RuleCheck",
    "UpdateCheck",
    "UpdateResult",
    "UpdateStep",
    "endorsed_by_keyring",
    "require_update",
    "verify_update",
]

#: Statuses of endorsements whose signature, key and time are sound; only the rule they were
#: checked against (the candidate's own) refused them.
_SOUND: Final = frozenset(
    {Status.VALID, Status.ORGANISATION_NOT_EXPECTED, Status.ROLE_NOT_ACCEPTED}
)


class UpdateCheck(enum.Enum):
    """The checks an update must pass, in the order they run."""

    CHAIN = "chain"
    TRUSTED_RULE = "trusted-rule"
    CANDIDATE_RULE = "candidate-rule"


@frozen(kw_only=True)
class RuleCheck:
    """One version's endorsement rule applied to the endorsements of the next version."""

    version: int
    rule: str
    met: bool
    endorsed: tuple[str, ...]
    pending: tuple[str, ...]
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing verify --trusted --format json``."""
        return {
            "version": self.version,
            "rule": self.rule,
            "met": self.met,
            "endorsed": list(self.endorsed),
            "pending": list(self.pending),
            "problems": list(self.problems),
        }


@frozen(kw_only=True)
class UpdateStep:
    """One step from a version to the next: the old rule's verdict and the new version's own."""

    from_version: int
    to_version: int
    trusted_rule: RuleCheck
    candidate: VerificationResult
    failed: tuple[UpdateCheck, ...]

    @property
    def ok(self) -> bool:
        """Whether both rules are met."""
        return not self.failed

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing verify --trusted --format json``."""
        return {
            "from_version": self.from_version,
            "to_version": self.to_version,
            "failed": [c.value for c in self.failed],
            "trusted_rule": self.trusted_rule.as_dict(),
            "candidate": self.candidate.as_dict(),
        }


@frozen(kw_only=True)
class UpdateResult:
    """The verdict on moving from a trusted version to a candidate; truthy exactly when accepted.

    ``failed`` names the first check that failed (`UpdateCheck`), ``None``
    when the update is accepted; ``steps`` holds each step's verdicts (empty
    when the chain itself is broken); ``problems`` says why in words.
    """

    accepted: bool
    failed: UpdateCheck | None
    kind: str | None
    id: str | None
    trusted_version: int | None
    candidate_version: int | None
    steps: tuple[UpdateStep, ...]
    problems: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.accepted

    def as_dict(self) -> dict[str, Any]:
        """The JSON form used by ``woda-sharing verify --trusted --format json``."""
        return {
            "accepted": self.accepted,
            "failed": self.failed.value if self.failed else None,
            "kind": self.kind,
            "id": self.id,
            "trusted_version": self.trusted_version,
            "candidate_version": self.candidate_version,
            "problems": list(self.problems),
            "steps": [s.as_dict() for s in self.steps],
        }


def _version(document: Mapping[str, Any]) -> int | None:
    version = document.get("version")
    return version if type(version) is int else None


def _content(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "endorsements"}


def _charter_for(
    agreement: Mapping[str, Any], pool: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The charter in *pool* that *agreement* names exactly, else the first one given (or none)."""
    ref = agreement.get("charter")
    if isinstance(ref, Mapping):
        for charter in pool:
            try:
                digest = canonical.digest(charter)
            except CanonicalizationError:
                continue
            named = (ref.get("id"), ref.get("version"), ref.get("digest"))
            if named == (charter.get("id"), charter.get("version"), digest) and type(
                ref.get("version")
            ) is type(charter.get("version")):
                return charter
    return pool[0] if pool else None


def _unmet(problem: str) -> EndorsementRequirement:
    return EndorsementRequirement(
        description="unknown", expected=frozenset(), roles=None, threshold=0, problems=(problem,)
    )


def _requirement(
    document: Mapping[str, Any], pool: Sequence[Mapping[str, Any]]
) -> EndorsementRequirement:
    """Who had to endorse *document*: the rule its successor must also meet (fails closed)."""
    version = document.get("version")
    try:
        if document.get("kind") == "charter":
            return endorsement_requirement(structure(_content(document), Charter))
        agreement = structure(_content(document), Agreement)
    except DocumentError as e:
        return _unmet(f"version {version} does not structure: {e}")
    charter = _charter_for(document, pool)
    ref = agreement.charter
    if charter is None:
        return _unmet(f"version {version}'s charter was not given")
    try:
        digest = canonical.digest(charter)
        typed = structure(_content(charter), Charter)
    except (CanonicalizationError, DocumentError) as e:
        return _unmet(f"the charter of version {version} cannot be read: {e}")
    if (ref.id, ref.version, ref.digest) != (typed.id, typed.version, digest):
        return _unmet(
            f"the charter given is not the exact charter version that version {version} names"
            f" ({ref.id} version {ref.version})"
        )
    return endorsement_requirement(agreement, charter=typed)


def _step(
    previous: Mapping[str, Any],
    current: Mapping[str, Any],
    ring: Keyring,
    pool: Sequence[Mapping[str, Any]],
    at: dt.datetime,
) -> UpdateStep:
    charter = _charter_for(current, pool) if current.get("kind") == "agreement" else None
    own = verify(current, ring, charter=charter, at=at)
    old = _requirement(previous, pool)
    counted = {
        s.organisation
        for s in own.endorsements
        if s.status in _SOUND
        and s.organisation in old.expected
        and (old.roles is None or s.role in old.roles)
    }
    met = not old.problems and old.threshold >= 1 and len(counted) >= old.threshold
    trusted = RuleCheck(
        version=_version(previous) or 0,
        rule=old.description,
        met=met,
        endorsed=tuple(sorted(counted)),
        pending=tuple(sorted(old.expected - counted)),
        problems=old.problems,
    )
    # The candidate's own verdict, except that the old rule's members may have endorsed it
    # though the new version no longer lists them (or their role): their consent is the point.
    departing_ok = all(
        s.valid
        or (
            s.status in _SOUND
            and s.organisation in old.expected
            and (old.roles is None or s.role in old.roles)
        )
        for s in own.endorsements
    )
    own_ok = own.rule_met and not own.problems and departing_ok
    failed = tuple(
        check
        for check, ok in ((UpdateCheck.TRUSTED_RULE, met), (UpdateCheck.CANDIDATE_RULE, own_ok))
        if not ok
    )
    return UpdateStep(
        from_version=_version(previous) or 0,
        to_version=_version(current) or 0,
        trusted_rule=trusted,
        candidate=own,
        failed=failed,
    )


def verify_update(
    trusted: Mapping[str, Any],
    candidate: Mapping[str, Any],
    keyring: Keyring | Mapping[str, Any],
    *,
    at: dt.datetime,
    intermediates: Sequence[Mapping[str, Any]] = (),
    charter: Mapping[str, Any] | None = None,
    charters: Iterable[Mapping[str, Any]] = (),
) -> UpdateResult:
    """Judge whether *candidate* may replace *trusted*: a sound chain, and both rules met.

    *trusted* is the version the caller already trusts, *candidate* the one
    presented as newer, *intermediates* the versions between them (each step
    is judged in turn). For agreements, *charter* and *charters* are the
    charters the versions sit under: each version is judged with the charter
    it names exactly (by id, version and digest), so give every charter
    version involved when the agreement moved to an amended charter.
    Endorsements are verified against *keyring* at time *at*.

    Never raises for a bad document; raises `UsageError` when the arguments
    are not mappings or *at* is not timezone-aware, and `KeyringError` when
    the keyring is refused.
    """
    given: tuple[object, ...] = (trusted, candidate, *intermediates)
    if not all(isinstance(d, Mapping) for d in given):
        raise UsageError("the trusted, candidate and intermediate documents are mappings")
    when: object = at
    if not isinstance(when, dt.datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise UsageError("at must be a timezone-aware datetime")
    pool = [c for c in (charter, *charters) if c is not None]
    if not all(isinstance(c, Mapping) for c in pool):
        raise UsageError("charters are mappings")
    ring = keyring if isinstance(keyring, Keyring) else Keyring.from_data(keyring)
    kind, ident = candidate.get("kind"), candidate.get("id")
    head: dict[str, Any] = {
        "kind": kind if isinstance(kind, str) else None,
        "id": ident if isinstance(ident, str) else None,
        "trusted_version": _version(trusted),
        "candidate_version": _version(candidate),
    }
    try:
        check_update(trusted, candidate, intermediates)
    except ChainError as e:
        return UpdateResult(
            accepted=False, failed=UpdateCheck.CHAIN, steps=(), problems=(str(e),), **head
        )
    if head["kind"] not in ("charter", "agreement"):
        problem = f"a document of kind {kind!r} carries no endorsements"
        return UpdateResult(
            accepted=False, failed=UpdateCheck.CHAIN, steps=(), problems=(problem,), **head
        )
    ordered = sorted((trusted, *intermediates, candidate), key=lambda d: _version(d) or 0)
    steps = tuple(_step(a, b, ring, pool, at) for a, b in itertools.pairwise(ordered))
    problems: list[str] = []
    for step in steps:
        where = f"version {step.to_version}"
        if UpdateCheck.TRUSTED_RULE in step.failed:
            rule = step.trusted_rule
            missing = ", ".join(rule.pending) or "none"
            problems.append(
                f"{where} does not meet the rule of version {step.from_version} ({rule.rule});"
                f" consent missing from: {missing}"
                + (f" ({'; '.join(rule.problems)})" if rule.problems else "")
            )
        if UpdateCheck.CANDIDATE_RULE in step.failed:
            reasons = list(step.candidate.problems) or [f"its own rule ({step.candidate.rule})"]
            problems.append(f"{where} does not verify under its own rule: {'; '.join(reasons)}")
    first = next((c for s in steps for c in s.failed), None)
    return UpdateResult(
        accepted=first is None, failed=first, steps=steps, problems=tuple(problems), **head
    )


def require_update(
    trusted: Mapping[str, Any],
    candidate: Mapping[str, Any],
    keyring: Keyring | Mapping[str, Any],
    *,
    at: dt.datetime,
    intermediates: Sequence[Mapping[str, Any]] = (),
    charter: Mapping[str, Any] | None = None,
    charters: Iterable[Mapping[str, Any]] = (),
) -> UpdateResult:
    """Judge like `verify_update`, and raise `UpdateError` unless the update is accepted."""
    result = verify_update(
        trusted,
        candidate,
        keyring,
        at=at,
        intermediates=intermediates,
        charter=charter,
        charters=charters,
    )
    if not result:
        what = f"{result.kind or 'document'} {result.id or '?'}"
        raise UpdateError(
            f"{what} version {result.candidate_version} is not accepted as an update of version"
            f" {result.trusted_version}: {result.failed.value if result.failed else '?'}:"
            f" {'; '.join(result.problems)}",
            update=result,
        )
    return result


def _version_of(document: Mapping[str, Any]) -> int:
    version = document.get("version")
    return version if type(version) is int else 0


def endorsed_by_keyring(
    charter: Mapping[str, Any],
    agreements: Iterable[Mapping[str, Any]],
    keyring: Keyring | Mapping[str, Any],
    *,
    at: dt.datetime,
) -> dict[str, bool]:
    """Map each agreement id to whether it is endorsed (or, given several versions, agreed).

    Pass the result as ``endorsed=`` to `woda_sharing.Policy.compile`. One
    version of an agreement is verified as `woda_sharing._signing.endorsed_by_keyring`
    does; several versions of one agreement map its id to whether the newest
    is accepted by `verify_update` from the oldest (every version between
    them an intermediate step), so an amendment counts only with the consent
    of the parties of the version it amends. *charter* and *agreements* are
    wire mappings; the keyring is read once.
    """
    ring = keyring if isinstance(keyring, Keyring) else Keyring.from_data(keyring)
    versions: dict[str, list[Mapping[str, Any]]] = {}
    for a in agreements:
        if not isinstance(a, Mapping):
            raise UsageError(f"an agreement is a mapping, not a {type(a).__name__}")
        versions.setdefault(str(a.get("id")), []).append(a)
    singles = [given[0] for given in versions.values() if len(given) == 1]
    out = signing.endorsed_by_keyring(charter, singles, ring, at=at)
    for ident, given in versions.items():
        if len(given) > 1:
            ordered = sorted(given, key=_version_of)
            update = verify_update(
                ordered[0], ordered[-1], ring, at=at, intermediates=ordered[1:-1], charter=charter
            )
            out[ident] = bool(update)
    return {ident: out[ident] for ident in versions}
