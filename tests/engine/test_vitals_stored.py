"""The stored form of vital signs: tables as rows under their field names once, read back
equal; the older one-object-per-table form still reads."""

from __future__ import annotations

import json

from audits.engine.model import to_plain
from audits.engine.vitals import SequenceVitals, TableVitals, VitalSigns

SIGNS = VitalSigns(
    dialect="postgresql", read_at="2026-12-07T08:00:00+00:00", database="shop",
    tables=tuple(TableVitals(name=f"T{n}", oid=n, relfilenode=n, reltuples=-1.0, n_live_tup=n,
                             exact_rows=None if n % 2 else n) for n in range(50)),
    sequences=(SequenceVitals(table="T1", column="id", sequence="T1_id_seq", last_value=9),),
    notes=("the sequences could not be read: permission denied",),
)


def test_the_stored_form_reads_back_equal_and_is_a_third_of_the_size() -> None:
    stored = SIGNS.to_stored()
    assert VitalSigns.from_stored(json.loads(json.dumps(stored))) == SIGNS
    assert len(json.dumps(stored)) * 2.5 < len(json.dumps(to_plain(SIGNS)))


def test_the_plain_form_still_reads() -> None:
    assert VitalSigns.from_stored(json.loads(json.dumps(to_plain(SIGNS)))) == SIGNS


def test_a_field_this_version_does_not_know_is_left_out() -> None:
    stored = SIGNS.to_stored()
    stored["tables"]["fields"].append("bloat")
    for row in stored["tables"]["rows"]:
        row.append(3)
    assert VitalSigns.from_stored(stored) == SIGNS


def test_no_tables() -> None:
    empty = VitalSigns(dialect="sqlite")
    assert VitalSigns.from_stored(empty.to_stored()) == empty
