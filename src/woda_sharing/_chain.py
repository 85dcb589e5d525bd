"""Amendments: chains of document versions linked by ``supersedes``.

A new version of a charter or agreement records the version it amends and
that version's digest: ``"supersedes": {"version": 1, "digest": "sha256:..."}``.
A chain is sound when all its documents share kind and id, versions rise by
exactly one (no gap), each version appears once (no fork: two different
documents claiming one version), and each document's ``supersedes`` names the
previous version and its exact digest. The first version of a chain either
has no ``supersedes`` (version 1) or is the trusted starting point.

`check_update` guards against rollback: given the version a verifier already
trusts and a candidate presented as newer, it accepts the candidate only when
its version is higher and the chain from the trusted version to it is sound.

Endorsements never carry over: each binds one version and digest in its
protected header (see `woda_sharing._signing`), so an endorsement of version 1
is ``document-changed`` on version 2.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import frozen

from woda_sharing import _canonical as canonical
from woda_sharing.exceptions import CanonicalizationError, ChainError, UsageError

__all__ = ["ChainLink", "ChainResult", "check_chain", "check_update", "require_chain"]


@frozen(kw_only=True)
class ChainLink:
    """One version in a checked chain."""

    version: int
    digest: str


@frozen(kw_only=True)
class ChainResult:
    """The verdict on a chain of versions; truthy exactly when the chain is sound."""

    ok: bool
    kind: str | None
    id: str | None
    links: tuple[ChainLink, ...]
    problems: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.ok

    @property
    def latest(self) -> ChainLink | None:
        """The newest version of a sound chain (``None`` when the chain is broken)."""
        return self.links[-1] if self.ok and self.links else None


def _version(document: Mapping[str, Any]) -> int | None:
    """The document's version when it is an integer of at least 1 (never a bool), else ``None``."""
    version = document.get("version")
    return version if type(version) is int and version >= 1 else None


def _supersedes(link: object, version: int, digest: str) -> bool:
    """Whether *link* is exactly ``{"version": version, "digest": digest}`` (a bool is no version)."""
    return (
        isinstance(link, Mapping)
        and set(link) == {"version", "digest"}
        and type(link["version"]) is int
        and link["version"] == version
        and isinstance(link["digest"], str)
        and link["digest"] == digest
    )


def check_chain(documents: Sequence[Mapping[str, Any]]) -> ChainResult:
    """Check that *documents* (in any order) form one sound chain of versions."""
    problems: list[str] = []
    if not documents:
        return ChainResult(ok=False, kind=None, id=None, links=(), problems=("the chain is empty",))
    given: list[object] = list(documents)
    mappings = [d for d in given if isinstance(d, Mapping)]
    if len(mappings) != len(given):
        problems.append("a chain item is not a JSON object")
    kinds = {d.get("kind") for d in mappings if isinstance(d.get("kind"), str)}
    ids = {d.get("id") for d in mappings if isinstance(d.get("id"), str)}
    if any(
        not isinstance(d.get("kind"), str) or not isinstance(d.get("id"), str) for d in mappings
    ):
        problems.append("a document has no string kind or id")
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    ident = next(iter(ids)) if len(ids) == 1 else None
    if len(kinds) > 1 or len(ids) > 1:
        problems.append("the documents are not versions of one document (kind or id differs)")
    by_version: dict[int, str] = {}
    for document in mappings:
        version = _version(document)
        if version is None:
            problems.append("a document has no positive integer version")
            continue
        try:
            digest = canonical.digest(document)
        except CanonicalizationError as e:
            problems.append(f"version {version} has no canonical form: {e}")
            continue
        if version in by_version:
            what = (
                "appears twice"
                if by_version[version] == digest
                else "is forked: two different documents"
            )
            problems.append(f"version {version} {what}")
            continue
        by_version[version] = digest
    ordered = sorted(by_version)
    supersedes = {_version(d): d.get("supersedes") for d in mappings}
    for previous, current in itertools.pairwise(ordered):
        if current != previous + 1:
            problems.append(f"versions {previous + 1} to {current - 1} are missing (a gap)")
            continue
        if not _supersedes(supersedes.get(current), previous, by_version[previous]):
            problems.append(
                f"version {current} does not supersede version {previous} with its exact digest"
            )
    if ordered and ordered[0] == 1 and supersedes.get(1) is not None:
        problems.append("version 1 claims to supersede another version")
    return ChainResult(
        ok=not problems,
        kind=kind if isinstance(kind, str) else None,
        id=ident if isinstance(ident, str) else None,
        links=tuple(ChainLink(version=v, digest=by_version[v]) for v in ordered),
        problems=tuple(problems),
    )


def require_chain(documents: Sequence[Mapping[str, Any]]) -> ChainResult:
    """Check like `check_chain` and raise `ChainError` unless the chain is sound."""
    result = check_chain(documents)
    if not result:
        raise ChainError("; ".join(result.problems))
    return result


def check_update(
    trusted: Mapping[str, Any],
    candidate: Mapping[str, Any],
    intermediates: Sequence[Mapping[str, Any]] = (),
) -> ChainResult:
    """Accept *candidate* as newer than *trusted* only along a sound chain; raise `ChainError` otherwise.

    A lower version is a rollback, the same version with another digest a
    fork, and the same document no update at all; all raise. *intermediates*
    are the versions between the two.
    """
    pair: tuple[object, object] = (trusted, candidate)
    if not all(isinstance(d, Mapping) for d in pair):
        raise UsageError("the trusted and the candidate documents are mappings")
    old, new = _version(trusted), _version(candidate)
    if old is None or new is None:
        raise ChainError("both documents need a positive integer version")
    if new < old:
        raise ChainError(f"rollback: version {new} is older than the trusted version {old}")
    if new == old:
        try:
            same = canonical.digest(trusted) == canonical.digest(candidate)
        except CanonicalizationError as e:
            raise ChainError(f"version {new} has no canonical form: {e}") from e
        raise ChainError(
            f"version {new} is {'the trusted version itself' if same else 'a fork of the trusted version'}"
        )
    return require_chain([trusted, *intermediates, candidate])
