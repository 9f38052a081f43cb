"""The supervision record form (ui/supervision_form.ui) and its workflow buttons.

A draft is edited here by its supervisor (or a manager or psychologist). Once submitted the
record is read-only: the buttons offered are only the workflow steps this user may take now
(submit, acknowledge, sign off, add an addendum), so nobody is shown a step that would fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from pipe_app.domain.enums import SupervisionKind, SupervisionStatus
from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.record_form import Confirm, RecordForm, plain_value
from pipe_app.gui.supervision_actions import ActionsList
from pipe_app.services.errors import ConflictError, FieldProblem, ValidationError
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.staff import StaffRow, StaffService
from pipe_app.services.supervision import (
    OVERSEERS,
    ActionInput,
    SupervisionDetail,
    SupervisionInput,
    SupervisionService,
)
from pipe_app.storage.database import Database
from pipe_app.timeutil import format_local, local_today, to_local, to_utc, utc_now

NO_ONE = uuid.UUID(int=0)  # lets the service report every other problem at once
PAGE_FOR_KIND["supervision"] = "supervision"

KIND_LABELS = {
    SupervisionKind.INDIVIDUAL_CLINICAL: "Individual clinical",
    SupervisionKind.GROUP: "Group",
    SupervisionKind.REFLECTIVE_PRACTICE: "Reflective practice",
    SupervisionKind.CASE_CONSULTATION: "Case consultation",
    SupervisionKind.LINE_MANAGEMENT: "Line management",
}
STATUS_LABELS = {
    SupervisionStatus.DRAFT: "Draft",
    SupervisionStatus.SUBMITTED: "Awaiting acknowledgement",
    SupervisionStatus.ACKNOWLEDGED: "Awaiting sign-off",
    SupervisionStatus.SIGNED_OFF: "Signed off",
    SupervisionStatus.LOCKED: "Signed off (locked)",
}


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def split_crns(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class TextDialog(QDialog):
    """A short piece of text (an acknowledgement note, an addendum); tests patch ``ask``."""

    def __init__(self, title: str, prompt: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisionTextDialog")
        self.setWindowTitle(title)
        self.resize(520, 260)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("supervisionTextEdit")
        self.edit.setAccessibleName(title)
        self.edit.setTabChangesFocus(True)
        label.setBuddy(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.edit, 1)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str, ok_text: str) -> str | None:
        """The text typed, or None when cancelled."""
        dialog = cls(title, prompt, ok_text, parent)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.edit.toPlainText() if accepted else None
        finally:
            dialog.deleteLater()


class SupervisionForm(RecordForm):
    advanced = Signal(str)  # a workflow step was taken; the text says which

    UI_NAME = "supervision_form"
    KIND = "supervision"
    ENTITY_TYPE = "supervision_sessions"
    NOUN = "supervision record"
    DRAFT_NOUN = "supervision record"
    FIELDS = {
        "site_id": ("siteCombo", "Site"),
        "kind": ("kindCombo", "Kind"),
        "supervisor_id": ("supervisorCombo", "Supervisor"),
        "supervisee_ids": ("superviseesList", "Supervisees"),
        "started_at": ("startedEdit", "Start"),
        "duration_minutes": ("durationSpin", "Duration"),
        "themes": ("themesEdit", "Themes"),
        "cases_discussed": ("casesEdit", "Cases discussed"),
        "summary": ("summaryEdit", "Summary"),
        "risk_ethical_issues": ("riskEdit", "Risk and ethical issues"),
        "development_needs": ("developmentEdit", "Development needs"),
        "actions": ("actionsList", "Actions"),
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = SupervisionService(db, actor)
        self.detail: SupervisionDetail | None = None
        form = self.form
        self.site_combo = child(form, QComboBox, "siteCombo")
        self.kind_combo = child(form, QComboBox, "kindCombo")
        self.supervisor_combo = child(form, QComboBox, "supervisorCombo")
        self.supervisees_list = child(form, QListWidget, "superviseesList")
        self.started_edit = child(form, QDateTimeEdit, "startedEdit")
        self.duration_spin = child(form, QSpinBox, "durationSpin")
        self.themes_edit = child(form, QLineEdit, "themesEdit")
        self.cases_edit = child(form, QLineEdit, "casesEdit")
        self.summary_edit = child(form, QPlainTextEdit, "summaryEdit")
        self.risk_edit = child(form, QPlainTextEdit, "riskEdit")
        self.development_edit = child(form, QPlainTextEdit, "developmentEdit")
        self.action_edit = child(form, QLineEdit, "actionEdit")
        self.action_owner_combo = child(form, QComboBox, "actionOwnerCombo")
        self.action_due_edit = child(form, QDateEdit, "actionDueEdit")
        self.add_action_button = child(form, QPushButton, "addActionButton")
        self.actions_list = child(form, QListWidget, "actionsList")
        self.remove_action_button = child(form, QPushButton, "removeActionButton")
        self.status_detail = child(form, QLabel, "statusDetail")
        self.addenda_list = child(form, QListWidget, "addendaList")
        self.record_group = child(form, QWidget, "recordGroup")
        # The edit holds UK wall-clock time; UTC as its zone means no shifts by the PC's zone.
        self.started_edit.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, kind.value)
        self.archive_button.setText("Discard draft…")
        self.archive_button.setToolTip("Throw away this draft; submitted records are kept")

        self.submit_button = self._workflow_button("submitButton", "Submit", "Send to supervisees")
        self.acknowledge_button = self._workflow_button(
            "acknowledgeButton", "Acknowledge…", "Confirm you have read this record"
        )
        self.sign_off_button = self._workflow_button(
            "signOffButton", "Sign off…", "Sign off and lock this record"
        )
        self.addendum_button = self._workflow_button(
            "addendumButton", "Add addendum…", "Add a dated note to this locked record"
        )
        self._staff: list[StaffRow] = []
        self._staff_names: dict[str, str] = {}
        self.action_items = ActionsList(self.actions_list, self._service, actor, self._staff_names)
        self._fill_choices()
        self.site_combo.currentIndexChanged.connect(self._on_site_changed)
        self.add_action_button.clicked.connect(self._on_add_action_clicked)
        self.action_edit.returnPressed.connect(self._on_add_action_clicked)
        self.remove_action_button.clicked.connect(self._on_remove_action_clicked)
        self.submit_button.clicked.connect(self._on_submit_clicked)
        self.acknowledge_button.clicked.connect(self._on_acknowledge_clicked)
        self.sign_off_button.clicked.connect(self._on_sign_off_clicked)
        self.addendum_button.clicked.connect(self._on_addendum_clicked)
        self.action_items.failed.connect(self._on_action_refused)
        self.action_items.marked.connect(self._on_action_marked)

    def _workflow_button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.hide()
        bar = self.button_bar
        bar.insertWidget(bar.count() - 2, button)  # before Cancel and Save
        return button

    def _fill_choices(self) -> None:
        try:
            sites = SiteService(self.db, self.actor).rows()
        except Exception:
            sites = []
        for site in sites:
            if self.actor.is_system or site.id in self.actor.site_ids:
                self.site_combo.addItem(site.name, str(site.id))
        try:
            self._staff = StaffService(self.db, self.actor).rows()
        except Exception:
            self._staff = []
        for row in self._staff:
            self._staff_names[str(row.id)] = row.full_name
        mine = self.actor.staff_member_id
        if mine is not None and str(mine) not in self._staff_names:
            self._staff_names[str(mine)] = self.actor.display_name
        self._fill_people(None)

    def _fill_people(self, site: str | None, keep: dict[str, Any] | None = None) -> None:
        """Supervisor, supervisee and owner choices: the staff at the chosen site."""
        mine = str(self.actor.staff_member_id) if self.actor.staff_member_id else None
        at_site = [r for r in self._staff if site is None or uuid.UUID(site) in r.site_ids]
        people = {str(r.id): r.full_name for r in at_site}
        if mine is not None and mine not in people:
            people = {mine: self._staff_names[mine], **people}
        for key in (keep or {}).get("people", ()):
            people.setdefault(key, self._staff_names.get(key, "another member of staff"))
        ordered = sorted(people.items(), key=lambda item: (item[0] != mine, item[1]))
        for combo in (self.supervisor_combo, self.action_owner_combo):
            combo.blockSignals(True)
            chosen = combo.currentData()
            combo.clear()
            for key, name in ordered:
                combo.addItem(f"{name} (me)" if key == mine else name, key)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
            combo.blockSignals(False)
        ticked = set(self._ticked())
        self.supervisees_list.clear()
        for key, name in ordered:
            item = QListWidgetItem(name, self.supervisees_list)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in ticked else Qt.CheckState.Unchecked)
        self.supervisees_list.setCurrentRow(0)

    def _ticked(self) -> list[str]:
        items = (self.supervisees_list.item(n) for n in range(self.supervisees_list.count()))
        return sorted(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in items
            if item.checkState() == Qt.CheckState.Checked
        )

    # ---- slots -------------------------------------------------------------------------

    def _on_site_changed(self, _index: int) -> None:
        if not self._filling:
            self._fill_people(self.site_combo.currentData())

    def _on_add_action_clicked(self) -> None:
        text = self.action_edit.text().strip()
        if not text:
            self.action_edit.setFocus()
            return
        owner = self.action_owner_combo.currentData()
        self.action_items.add(text, owner, _day(self.action_due_edit.date()).isoformat())
        self.action_edit.clear()
        self.action_edit.setFocus()

    def _on_action_refused(self, message: str) -> None:
        self.errors.show([FieldProblem("actions", message)])

    def _on_action_marked(self, _action: object) -> None:
        """Only the action changed: the record and anything typed elsewhere stay as they are."""
        if self.errors.message_for("actions"):
            self.errors.clear()  # the refusal shown before no longer holds

    def _on_remove_action_clicked(self) -> None:
        row = self.actions_list.currentRow()
        if row >= 0:
            self.actions_list.takeItem(row)

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        now = to_local(utc_now()).replace(second=0, microsecond=0, tzinfo=None)
        mine = self.actor.staff_member_id
        return {
            "site_id": self.site_combo.itemData(0),
            "kind": SupervisionKind.INDIVIDUAL_CLINICAL.value,
            "supervisor_id": str(mine) if mine else self.supervisor_combo.itemData(0),
            "supervisee_ids": [],
            "started_at": now.isoformat(timespec="minutes"),
            "duration_minutes": 60,
            "themes": "",
            "cases_discussed": "",
            "summary": "",
            "risk_ethical_issues": "",
            "development_needs": "",
            "actions": [],
        }

    def values(self) -> dict[str, Any]:
        started = self.started_edit.dateTime()
        wall = datetime(
            started.date().year(),
            started.date().month(),
            started.date().day(),
            started.time().hour(),
            started.time().minute(),
        )
        return {
            "site_id": self.site_combo.currentData(),
            "kind": self.kind_combo.currentData(),
            "supervisor_id": self.supervisor_combo.currentData(),
            "supervisee_ids": self._ticked(),
            "started_at": wall.isoformat(timespec="minutes"),
            "duration_minutes": self.duration_spin.value(),
            "themes": self.themes_edit.text(),
            "cases_discussed": self.cases_edit.text(),
            "summary": self.summary_edit.toPlainText(),
            "risk_ethical_issues": self.risk_edit.toPlainText(),
            "development_needs": self.development_edit.toPlainText(),
            "actions": self.action_items.entries(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        self.site_combo.setCurrentIndex(max(self.site_combo.findData(values["site_id"]), 0))
        people = [values.get("supervisor_id"), *values.get("supervisee_ids", [])]
        people += [action[1] for action in values.get("actions", [])]
        self.supervisees_list.clear()
        self._fill_people(self.site_combo.currentData(), {"people": [p for p in people if p]})
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(values["kind"]), 0))
        index = self.supervisor_combo.findData(values.get("supervisor_id"))
        self.supervisor_combo.setCurrentIndex(max(index, 0))
        ticked = set(values.get("supervisee_ids", []))
        for n in range(self.supervisees_list.count()):
            item = self.supervisees_list.item(n)
            on = item.data(Qt.ItemDataRole.UserRole) in ticked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        wall = datetime.fromisoformat(values["started_at"])
        self.started_edit.setDateTime(
            QDateTime(
                QDate(wall.year, wall.month, wall.day),
                QTime(wall.hour, wall.minute),
                QTimeZone(QTimeZone.Initialization.UTC),
            )
        )
        self.duration_spin.setValue(int(values["duration_minutes"]))
        self.themes_edit.setText(values.get("themes", ""))
        self.cases_edit.setText(values.get("cases_discussed", ""))
        self.summary_edit.setPlainText(values.get("summary", ""))
        self.risk_edit.setPlainText(values.get("risk_ethical_issues", ""))
        self.development_edit.setPlainText(values.get("development_needs", ""))
        self.action_items.clear()
        for description, owner, due in values.get("actions", []):
            self.action_items.add(description, owner, due)
        self.action_edit.clear()
        self.action_due_edit.setDate(
            QDate.fromString((local_today() + timedelta(days=28)).isoformat(), "yyyy-MM-dd")
        )

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        detail = self._service.get(record_id)
        self.detail = detail
        self.action_items.follow(detail)
        row = detail.record
        for person, name in zip(row.supervisee_ids, row.supervisee_names, strict=True):
            self._staff_names.setdefault(str(person), name)
        self._staff_names.setdefault(str(row.supervisor_id), row.supervisor_name)
        for action in detail.actions:
            self._staff_names.setdefault(str(action.owner_id), action.owner_name)
        started = to_local(row.started_at).replace(tzinfo=None)
        values = {
            "site_id": str(row.site_id),
            "kind": row.kind.value,
            "supervisor_id": str(row.supervisor_id),
            "supervisee_ids": sorted(str(person) for person in row.supervisee_ids),
            "started_at": started.isoformat(timespec="minutes"),
            "duration_minutes": row.duration_minutes,
            "themes": ", ".join(row.themes),
            "cases_discussed": ", ".join(row.cases_discussed),
            "summary": row.summary,
            "risk_ethical_issues": row.risk_ethical_issues,
            "development_needs": row.development_needs,
            "actions": [
                [a.description, str(a.owner_id), a.due_on.isoformat() if a.due_on else None]
                for a in detail.actions
            ],
        }
        return values, row.version

    def data(self) -> SupervisionInput:
        values = self.values()
        started = to_utc(datetime.fromisoformat(values["started_at"]))
        return SupervisionInput(
            site_id=uuid.UUID(values["site_id"]) if values["site_id"] else NO_ONE,
            kind=values["kind"],
            supervisor_id=uuid.UUID(values["supervisor_id"]) if values["supervisor_id"] else NO_ONE,
            supervisee_ids=[uuid.UUID(person) for person in values["supervisee_ids"]],
            started_at=started,
            duration_minutes=values["duration_minutes"],
            themes=split_list(values["themes"]),
            cases_discussed=split_crns(values["cases_discussed"]),
            summary=values["summary"],
            risk_ethical_issues=values["risk_ethical_issues"],
            development_needs=values["development_needs"],
            actions=[
                ActionInput(text, uuid.UUID(owner), date.fromisoformat(due) if due else None)
                for text, owner, due in values["actions"]
            ],
        )

    def write(self) -> tuple[uuid.UUID, int]:
        data = self.data()
        if self.record_id is None:
            detail = self._service.create(data)
        else:
            assert self.version is not None
            detail = self._service.update(self.record_id, self.version, data)
        self.detail = detail
        self.action_items.follow(detail)
        return detail.record.id, detail.record.version

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        self._service.discard(record_id, version)

    def problems_for(self, problems: list[FieldProblem]) -> list[FieldProblem]:
        reworded = []
        for problem in problems:
            if problem.field.startswith("actions["):
                number = problem.field[len("actions[") : -1]
                reworded.append(FieldProblem("actions", f"action {number} {problem.message}"))
            else:
                reworded.append(problem)
        return reworded

    def title_text(self) -> str:
        if self.record_id is None or self.detail is None:
            return f"New {self.NOUN}"
        row = self.detail.record
        return f"{KIND_LABELS[row.kind]} supervision, {format_local(row.started_at)}"

    def history_value(self, field: str, value: Any) -> str:
        if field in ("supervisor_id",) and isinstance(value, str):
            return self._staff_names.get(value, "another member of staff")
        if field == "kind" and isinstance(value, str):
            return KIND_LABELS.get(SupervisionKind(value), value)
        if field == "status" and isinstance(value, str):
            return STATUS_LABELS.get(SupervisionStatus(value), value)
        return plain_value(value)

    # ---- workflow ----------------------------------------------------------------------

    def _settle(
        self, values: dict[str, Any], record_id: uuid.UUID | None, version: int | None
    ) -> None:
        if record_id is None:
            self.detail = None
            self.action_items.follow(None)
        super()._settle(values, record_id, version)
        self._show_workflow()

    def _me(self) -> uuid.UUID | None:
        return self.actor.staff_member_id

    def can_edit(self) -> bool:
        detail = self.detail
        if detail is None or self.record_id is None:
            return self.actor.can(Permission.SUPERVISION_WRITE)
        row = detail.record
        return (
            row.status == SupervisionStatus.DRAFT
            and self.actor.can(Permission.SUPERVISION_WRITE, row.site_id)
            and (bool(self.actor.roles & OVERSEERS) or self._me() == row.supervisor_id)
        )

    def allowed_steps(self) -> set[str]:
        """The workflow steps this user may take on the open record now."""
        steps: set[str] = set()
        if self.can_edit():
            steps.add("submit")
        detail = self.detail
        if detail is None or self.record_id is None:
            return steps
        row, me = detail.record, self._me()
        mine = next((s for s in detail.supervisees if s.staff_member_id == me), None)
        if row.status == SupervisionStatus.SUBMITTED and mine and mine.acknowledged_at is None:
            steps.add("acknowledge")
        if (
            row.status == SupervisionStatus.ACKNOWLEDGED
            and self.actor.can(Permission.SUPERVISION_SIGN_OFF, row.site_id)
            and mine is None
        ):
            steps.add("sign_off")
        involved = mine is not None or me == row.supervisor_id
        if row.is_locked and (bool(self.actor.roles & OVERSEERS) or involved):
            steps.add("addendum")
        return steps

    def _show_workflow(self) -> None:
        editable = self.can_edit()
        steps = self.allowed_steps()
        self.submit_button.setVisible("submit" in steps)
        self.acknowledge_button.setVisible("acknowledge" in steps)
        self.sign_off_button.setVisible("sign_off" in steps)
        self.addendum_button.setVisible("addendum" in steps)
        self.save_button.setVisible(editable)
        self.archive_button.setVisible(editable and self.record_id is not None)
        for edit in (self.summary_edit, self.risk_edit, self.development_edit):
            edit.setReadOnly(not editable)
        for line in (self.themes_edit, self.cases_edit):
            line.setReadOnly(not editable)
        for widget in (
            self.site_combo,
            self.kind_combo,
            self.supervisor_combo,
            self.supervisees_list,
            self.started_edit,
            self.duration_spin,
            self.action_edit,
            self.action_owner_combo,
            self.action_due_edit,
            self.add_action_button,
            self.remove_action_button,
        ):
            widget.setEnabled(editable)
        self.site_combo.setEnabled(editable and self.record_id is None)
        self.cancel_button.setText("Cancel" if editable else "Close")
        self._show_record_state()

    def _show_record_state(self) -> None:
        detail = self.detail
        self.record_group.setVisible(detail is not None and self.record_id is not None)
        self.addenda_list.clear()
        if detail is None:
            self.status_detail.clear()
            return
        row = detail.record
        lines = [f"Status: {STATUS_LABELS[row.status]}."]
        for person in detail.supervisees:
            if person.acknowledged_at is not None:
                note = (
                    f" — disagrees: {person.disagreement_note}" if person.disagreement_note else ""
                )
                lines.append(
                    f"Acknowledged by {person.name} on {format_local(person.acknowledged_at)}{note}"
                )
            elif row.status != SupervisionStatus.DRAFT:
                lines.append(f"Not yet acknowledged by {person.name}.")
        if row.locked_at is not None:
            lines.append(f"Signed off and locked on {format_local(row.locked_at)}.")
        self.status_detail.setText("\n".join(lines))
        for addendum in detail.addenda:
            QListWidgetItem(
                f"{format_local(addendum.written_at)}, {addendum.author_name}: {addendum.text}",
                self.addenda_list,
            )
        self.addenda_list.setVisible(bool(detail.addenda))

    def _step(self, work: Callable[[], object], doing: str, done: str) -> bool:
        """Run one workflow step; on success show the record as it now stands."""
        self.errors.clear()
        try:
            work()
        except ValidationError as exc:
            first = self.errors.show(self.problems_for(exc.problems))
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        except ConflictError as exc:
            self._on_conflict(exc)
            return False
        except Exception as exc:
            self.errors.show_general(describe_failure(exc, doing))
            return False
        assert self.record_id is not None
        self.forget_draft()
        self.open_record(self.record_id, offer_draft=False)
        self.advanced.emit(done)
        return True

    def _save_in_place(self) -> None:
        """Save typing before a workflow step, keeping the form open."""
        if self.record_id is None or self.is_dirty():
            self.record_id, self.version = self.write()
            self._clean = self.values()

    def _on_submit_clicked(self) -> None:
        def submit() -> None:
            self._save_in_place()
            assert self.record_id is not None and self.version is not None
            self._service.submit(self.record_id, self.version)

        self._step(submit, "submit the record", "Submitted: the supervisees can now read it.")

    def _on_acknowledge_clicked(self) -> None:
        note = TextDialog.ask(
            self,
            "Acknowledge supervision record",
            "You confirm you have read this record. If you disagree with any of it, say so "
            "here (optional):",
            "Acknowledge",
        )
        if note is None or self.record_id is None:
            return
        record_id, version = self.record_id, self.version
        self._step(
            lambda: self._service.acknowledge(record_id, note, version=version),
            "acknowledge the record",
            "Acknowledged.",
        )

    def sign_off(self) -> bool:
        """Sign off after confirming that the record will be locked for good."""
        if self.record_id is None or self.version is None:
            return False
        if not Confirm.ask(
            self,
            "Sign off and lock?",
            "Sign off this supervision record?",
            "Sign off and lock",
            "Not yet",
            informative="Once signed off the record is locked: it can never be changed, "
            "only added to with an addendum.",
        ):
            return False
        record_id, version = self.record_id, self.version
        return self._step(
            lambda: self._service.sign_off(record_id, version),
            "sign off the record",
            "Signed off and locked.",
        )

    def _on_sign_off_clicked(self) -> None:
        self.sign_off()

    def _on_addendum_clicked(self) -> None:
        text = TextDialog.ask(
            self,
            "Add addendum",
            "The addendum is dated now and carries your name. The record itself stays as "
            "it was signed off.",
            "Add addendum",
        )
        if text is None or self.record_id is None:
            return
        record_id = self.record_id
        self._step(
            lambda: self._service.add_addendum(record_id, text),
            "add the addendum",
            "Addendum added.",
        )
