"""Change a placement's details or record the resident's departure, or place a returning
resident again ("new" mode) (ui/placement_form.ui), on the shared RecordForm: inline messages
naming the field, drafts, conflicts, history.

Only managers reach it (the resident's page offers it to them alone) and the service checks
again. A placement never moves between sites, so an existing one shows its site; a new one
chooses it, and its first key worker (or leaves that for later). A placement ends by a
departure, never by archiving.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND, DraftKey
from pipe_app.gui.placement_fields import (
    NEW_PLACEMENT_FIELDS,
    PLACEMENT_FIELDS,
    PlacementFields,
    SiteAndKeyWorker,
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
from pipe_app.services.residents import PlacementInput, ResidentRow, ResidentService
from pipe_app.services.timeline import DEPARTURE_WORDS
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PAGE_FOR_KIND["placement"] = "residents"
# Drafts of a new placement, one per resident (the draft's record id is the resident's):
# offered back by "New placement…" on the resident's page, and reopened there from Today.
NEW_KIND = "new_placement"
PAGE_FOR_KIND[NEW_KIND] = "residents"


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
        self.rows = child(form, QFormLayout, "placementForm")
        self.site_value = child(form, QLabel, "siteValue")
        self.site_combo = child(form, QComboBox, "siteCombo")
        self.key_worker_combo = child(form, QComboBox, "keyWorkerCombo")
        self.departure_group = child(form, QWidget, "departureGroup")
        self.new_hint = child(form, QLabel, "newPlacementHint")
        self.departed_check = child(form, QCheckBox, "departedCheck")
        self.departure_edit = child(form, QDateEdit, "actualDepartureEdit")
        self.reason_combo = child(form, QComboBox, "departureReasonCombo")
        self.notes_edit = child(form, QPlainTextEdit, "departureNotesEdit")
        allow_not_entered(self.departure_edit)
        fill_choices(self.reason_combo, "Choose…", DEPARTURE_WORDS)
        self.archive_button.hide()  # a placement ends by a departure, not by archiving
        for name, _label in self.FIELDS.values():
            # A refusal can be long (an overlap names the other stay): wrap, never widen.
            child(form, QLabel, f"{name}Error").setWordWrap(True)
        self.departed_check.toggled.connect(self._on_departed_toggled)

    def _on_departed_toggled(self, departed: bool) -> None:
        self.departure_edit.setEnabled(departed)
        self.reason_combo.setEnabled(departed)
        if departed and not self._filling and day_of(self.departure_edit) is None:
            set_day(self.departure_edit, local_today().isoformat())

    def _show_mode(self, new: bool) -> None:
        """An existing placement shows its site and departure; a new one chooses its site and
        first key worker."""
        self.rows.setRowVisible(self.site_value, not new)
        self.rows.setRowVisible(self.site_combo, new)
        self.rows.setRowVisible(self.key_worker_combo, new)
        self.departure_group.setVisible(not new)
        self.new_hint.setVisible(new)
        self.history_button.setVisible(not new)

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
        self._show_mode(False)
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


class NewPlacementForm(PlacementForm):
    """The placement form's "new" mode: another stay for a resident whose last one ended.

    The site is chosen among the user's sites and the first key worker chosen or left for
    later; the service refuses a stay that would meet any other placement of theirs. Drafts
    are kept per resident and offered back when "New placement…" is chosen for them again.
    """

    KIND = NEW_KIND
    DRAFT_NOUN = "new placement"
    FIELDS = {**PLACEMENT_FIELDS, **NEW_PLACEMENT_FIELDS}

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self.where = SiteAndKeyWorker(self.form, db, actor)
        self._resident: ResidentRow | None = None
        self._hint = self.new_hint.text()

    def start_for(self, resident: ResidentRow, *, offer_draft: bool = True) -> None:
        """A new stay for ``resident``: blank, or their unsaved draft if they choose it."""
        self._resident = resident
        self._heading = f"New placement for {resident.display_name}"
        if resident.departure is not None:
            self.new_hint.setText(
                f"{resident.display_name} left {resident.site_name} on "
                f"{resident.departure:%d %b %Y}. {self._hint}"
            )
        self.start_new(offer_draft=offer_draft)

    @property
    def draft_key(self) -> DraftKey:
        return DraftKey(self.KIND, self._resident.id if self._resident is not None else None)

    def focus_first(self) -> None:
        if self.where.site_combo.isEnabled():
            self.where.site_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            super().focus_first()

    def blank_values(self) -> dict[str, Any]:
        return {**self.where.blank_values(), **PlacementFields.blank_values(local_today())}

    def values(self) -> dict[str, Any]:
        return {**self.where.values(), **self.placement.values()}

    def set_values(self, values: dict[str, Any]) -> None:
        self._show_mode(True)
        self.placement.set_values(values)
        self.where.set_values(values)

    def write(self) -> tuple[uuid.UUID, int]:
        assert self._resident is not None
        values = self.values()
        data = PlacementInput(
            **SiteAndKeyWorker.input_values(values), **PlacementFields.input_values(values)
        )
        added = self._service.add_placement(self._resident.id, data)
        return added.id, added.version
