"""Pseudonyms are stable, and scrubbing removes every known identifier, whole words only."""

from __future__ import annotations

import uuid
from datetime import date

from pipe_app.reports.pseudonyms import (
    DOB_REMOVED,
    WITHHELD,
    Pseudonyms,
    ResidentIdentity,
    date_forms,
)

A = ResidentIdentity(
    uuid.UUID(int=2), "X123456", "Philippa", "Ravensworth", "Pip", date(1985, 3, 9)
)
B = ResidentIdentity(uuid.UUID(int=1), "Y654321", "Oswin", "Tremayne", None, date(1979, 11, 30))
C = ResidentIdentity(uuid.UUID(int=3), "Z111111", "Oswin", "Hale", None, date(1990, 1, 2))


def test_pseudonyms_follow_resident_id_order_whatever_the_input_order() -> None:
    one, two = Pseudonyms([A, B, C]), Pseudonyms([C, A, B])
    assert one.name(B.id) == two.name(B.id) == "Resident R-01"
    assert one.name(A.id) == "Resident R-02"
    assert one.name(uuid.uuid4()) == WITHHELD


def test_names_and_crns_are_replaced_as_whole_words_in_any_case() -> None:
    p = Pseudonyms([A, B, C])
    text = "PHILIPPA ravensworth (x123456) met Pip; Pipeline and Philippastreet stay."
    scrubbed = p.scrub(text)
    assert scrubbed == (
        "Resident R-02 (Resident R-02) met Resident R-02; Pipeline and Philippastreet stay."
    )
    assert p.scrub("Ravensworth's plan") == "Resident R-02's plan"


def test_a_name_two_residents_share_is_withheld_but_full_names_are_not() -> None:
    p = Pseudonyms([A, B, C])
    assert p.scrub("Oswin said") == f"{WITHHELD} said"
    assert p.scrub("Oswin Tremayne said") == "Resident R-01 said"
    assert p.scrub("Oswin Hale said") == "Resident R-03 said"


def test_dates_of_birth_are_removed_in_common_forms() -> None:
    p = Pseudonyms([A])
    for form in ("09/03/1985", "9/3/1985", "1985-03-09", "9 March 1985", "09 Mar 1985"):
        assert form in date_forms(A.date_of_birth)
        assert p.scrub(f"born {form}.") == f"born {DOB_REMOVED}."
    assert p.scrub("seen 09/03/1986") == "seen 09/03/1986"


def test_nothing_to_scrub() -> None:
    assert Pseudonyms([]).scrub("Any text at all") == "Any text at all"
    assert Pseudonyms([A]).scrub("") == ""
