"""Admit a resident (their details and first placement) or edit their details
(ui/resident_form.ui), on the shared RecordForm: inline messages, drafts, conflicts.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

from PySide6.QtWidgets import QComboBox, QDateEdit, QLineEdit, QWidget

from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.placement_fields import (
    NEW_PLACEMENT_FIELDS,
    PLACEMENT_FIELDS,
    PlacementFields,
    SiteAndKeyWorker,
    allow_not_entered,
    history_value,
    iso_of,
    set_day,
)
from pipe_app.gui.record_form import RecordForm
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import PlacementInput, ResidentInput, ResidentService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PAGE_FOR_KIND["resident"] = "residents"
GENDERS = ("", "Male", "Female", "Non-binary", "Prefer not to say")


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
        **PLACEMENT_FIELDS,
        **NEW_PLACEMENT_FIELDS,
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
        self.placement = PlacementFields(form)
        self.where = SiteAndKeyWorker(form, db, actor)
        self.site_combo = self.where.site_combo
        self.key_worker_combo = self.where.key_worker_combo
        allow_not_entered(self.birth_edit)
        self.gender_combo.addItems(list(GENDERS))
        self.archive_button.hide()  # residents leave by a departure, not by archiving

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        return {
            "crn": "",
            "given_name": "",
            "family_name": "",
            "preferred_name": "",
            "date_of_birth": None,
            "gender": "",
            "pronouns": "",
            **self.where.blank_values(),
            **PlacementFields.blank_values(local_today()),
        }

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "crn": self.crn_edit.text(),
            "given_name": self.given_edit.text(),
            "family_name": self.family_edit.text(),
            "preferred_name": self.preferred_edit.text(),
            "date_of_birth": iso_of(self.birth_edit),
            "gender": self.gender_combo.currentText(),
            "pronouns": self.pronouns_edit.text(),
        }
        if self.record_id is None:
            values.update(**self.where.values(), **self.placement.values())
        return values

    def set_values(self, values: dict[str, Any]) -> None:
        self.placement_group.setVisible(self.record_id is None)
        self.crn_edit.setText(values.get("crn", ""))
        self.given_edit.setText(values.get("given_name", ""))
        self.family_edit.setText(values.get("family_name", ""))
        self.preferred_edit.setText(values.get("preferred_name") or "")
        set_day(self.birth_edit, values.get("date_of_birth"))
        self.gender_combo.setCurrentText(values.get("gender", ""))
        self.pronouns_edit.setText(values.get("pronouns") or "")
        if "site_id" not in values:
            return
        self.where.set_values(values)
        self.placement.set_values(values)

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
        return PlacementInput(
            **SiteAndKeyWorker.input_values(values), **PlacementFields.input_values(values)
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
        return history_value(value)
