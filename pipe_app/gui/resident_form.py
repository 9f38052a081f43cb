"""Admit a resident (their details and first placement) or edit their details
(ui/resident_form.ui), on the shared RecordForm: inline messages, drafts, conflicts.

Required dates start empty ("Not entered") rather than on a guessed day, so nothing is
saved on a date nobody typed; the service names every missing field at once.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from enum import Enum
from typing import Any, cast

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLineEdit, QWidget

from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.record_form import RecordForm, plain_value
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.residents import PlacementInput, ResidentInput, ResidentService
from pipe_app.services.sites import SiteService
from pipe_app.services.staff import StaffService
from pipe_app.services.timeline import RELEASE_WORDS, ROSH_WORDS, SENTENCE_WORDS
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

NOT_ENTERED = QDate(1900, 1, 1)
PAGE_FOR_KIND["resident"] = "residents"
GENDERS = ("", "Male", "Female", "Non-binary", "Prefer not to say")
PLACEMENT_FIELDS = (
    "site_id",
    "expected_arrival",
    "actual_arrival",
    "expected_departure",
    "sentence_type",
    "release_type",
    "rosh_overall",
    "rosh_children",
    "rosh_public",
    "rosh_known_adult",
    "rosh_staff",
    "is_pipe",
    "key_worker",
)
ROSH_COMBOS = {
    "rosh_overall": "roshOverallCombo",
    "rosh_children": "roshChildrenCombo",
    "rosh_public": "roshPublicCombo",
    "rosh_known_adult": "roshKnownAdultCombo",
    "rosh_staff": "roshStaffCombo",
}


def _day(edit: QDateEdit) -> date | None:
    value = edit.date()
    if value == NOT_ENTERED:
        return None
    return date(value.year(), value.month(), value.day())


def _set_day(edit: QDateEdit, text: str | None) -> None:
    edit.setDate(QDate.fromString(text, "yyyy-MM-dd") if text else NOT_ENTERED)


def _fill_choices(combo: QComboBox, empty: str, words: dict[Any, str]) -> None:
    combo.addItem(empty, None)
    for member, word in words.items():
        combo.addItem(word, member.value)


class ResidentForm(RecordForm):
    UI_NAME = "resident_form"
    KIND = "resident"
    ENTITY_TYPE = "residents"
    NOUN = "resident"
    DRAFT_NOUN = "admission"
    FIELDS = {
        "crn": ("crnEdit", "CRN"),
        "given_name": ("givenNameEdit", "Given name"),
        "family_name": ("familyNameEdit", "Family name"),
        "preferred_name": ("preferredNameEdit", "Preferred name"),
        "date_of_birth": ("dateOfBirthEdit", "Date of birth"),
        "gender": ("genderCombo", "Gender"),
        "pronouns": ("pronounsEdit", "Pronouns"),
        "site_id": ("siteCombo", "Site"),
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
        "key_worker": ("keyWorkerCombo", "Key worker"),
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = ResidentService(db, actor)
        form = self.form
        self.crn_edit = child(form, QLineEdit, "crnEdit")
        self.given_edit = child(form, QLineEdit, "givenNameEdit")
        self.family_edit = child(form, QLineEdit, "familyNameEdit")
        self.preferred_edit = child(form, QLineEdit, "preferredNameEdit")
        self.birth_edit = child(form, QDateEdit, "dateOfBirthEdit")
        self.gender_combo = child(form, QComboBox, "genderCombo")
        self.pronouns_edit = child(form, QLineEdit, "pronounsEdit")
        self.placement_group = child(form, QWidget, "placementGroup")
        self.site_combo = child(form, QComboBox, "siteCombo")
        self.expected_arrival_edit = child(form, QDateEdit, "expectedArrivalEdit")
        self.arrived_check = child(form, QCheckBox, "arrivedCheck")
        self.actual_arrival_edit = child(form, QDateEdit, "actualArrivalEdit")
        self.expected_departure_edit = child(form, QDateEdit, "expectedDepartureEdit")
        self.sentence_combo = child(form, QComboBox, "sentenceTypeCombo")
        self.release_combo = child(form, QComboBox, "releaseTypeCombo")
        self.rosh_combos = {key: child(form, QComboBox, name) for key, name in ROSH_COMBOS.items()}
        self.placement_type_combo = child(form, QComboBox, "placementTypeCombo")
        self.key_worker_combo = child(form, QComboBox, "keyWorkerCombo")
        for edit in (
            self.birth_edit,
            self.expected_arrival_edit,
            self.actual_arrival_edit,
            self.expected_departure_edit,
        ):
            edit.setMinimumDate(NOT_ENTERED)
            edit.setSpecialValueText("Not entered")
        for combo in form.findChildren(QComboBox):
            # Long choices ("Extended determinate licence") must not widen the form past
            # the window: the popup shows them in full.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        self.gender_combo.addItems(list(GENDERS))
        _fill_choices(self.sentence_combo, "Choose…", SENTENCE_WORDS)
        _fill_choices(self.release_combo, "Choose…", RELEASE_WORDS)
        for key, combo in self.rosh_combos.items():
            _fill_choices(combo, "Choose…" if key == "rosh_overall" else "Not assessed", ROSH_WORDS)
        self.placement_type_combo.addItem("PIPE", True)
        self.placement_type_combo.addItem("Lodger", False)
        self._staff_names: dict[str, str] = {}
        self._fill_sites()
        self._fill_key_workers()
        self.archive_button.hide()  # residents leave by a departure, not by archiving
        self.site_combo.currentIndexChanged.connect(self._on_site_changed)
        self.arrived_check.toggled.connect(self.actual_arrival_edit.setEnabled)

    def _fill_sites(self) -> None:
        """Sites where the user may admit residents."""
        try:
            sites = SiteService(self.db, self.actor).rows()
        except Exception:
            sites = []
        for site in sites:
            if self.actor.can(Permission.RESIDENT_WRITE, site.id):
                self.site_combo.addItem(site.name, str(site.id))
        self.site_combo.setEnabled(self.site_combo.count() > 1)

    def _fill_key_workers(self) -> None:
        """Staff working at the chosen site today."""
        self.key_worker_combo.clear()
        self.key_worker_combo.addItem("Not yet assigned", None)
        site = self.site_combo.currentData()
        if site is None:
            return
        try:
            staff = StaffService(self.db, self.actor).rows(site_id=uuid.UUID(site))
        except Exception:
            staff = []
        today = local_today()
        for row in staff:
            if row.active_on(today):
                self.key_worker_combo.addItem(row.full_name, str(row.id))
                self._staff_names[str(row.id)] = row.full_name

    def _on_site_changed(self, _index: int) -> None:
        chosen = self.key_worker_combo.currentData()
        self._fill_key_workers()
        self.key_worker_combo.setCurrentIndex(max(self.key_worker_combo.findData(chosen), 0))

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        today = local_today()
        return {
            "crn": "",
            "given_name": "",
            "family_name": "",
            "preferred_name": "",
            "date_of_birth": None,
            "gender": "",
            "pronouns": "",
            "site_id": self.site_combo.itemData(0),
            "expected_arrival": today.isoformat(),
            "arrived": False,
            "actual_arrival": today.isoformat(),
            "expected_departure": (today + timedelta(weeks=12)).isoformat(),
            "sentence_type": None,
            "release_type": None,
            **{key: None for key in ROSH_COMBOS},
            "is_pipe": True,
            "key_worker": None,
        }

    def values(self) -> dict[str, Any]:
        def iso(edit: QDateEdit) -> str | None:
            day = _day(edit)
            return day.isoformat() if day else None

        values: dict[str, Any] = {
            "crn": self.crn_edit.text(),
            "given_name": self.given_edit.text(),
            "family_name": self.family_edit.text(),
            "preferred_name": self.preferred_edit.text(),
            "date_of_birth": iso(self.birth_edit),
            "gender": self.gender_combo.currentText(),
            "pronouns": self.pronouns_edit.text(),
        }
        if self.record_id is None:
            values.update(
                {
                    "site_id": self.site_combo.currentData(),
                    "expected_arrival": iso(self.expected_arrival_edit),
                    "arrived": self.arrived_check.isChecked(),
                    "actual_arrival": iso(self.actual_arrival_edit),
                    "expected_departure": iso(self.expected_departure_edit),
                    "sentence_type": self.sentence_combo.currentData(),
                    "release_type": self.release_combo.currentData(),
                    **{key: combo.currentData() for key, combo in self.rosh_combos.items()},
                    "is_pipe": self.placement_type_combo.currentData(),
                    "key_worker": self.key_worker_combo.currentData(),
                }
            )
        return values

    def set_values(self, values: dict[str, Any]) -> None:
        self.placement_group.setVisible(self.record_id is None)
        self.crn_edit.setText(values.get("crn", ""))
        self.given_edit.setText(values.get("given_name", ""))
        self.family_edit.setText(values.get("family_name", ""))
        self.preferred_edit.setText(values.get("preferred_name") or "")
        _set_day(self.birth_edit, values.get("date_of_birth"))
        self.gender_combo.setCurrentText(values.get("gender", ""))
        self.pronouns_edit.setText(values.get("pronouns") or "")
        if "site_id" not in values:
            return
        site = self.site_combo.findData(values["site_id"])
        self.site_combo.setCurrentIndex(max(site, 0))
        _set_day(self.expected_arrival_edit, values.get("expected_arrival"))
        self.arrived_check.setChecked(bool(values.get("arrived")))
        _set_day(self.actual_arrival_edit, values.get("actual_arrival"))
        self.actual_arrival_edit.setEnabled(self.arrived_check.isChecked())
        _set_day(self.expected_departure_edit, values.get("expected_departure"))
        combos = {
            "sentence_type": self.sentence_combo,
            "release_type": self.release_combo,
            **self.rosh_combos,
            "is_pipe": self.placement_type_combo,
            "key_worker": self.key_worker_combo,
        }
        for key, combo in combos.items():
            combo.setCurrentIndex(max(combo.findData(values.get(key)), 0))

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        row = self._service.get(record_id)
        values = {
            "crn": row.crn,
            "given_name": row.given_name,
            "family_name": row.family_name,
            "preferred_name": row.preferred_name or "",
            "date_of_birth": row.date_of_birth.isoformat(),
            "gender": row.gender,
            "pronouns": row.pronouns or "",
        }
        return values, row.version

    def _resident_input(self, values: dict[str, Any]) -> ResidentInput:
        born = values["date_of_birth"]
        return ResidentInput(
            crn=values["crn"],
            given_name=values["given_name"],
            family_name=values["family_name"],
            # None when not entered: the service reports it as required.
            date_of_birth=cast(date, date.fromisoformat(born) if born else None),
            gender=values["gender"],
            preferred_name=values["preferred_name"] or None,
            pronouns=values["pronouns"] or None,
        )

    def _placement_input(self, values: dict[str, Any]) -> PlacementInput:
        def day(key: str) -> date:
            text = values[key]
            return cast(date, date.fromisoformat(text) if text else None)

        worker = values["key_worker"]
        return PlacementInput(
            site_id=uuid.UUID(values["site_id"]) if values["site_id"] else uuid.UUID(int=0),
            expected_arrival=day("expected_arrival"),
            expected_departure=day("expected_departure"),
            actual_arrival=day("actual_arrival") if values["arrived"] else None,
            sentence_type=values["sentence_type"],
            release_type=values["release_type"],
            rosh_overall=values["rosh_overall"],
            rosh_children=values["rosh_children"],
            rosh_public=values["rosh_public"],
            rosh_known_adult=values["rosh_known_adult"],
            rosh_staff=values["rosh_staff"],
            is_pipe=bool(values["is_pipe"]),
            key_worker_id=uuid.UUID(worker) if worker else None,
        )

    def write(self) -> tuple[uuid.UUID, int]:
        values = self.values()
        resident = self._resident_input(values)
        if self.record_id is None:
            row = self._service.admit(resident, self._placement_input(values))
        else:
            assert self.version is not None
            row = self._service.update(self.record_id, self.version, resident)
        return row.id, row.version

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        self._service.archive(record_id, version)

    def title_text(self) -> str:
        if self.record_id is None:
            return "Admit a resident"
        name = f"{self.given_edit.text()} {self.family_edit.text()}".strip()
        return f"Details of {name}" if name else "Resident's details"

    def history_value(self, field: str, value: Any) -> str:
        if field == "date_of_birth" and isinstance(value, str):
            return date.fromisoformat(value).strftime("%d %b %Y")
        if isinstance(value, Enum):
            return str(value.value)
        return plain_value(value)
