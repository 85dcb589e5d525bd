"""What the service serves from the register, read in process: versions in force, withheld, nothing to serve."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.register import _docs
from tests.register._docs import AT, Doc
from woda_sharing._keyring import compromise_key
from woda_sharing.register import open_register
from woda_sharing.service._snapshot import load_snapshot


def test_an_empty_register_has_nothing_to_serve(tmp_path: Path) -> None:
    with open_register(tmp_path / "r.sqlite") as register:
        snapshot = load_snapshot(register, "test-charter")
    assert snapshot.policy is None
    assert snapshot.problem is not None
    assert "holds 0 keyrings" in snapshot.problem
    assert snapshot.as_dict()["charter"] is None


def test_a_refused_keyring_serves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with open_register(db) as register:
        register.import_documents([_docs.keyring(), _docs.charter()], at=AT)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET body = '{\"kind\": \"keyring\"}' WHERE kind = 'keyring'")
    with open_register(db) as register:
        snapshot = load_snapshot(register, "test-charter")
    assert snapshot.problem is not None
    assert "the keyring is refused" in snapshot.problem


def test_a_pending_charter_is_not_served(tmp_path: Path) -> None:
    charter = _docs.sign(_docs.charter(), ("county-council",))
    with open_register(tmp_path / "r.sqlite") as register:
        register.import_documents([_docs.keyring(), charter], at=AT)
        snapshot = load_snapshot(register, "test-charter")
    assert snapshot.problem == "the register holds no endorsed charter 'test-charter'"


def test_documents_signed_with_a_key_compromised_since_are_withheld(tmp_path: Path) -> None:
    charter: Doc = _docs.charter()
    agreement = _docs.agreement(charter)
    pending = _docs.agreement(charter, ident="still-pending", endorsers=("county-council",))
    ring = _docs.keyring()
    with open_register(tmp_path / "r.sqlite") as register:
        register.import_documents([ring, charter, agreement, pending], at=AT)
        served = load_snapshot(register, "test-charter")
        assert [a.id for a in served.agreements] == ["test-agreement"]  # the pending one waits
        assert served.withheld == ()
        kid = _docs.signer("district-council").public_jwk["kid"]
        register.import_documents([compromise_key(ring, kid)], at=AT)
        snapshot = load_snapshot(register, "test-charter")
    # The charter needs every member's endorsement: without the district's, nothing is served.
    assert snapshot.policy is None
    (withheld,) = snapshot.withheld
    assert (withheld.kind, withheld.id, withheld.version) == ("charter", "test-charter", 1)
    assert withheld.reason.startswith("endorsements do not verify: district-council")
    assert snapshot.problem is not None
    assert "charter 'test-charter' version 1 is withheld" in snapshot.problem
    assert snapshot.as_dict()["withheld"] == [withheld.as_dict()]
