"""Hand a placement to another key worker from a given day (managers only; the service checks
again). The previous key worker's assignment ends that day; the history keeps both."""

from __future__ import annotations

import uuid
from datetime import date
from typing import cast

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipe_app.gui.field_errors import FieldErrors
from pipe_app.gui.layouts import nest
from pipe_app.gui.placement_fields import day_of, fill_key_workers
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import Confirm
from pipe_app.services.errors import ValidationError
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import PlacementRow, ResidentService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today


class KeyWorkerDialog(QDialog):
    """Opened with ``open()`` (window-modal, not blocking); ``accepted`` once it is saved."""

    def __init__(
        self, db: Database, actor: Actor, placement: PlacementRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("keyWorkerDialog")
        self.setWindowTitle("Change key worker")
        self.setMinimumWidth(440)
        self.placement = placement
        self._service = ResidentService(db, actor)
        today = local_today()

        current = placement.key_worker_name or "nobody yet"
        intro = QLabel(f"Key worker at {placement.site_name} now: {current}.")
        intro.setObjectName("keyWorkerCurrent")
        intro.setWordWrap(True)
        self.worker_combo = QComboBox()
        self.worker_combo.setObjectName("newKeyWorkerCombo")
        self.worker_combo.setAccessibleName("New key worker")
        fill_key_workers(self.worker_combo, db, actor, placement.site_id, today)
        if placement.key_worker_id is not None:  # offer only a change
            self.worker_combo.removeItem(self.worker_combo.findData(str(placement.key_worker_id)))
        self.from_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.from_edit.setObjectName("keyWorkerFromEdit")
        self.from_edit.setAccessibleName("Key worker from")
        self.from_edit.setDisplayFormat("dd/MM/yyyy")
        self.from_edit.setCalendarPopup(True)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        worker_label = QLabel("&New key worker")
        worker_label.setBuddy(self.worker_combo)
        from_label = QLabel("&From")
        from_label.setBuddy(self.from_edit)
        form.addRow(worker_label, self.worker_combo)
        form.addRow(from_label, self.from_edit)
        general = QLabel()
        general.setObjectName("keyWorkerMessage")
        general.setProperty("role", "error")
        self.errors = FieldErrors(general)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton("Change key worker")
        self.save_button.setObjectName("keyWorkerSave")
        self.save_button.setDefault(True)
        self.save_button.setEnabled(self.worker_combo.count() > 0)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        nest(layout, form)
        layout.addWidget(general)
        layout.addWidget(self.buttons)
        # Messages go on the form rows, so the fields must be in the layout first.
        self.errors.add("key_worker", self.worker_combo, "Key worker")
        self.errors.add("from_date", self.from_edit, "From")
        if self.worker_combo.count() == 0:
            self.errors.show_general(f"No one else works at {placement.site_name} today.")
        self._clean = self._typed()
        self.buttons.accepted.connect(self._on_save_clicked)
        self.buttons.rejected.connect(self.reject)

    def _typed(self) -> tuple[object, date | None]:
        return self.worker_combo.currentData(), day_of(self.from_edit)

    def _on_save_clicked(self) -> None:
        self.errors.clear()
        worker, day = self._typed()
        try:
            self._service.assign_key_worker(
                self.placement.id, uuid.UUID(str(worker)), cast(date, day)
            )
        except ValidationError as exc:
            first = self.errors.show(exc.problems)
            if first is not None:
                first.setFocus()
            return
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, "change the key worker"))
            return
        self._clean = self._typed()
        self.accept()

    def reject(self) -> None:
        """Esc or Cancel: asks first when a different worker or day was chosen."""
        if self._typed() != self._clean and not Confirm.ask(
            self,
            "Unsaved changes",
            "Discard the change of key worker?",
            "Discard",
            "Keep editing",
        ):
            return
        super().reject()
