"""Change a placement's details or record the resident's departure (ui/placement_form.ui), on
the shared RecordForm: inline messages naming the field, drafts, conflicts, history.

Only managers reach it (the resident's page offers it to them alone) and the service checks
again. A placement never moves between sites, so the site is shown, not chosen; it ends by a
departure, never by archiving.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLabel, QPlainTextEdit, QWidget

from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.placement_fields import (
    PLACEMENT_FIELDS,
    PlacementFields,
    allow_not_entered,
    choose,
    day_of,
    fill_choices,
    history_value,
    iso_of,
    parsed_day,
    set_day,
)
from pipe_app.gui.record_form import RecordForm
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import PlacementInput, ResidentService
from pipe_app.services.timeline import DEPARTURE_WORDS
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PAGE_FOR_KIND["placement"] = "residents"


class PlacementForm(RecordForm):
    UI_NAME = "placement_form"
    KIND = "placement"
    ENTITY_TYPE = "placements"
    NOUN = "placement"
    DRAFT_NOUN = "change to a placement"
    FIELDS = {
        **PLACEMENT_FIELDS,
        "actual_departure": ("actualDepartureEdit", "Departure date"),
        "departure_reason": ("departureReasonCombo", "Reason for leaving"),
        "departure_notes": ("departureNotesEdit", "Departure notes"),
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = ResidentService(db, actor)
        self._site_id: uuid.UUID | None = None
        self._heading = ""
        form = self.form
        self.placement = PlacementFields(form)
        self.site_value = child(form, QLabel, "siteValue")
        self.departed_check = child(form, QCheckBox, "departedCheck")
        self.departure_edit = child(form, QDateEdit, "actualDepartureEdit")
        self.reason_combo = child(form, QComboBox, "departureReasonCombo")
        self.notes_edit = child(form, QPlainTextEdit, "departureNotesEdit")
        allow_not_entered(self.departure_edit)
        fill_choices(self.reason_combo, "Choose…", DEPARTURE_WORDS)
        self.archive_button.hide()  # a placement ends by a departure, not by archiving
        self.departed_check.toggled.connect(self._on_departed_toggled)

    def _on_departed_toggled(self, departed: bool) -> None:
        self.departure_edit.setEnabled(departed)
        self.reason_combo.setEnabled(departed)
        if departed and not self._filling and day_of(self.departure_edit) is None:
            set_day(self.departure_edit, local_today().isoformat())

    def start_departure(self) -> None:
        """Tick "Left on" (today unless a day is already there) and put the cursor on it."""
        self.departed_check.setChecked(True)
        self.departure_edit.setFocus()

    # ---- RecordForm hooks --------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {
            **self.placement.values(),
            "departed": self.departed_check.isChecked(),
            "actual_departure": iso_of(self.departure_edit),
            "departure_reason": self.reason_combo.currentData(),
            "departure_notes": self.notes_edit.toPlainText(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        self.placement.set_values(values)
        departed = bool(values.get("departed"))
        self.departed_check.setChecked(departed)
        self._on_departed_toggled(departed)
        set_day(self.departure_edit, values.get("actual_departure"))
        choose(self.reason_combo, values.get("departure_reason"))
        self.notes_edit.setPlainText(values.get("departure_notes") or "")

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        row = self._service.placement(record_id)
        resident = self._service.get(row.resident_id)
        self._site_id = row.site_id
        self._heading = f"Placement of {resident.display_name} at {row.site_name}"
        self.site_value.setText(row.site_name)

        def iso(day: date | None) -> str | None:
            return day.isoformat() if day is not None else None

        values = {
            "expected_arrival": row.expected_arrival.isoformat(),
            "arrived": row.actual_arrival is not None,
            "actual_arrival": iso(row.actual_arrival),
            "expected_departure": row.expected_departure.isoformat(),
            "sentence_type": row.sentence_type.value,
            "release_type": row.release_type.value,
            "rosh_overall": row.rosh_overall.value,
            "rosh_children": row.rosh_children.value if row.rosh_children else None,
            "rosh_public": row.rosh_public.value if row.rosh_public else None,
            "rosh_known_adult": row.rosh_known_adult.value if row.rosh_known_adult else None,
            "rosh_staff": row.rosh_staff.value if row.rosh_staff else None,
            "is_pipe": row.is_pipe,
            "departed": row.actual_departure is not None,
            "actual_departure": iso(row.actual_departure),
            "departure_reason": row.departure_reason.value if row.departure_reason else None,
            "departure_notes": row.departure_notes,
        }
        return values, row.version

    def write(self) -> tuple[uuid.UUID, int]:
        assert self.record_id is not None and self.version is not None
        assert self._site_id is not None
        values = self.values()
        departed = values["departed"]
        data = PlacementInput(
            site_id=self._site_id,
            **PlacementFields.input_values(values),
            actual_departure=parsed_day(values, "actual_departure") if departed else None,
            departure_reason=values["departure_reason"] if departed else None,
            departure_notes=values["departure_notes"],
        )
        row = self._service.update_placement(self.record_id, self.version, data)
        return row.id, row.version

    def title_text(self) -> str:
        return self._heading or "Placement"

    def history_value(self, field: str, value: Any) -> str:
        return history_value(value)
