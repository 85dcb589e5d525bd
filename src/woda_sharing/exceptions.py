"""The one exception hierarchy of woda_sharing.

A bad *document* is data: validation returns findings and verification returns
statuses. Exceptions are for misuse of the API and for input that cannot be
turned into a document at all. Every exception the library raises derives from
`WodaError`, and each one mixes in the built-in whose meaning it shares, so
``except ValueError`` keeps working for callers who do not know this library.

::

    WodaError
    ├── UsageError (TypeError)            the API was called wrongly
    ├── LoadError (ValueError)            bytes could not be read as a document
    │   └── LimitExceededError            a configured size or depth limit was breached
    ├── DocumentError (ValueError)        a document is not valid where a valid one is required
    ├── CanonicalizationError (ValueError) no unambiguous canonical form exists
    ├── CatalogueError (ValueError)       a legal-basis catalogue entry is unusable
    ├── RuleError (ValueError)            a validation rule is misdeclared
    ├── KeyMaterialError (ValueError)     a key cannot be generated, loaded or used
    ├── KeyringError (ValueError)         a keyring is refused as ambiguous or unsafe
    ├── SigningError (ValueError)         an endorsement cannot be made
    │   └── EndorsementRefused            it would not count, or may not be withdrawn
    ├── VerificationError (ValueError)    raised by the ``require_*`` twins of verification
    ├── ChainError (ValueError)           a version chain is broken (gap, fork, rollback)
    ├── PolicyError (ValueError)          a sharing policy cannot be compiled
    ├── RecordError (ValueError)          a record, receipt or checkpoint is not in its wire form
    ├── RegisterError (RuntimeError)      the register cannot do what was asked
    │   ├── ImportRefusedError (ValueError) an import was refused; nothing was written
    │   ├── NotFoundError (LookupError)   no such document or version in the register
    │   └── ConflictError                 concurrent writers kept conflicting
    └── WriteError (OSError)              a file could not be written atomically
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # exceptions import nothing of the library at run time
    from woda_sharing._findings import Report
    from woda_sharing._signing import VerificationResult
    from woda_sharing._updates import UpdateResult

__all__ = [
    "CanonicalizationError",
    "CatalogueError",
    "ChainError",
    "ConflictError",
    "DocumentError",
    "EndorsementRefused",
    "ImportRefusedError",
    "KeyMaterialError",
    "KeyringError",
    "LimitExceededError",
    "LoadError",
    "NotFoundError",
    "PolicyError",
    "RecordError",
    "RegisterError",
    "RuleError",
    "SigningError",
    "UpdateError",
    "UsageError",
    "VerificationError",
    "WodaError",
    "WriteError",
]


class WodaError(Exception):
    """The root of every exception woda_sharing raises on purpose."""


class UsageError(WodaError, TypeError):
    """The API was called with arguments it cannot accept."""


class LoadError(WodaError, ValueError):
    """Bytes or a file could not be read as a woda_sharing document.

    ``source`` names the file (or ``"<bytes>"``), ``pointer`` the JSON Pointer
    of the offending place where one is known, and ``code`` the finding code
    the same problem gets in a validation report.
    """

    def __init__(
        self, message: str, *, source: str = "<bytes>", pointer: str = "", code: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.pointer = pointer
        self.code = code

    def __str__(self) -> str:
        where = f"{self.source}:{self.pointer}" if self.pointer else self.source
        return f"{where}: {self.message}"


class LimitExceededError(LoadError):
    """Input breached a configured limit (size, depth, string or array length)."""


class DocumentError(WodaError, ValueError):
    """A document is not valid where the caller required a valid one.

    ``report`` holds the validation report that explains why.
    """

    def __init__(self, message: str, *, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


class CanonicalizationError(WodaError, ValueError):
    """A document has no unambiguous canonical form, so it cannot be signed or verified."""


class CatalogueError(WodaError, ValueError):
    """A legal-basis catalogue entry is malformed or clashes with an existing one."""


class RuleError(WodaError, ValueError):
    """A validation rule is declared wrongly (duplicate or malformed code)."""


class KeyMaterialError(WodaError, ValueError):
    """A key cannot be generated, loaded, exported or used for the requested algorithm."""


class KeyringError(WodaError, ValueError):
    """A keyring is refused as a whole because it is ambiguous or unsafe."""


class SigningError(WodaError, ValueError):
    """An endorsement cannot be made (bad document, key, role or organisation)."""


class EndorsementRefused(SigningError):  # noqa: N818 - a refusal, named as the command says it
    """An endorsement that verification would not count, or that may not be withdrawn.

    ``reasons`` holds one sentence per reason. The command line exits 1
    (refused) for it, not 2.
    """

    def __init__(self, reasons: tuple[str, ...] | list[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons))


class VerificationError(WodaError, ValueError):
    """Raised by the ``require_*`` twins when a document does not verify.

    ``result`` holds the verification result that explains why.
    """

    def __init__(self, message: str, *, result: VerificationResult | None = None) -> None:
        super().__init__(message)
        self.result = result


class UpdateError(VerificationError):
    """Raised by `require_update` when a candidate version is not accepted as an update.

    ``update`` holds the `UpdateResult` that says which check failed.
    """

    def __init__(self, message: str, *, update: UpdateResult | None = None) -> None:
        super().__init__(message)
        self.update = update


class ChainError(WodaError, ValueError):
    """A chain of document versions has a gap, a fork or a rollback."""


class PolicyError(WodaError, ValueError):
    """A sharing policy cannot be compiled from the documents given."""


class RecordError(WodaError, ValueError):
    """A decision record, receipt, checkpoint or log proof is not in its wire form."""


class RegisterError(WodaError, RuntimeError):
    """The register cannot do what was asked (database unusable, schema too new, extra missing)."""


class ImportRefusedError(RegisterError, ValueError):
    """An import was refused as a whole and nothing was written.

    ``refusals`` holds one `woda_sharing.register.Refusal` per refused
    document, each with its reason and, for an invalid document, its findings.
    """

    def __init__(self, message: str, *, refusals: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.refusals = refusals


class NotFoundError(RegisterError, LookupError):
    """No document or version in the register matches what was asked for."""


class ConflictError(RegisterError):
    """Other writers kept changing the same documents; the import gave up after retrying."""


class WriteError(WodaError, OSError):
    """A file could not be written atomically; the original is untouched."""
