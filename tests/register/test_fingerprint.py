"""`Register.fingerprint` changes when a document is added or its endorsements are updated, and only then."""

from __future__ import annotations

from tests.register import _docs
from tests.register._docs import AT
from woda_sharing.register import Register


def test_the_fingerprint_follows_imports(reg: Register) -> None:
    empty = reg.fingerprint()
    assert reg.fingerprint() == empty
    charter = _docs.charter()
    reg.import_documents([_docs.keyring(), charter], at=AT)
    with_charter = reg.fingerprint()
    assert with_charter != empty
    partly = _docs.agreement(charter, endorsers=("county-council",))
    reg.import_documents([partly], at=AT)
    pending = reg.fingerprint()
    assert pending != with_charter
    reg.import_documents([partly], at=AT)  # unchanged: the same fingerprint
    assert reg.fingerprint() == pending
    reg.import_documents([_docs.agreement(charter)], at=AT)  # endorsements updated
    assert reg.fingerprint() != pending
