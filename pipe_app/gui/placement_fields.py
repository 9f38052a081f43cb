"""The placement inputs that the admission form and the placement form share (the same widget
names in ui/resident_form.ui and ui/placement_form.ui): dates, sentence, release, RoSH and
PIPE-or-lodger, and for a new placement the site and first key worker, read and filled as
plain JSON values.

Required dates start empty ("Not entered") rather than on a guessed day, so nothing is saved
on a date nobody typed; the service names every missing field at once.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from enum import Enum
from typing import Any, cast

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QWidget

from pipe_app.gui.assets import child
from pipe_app.gui.record_form import plain_value
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.staff import StaffService
from pipe_app.services.timeline import RELEASE_WORDS, ROSH_WORDS, SENTENCE_WORDS
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

NOT_ENTERED = QDate(1900, 1, 1)
ROSH_COMBOS = {
    "rosh_overall": "roshOverallCombo",
    "rosh_children": "roshChildrenCombo",
    "rosh_public": "roshPublicCombo",
    "rosh_known_adult": "roshKnownAdultCombo",
    "rosh_staff": "roshStaffCombo",
}
# Service field -> (widget name, label), for RecordForm.FIELDS.
PLACEMENT_FIELDS = {
    "expected_arrival": ("expectedArrivalEdit", "Expected arrival"),
    "actual_arrival": ("actualArrivalEdit", "Arrival"),
    "expected_departure": ("expectedDepartureEdit", "Expected departure"),
    "sentence_type": ("sentenceTypeCombo", "Sentence type"),
    "release_type": ("releaseTypeCombo", "Release type"),
    "rosh_overall": ("roshOverallCombo", "RoSH overall"),
    "rosh_children": ("roshChildrenCombo", "RoSH to children"),
    "rosh_public": ("roshPublicCombo", "RoSH to the public"),
    "rosh_known_adult": ("roshKnownAdultCombo", "RoSH to a known adult"),
    "rosh_staff": ("roshStaffCombo", "RoSH to staff"),
    "is_pipe": ("placementTypeCombo", "Placement"),
}
# The same for a new placement's site and first key worker.
NEW_PLACEMENT_FIELDS = {
    "site_id": ("siteCombo", "Site"),
    "key_worker": ("keyWorkerCombo", "Key worker"),
}


def day_of(edit: QDateEdit) -> date | None:
    value = edit.date()
    if value == NOT_ENTERED:
        return None
    return date(value.year(), value.month(), value.day())


def iso_of(edit: QDateEdit) -> str | None:
    day = day_of(edit)
    return day.isoformat() if day else None


def set_day(edit: QDateEdit, text: str | None) -> None:
    edit.setDate(QDate.fromString(text, "yyyy-MM-dd") if text else NOT_ENTERED)


def allow_not_entered(edit: QDateEdit) -> None:
    edit.setMinimumDate(NOT_ENTERED)
    edit.setSpecialValueText("Not entered")


def fill_choices(combo: QComboBox, empty: str, words: dict[Any, str]) -> None:
    combo.addItem(empty, None)
    for member, word in words.items():
        combo.addItem(word, member.value)


def choose(combo: QComboBox, value: object) -> None:
    combo.setCurrentIndex(max(combo.findData(value), 0))


def fill_key_workers(
    combo: QComboBox, db: Database, actor: Actor, site_id: uuid.UUID, day: date
) -> None:
    """Staff working at the site on ``day``, after whatever the combo already offers."""
    try:
        staff = StaffService(db, actor).rows(site_id=site_id)
    except Exception:
        staff = []
    for row in staff:
        if row.active_on(day):
            combo.addItem(row.full_name, str(row.id))


def parsed_day(values: dict[str, Any], key: str) -> date:
    """The day typed, or None (typed as a date: the service reports it as required)."""
    text = values.get(key)
    return cast(date, date.fromisoformat(text) if text else None)


def history_value(value: Any) -> str:
    """Days as people write them, choices by their stored value."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).strftime("%d %b %Y")
        except ValueError:
            pass
    if isinstance(value, Enum):
        return str(value.value)
    return plain_value(value)


class PlacementFields:
    """Binds the shared placement widgets of a Designer form."""

    def __init__(self, form: QWidget) -> None:
        self.expected_arrival_edit = child(form, QDateEdit, "expectedArrivalEdit")
        self.arrived_check = child(form, QCheckBox, "arrivedCheck")
        self.actual_arrival_edit = child(form, QDateEdit, "actualArrivalEdit")
        self.expected_departure_edit = child(form, QDateEdit, "expectedDepartureEdit")
        self.sentence_combo = child(form, QComboBox, "sentenceTypeCombo")
        self.release_combo = child(form, QComboBox, "releaseTypeCombo")
        self.rosh_combos = {key: child(form, QComboBox, name) for key, name in ROSH_COMBOS.items()}
        self.placement_type_combo = child(form, QComboBox, "placementTypeCombo")
        for edit in (
            self.expected_arrival_edit,
            self.actual_arrival_edit,
            self.expected_departure_edit,
        ):
            allow_not_entered(edit)
        for combo in form.findChildren(QComboBox):
            # Long choices ("Extended determinate licence") must not widen the form past
            # the window: the popup shows them in full.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        fill_choices(self.sentence_combo, "Choose…", SENTENCE_WORDS)
        fill_choices(self.release_combo, "Choose…", RELEASE_WORDS)
        for key, combo in self.rosh_combos.items():
            fill_choices(combo, "Choose…" if key == "rosh_overall" else "Not assessed", ROSH_WORDS)
        self.placement_type_combo.addItem("PIPE", True)
        self.placement_type_combo.addItem("Lodger", False)
        self.arrived_check.toggled.connect(self.actual_arrival_edit.setEnabled)

    def values(self) -> dict[str, Any]:
        return {
            "expected_arrival": iso_of(self.expected_arrival_edit),
            "arrived": self.arrived_check.isChecked(),
            "actual_arrival": iso_of(self.actual_arrival_edit),
            "expected_departure": iso_of(self.expected_departure_edit),
            "sentence_type": self.sentence_combo.currentData(),
            "release_type": self.release_combo.currentData(),
            **{key: combo.currentData() for key, combo in self.rosh_combos.items()},
            "is_pipe": self.placement_type_combo.currentData(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        set_day(self.expected_arrival_edit, values.get("expected_arrival"))
        self.arrived_check.setChecked(bool(values.get("arrived")))
        set_day(self.actual_arrival_edit, values.get("actual_arrival"))
        self.actual_arrival_edit.setEnabled(self.arrived_check.isChecked())
        set_day(self.expected_departure_edit, values.get("expected_departure"))
        choose(self.sentence_combo, values.get("sentence_type"))
        choose(self.release_combo, values.get("release_type"))
        for key, combo in self.rosh_combos.items():
            choose(combo, values.get(key))
        choose(self.placement_type_combo, values.get("is_pipe"))

    @staticmethod
    def blank_values(today: date) -> dict[str, Any]:
        """A new placement: expected today for twelve weeks, nothing else guessed."""
        return {
            "expected_arrival": today.isoformat(),
            "arrived": False,
            "actual_arrival": today.isoformat(),
            "expected_departure": (today + timedelta(weeks=12)).isoformat(),
            "sentence_type": None,
            "release_type": None,
            **{key: None for key in ROSH_COMBOS},
            "is_pipe": True,
        }

    @staticmethod
    def input_values(values: dict[str, Any]) -> dict[str, Any]:
        """Keyword arguments for PlacementInput from what ``values()`` read."""
        return {
            "expected_arrival": parsed_day(values, "expected_arrival"),
            "expected_departure": parsed_day(values, "expected_departure"),
            "actual_arrival": parsed_day(values, "actual_arrival") if values["arrived"] else None,
            "sentence_type": values["sentence_type"],
            "release_type": values["release_type"],
            **{key: values[key] for key in ROSH_COMBOS},
            "is_pipe": bool(values["is_pipe"]),
        }


class SiteAndKeyWorker:
    """A new placement's site (where the user may place residents) and first key worker (staff
    working at that site today, or nobody yet), which follows the site chosen."""

    def __init__(self, form: QWidget, db: Database, actor: Actor) -> None:
        self.db, self.actor = db, actor
        self.site_combo = child(form, QComboBox, "siteCombo")
        self.key_worker_combo = child(form, QComboBox, "keyWorkerCombo")
        try:
            sites = SiteService(db, actor).rows()
        except Exception:
            sites = []
        for site in sites:
            if actor.can(Permission.RESIDENT_WRITE, site.id):
                self.site_combo.addItem(site.name, str(site.id))
        self.site_combo.setEnabled(self.site_combo.count() > 1)
        self._fill_key_workers()
        self.site_combo.currentIndexChanged.connect(self._on_site_changed)

    def _fill_key_workers(self) -> None:
        self.key_worker_combo.clear()
        self.key_worker_combo.addItem("Not yet assigned", None)
        site = self.site_combo.currentData()
        if site is not None:
            fill_key_workers(
                self.key_worker_combo, self.db, self.actor, uuid.UUID(site), local_today()
            )

    def _on_site_changed(self, _index: int) -> None:
        chosen = self.key_worker_combo.currentData()
        self._fill_key_workers()
        choose(self.key_worker_combo, chosen)

    def values(self) -> dict[str, Any]:
        return {
            "site_id": self.site_combo.currentData(),
            "key_worker": self.key_worker_combo.currentData(),
        }

    def blank_values(self) -> dict[str, Any]:
        return {"site_id": self.site_combo.itemData(0), "key_worker": None}

    def set_values(self, values: dict[str, Any]) -> None:
        choose(self.site_combo, values.get("site_id"))
        choose(self.key_worker_combo, values.get("key_worker"))

    @staticmethod
    def input_values(values: dict[str, Any]) -> dict[str, Any]:
        """PlacementInput's site and key worker (no site: one that does not exist)."""
        site, worker = values["site_id"], values["key_worker"]
        return {
            "site_id": uuid.UUID(site) if site else uuid.UUID(int=0),
            "key_worker_id": uuid.UUID(worker) if worker else None,
        }
