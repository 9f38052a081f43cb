"""The accreditation cycle form (ui/cycle_form.ui): a site's milestones from membership to award.

Each milestone after membership is ticked once its date is known. The expiry is the service's
rule (``award_expiry``), shown as the award date is typed. Managers edit; everyone else who may
read the site's evidence sees the cycle read-only.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLabel, QWidget

from pipe_app.domain.enums import CycleStatus
from pipe_app.gui.assets import child
from pipe_app.gui.drafts import PAGE_FOR_KIND
from pipe_app.gui.evidence_form import day_of
from pipe_app.gui.record_form import RecordForm, plain_value
from pipe_app.services.accreditation import AccreditationService, CycleInput, award_expiry
from pipe_app.services.errors import FieldProblem, ValidationError
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor, Permission
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PAGE_FOR_KIND["accreditation_cycle"] = "accreditation"
CYCLE_STATUS_LABELS = {
    CycleStatus.MEMBERSHIP: "Membership",
    CycleStatus.PORTFOLIO: "Portfolio",
    CycleStatus.INTERIM_ASSESSMENT: "Interim assessment",
    CycleStatus.AWARD_VISIT: "Award visit",
    CycleStatus.AWARDED: "Awarded",
    CycleStatus.LAPSED: "Lapsed",
}
# service field -> (tick box, date edit) of the milestones that may not be known yet
OPTIONAL_DATES = {
    "portfolio_due_on": ("portfolioCheck", "portfolioDate"),
    "interim_assessment_on": ("interimCheck", "interimDate"),
    "award_visit_on": ("awardVisitCheck", "awardVisitDate"),
    "award_on": ("awardCheck", "awardDate"),
}
MILESTONE_PHRASES = {
    "membership_on": "the membership date",
    "portfolio_due_on": "the portfolio due date",
    "interim_assessment_on": "the interim assessment",
    "award_visit_on": "the award visit",
}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


class CycleForm(RecordForm):
    UI_NAME = "cycle_form"
    KIND = "accreditation_cycle"
    ENTITY_TYPE = "accreditation_cycles"
    NOUN = "accreditation cycle"
    DRAFT_NOUN = "accreditation cycle"
    FIELDS = {
        "framework_id": ("frameworkCombo", "Framework"),
        "membership_on": ("membershipDate", "Membership"),
        "portfolio_due_on": ("portfolioDate", "Portfolio due"),
        "interim_assessment_on": ("interimDate", "Interim assessment"),
        "award_visit_on": ("awardVisitDate", "Award visit"),
        "award_on": ("awardDate", "Award date"),
    }

    def __init__(self, db: Database, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(db, actor, parent)
        self._service = AccreditationService(db, actor)
        self.site_id: uuid.UUID | None = None
        self.default_framework: uuid.UUID | None = None
        self.status: CycleStatus | None = None
        self.framework_combo = child(self.form, QComboBox, "frameworkCombo")
        self.membership_date = child(self.form, QDateEdit, "membershipDate")
        self.expires_label = child(self.form, QLabel, "expiresLabel")
        self.status_label = child(self.form, QLabel, "statusLabel")
        self.optional: dict[str, tuple[QCheckBox, QDateEdit]] = {
            field: (child(self.form, QCheckBox, tick), child(self.form, QDateEdit, edit))
            for field, (tick, edit) in OPTIONAL_DATES.items()
        }
        self.award_check, self.award_date = self.optional["award_on"]
        for tick, edit in self.optional.values():
            tick.toggled.connect(edit.setEnabled)
        self.award_check.toggled.connect(self._show_expiry)
        self.award_date.dateChanged.connect(self._show_expiry)
        self._names: dict[str, str] = {}
        try:
            for framework in FrameworkService(db, actor).rows():
                self.framework_combo.addItem(framework.title, str(framework.id))
                self._names[str(framework.id)] = framework.title
        except Exception as exc:  # the form still opens; saving will say what is wrong
            self.errors.show_general(f"Could not read the frameworks: {exc}")

    @property
    def editable(self) -> bool:
        return self.site_id is not None and self.actor.can(
            Permission.ACCREDITATION_MANAGE, self.site_id
        )

    # ---- RecordForm hooks --------------------------------------------------------------

    def blank_values(self) -> dict[str, Any]:
        chosen = self.default_framework
        return {
            "framework_id": str(chosen) if chosen is not None else None,
            "membership_on": local_today().isoformat(),
            **{field: None for field in OPTIONAL_DATES},
        }

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "framework_id": self.framework_combo.currentData(),
            "membership_on": day_of(self.membership_date.date()).isoformat(),
        }
        for field, (tick, edit) in self.optional.items():
            values[field] = day_of(edit.date()).isoformat() if tick.isChecked() else None
        return values

    def set_values(self, values: dict[str, Any]) -> None:
        combo = self.framework_combo
        combo.setCurrentIndex(max(combo.findData(values.get("framework_id")), 0))
        membership = _day(values.get("membership_on")) or local_today()
        self.membership_date.setDate(QDate(membership.year, membership.month, membership.day))
        for field, (tick, edit) in self.optional.items():
            day = _day(values.get(field))
            shown = day or membership
            edit.setDate(QDate(shown.year, shown.month, shown.day))
            tick.setChecked(day is not None)
        self._show_expiry()
        self._show_access()

    def load(self, record_id: uuid.UUID) -> tuple[dict[str, Any], int]:
        row = self._service.get(record_id).cycle
        self.site_id, self.status = row.site_id, row.status
        framework = str(row.framework_id)
        if self.framework_combo.findData(framework) < 0:  # an archived framework
            self.framework_combo.addItem(row.framework_name, framework)
            self._names[framework] = row.framework_name
        values = {
            "framework_id": framework,
            "membership_on": row.membership_on.isoformat(),
            **{field: _iso(getattr(row, field)) for field in OPTIONAL_DATES},
        }
        return values, row.version

    def write(self) -> tuple[uuid.UUID, int]:
        values = self.values()
        if self.site_id is None:
            raise ValidationError.single("site_id", "choose a site first")
        if not values["framework_id"]:
            raise ValidationError.single("framework_id", "is required")
        membership = _day(values["membership_on"])
        assert membership is not None
        data = CycleInput(
            site_id=self.site_id,
            framework_id=uuid.UUID(values["framework_id"]),
            membership_on=membership,
            portfolio_due_on=_day(values["portfolio_due_on"]),
            interim_assessment_on=_day(values["interim_assessment_on"]),
            award_visit_on=_day(values["award_visit_on"]),
            award_on=_day(values["award_on"]),
        )
        if self.record_id is None:
            row = self._service.create(data)
        else:
            assert self.version is not None
            row = self._service.update(self.record_id, self.version, data)
        self.status = row.status
        return row.id, row.version

    def archive_record(self, record_id: uuid.UUID, version: int) -> None:
        self._service.archive(record_id, version)

    def title_text(self) -> str:
        if self.record_id is None:
            return "New accreditation cycle"
        return f"Accreditation cycle from {day_of(self.membership_date.date()):%d %b %Y}"

    def problems_for(self, problems: list[FieldProblem]) -> list[FieldProblem]:
        """``cannot be before portfolio due on`` reads better as a milestone's name."""
        reworded = []
        for problem in problems:
            message = problem.message
            for field, phrase in MILESTONE_PHRASES.items():
                message = message.replace(f"before {field.replace('_', ' ')}", f"before {phrase}")
            reworded.append(FieldProblem(problem.field, message))
        return reworded

    def save(self) -> bool:
        return self.editable and super().save()

    def history_value(self, field: str, value: Any) -> str:
        if field == "framework_id" and isinstance(value, str):
            return self._names.get(value, "another framework")
        if field == "status" and value in {s.value for s in CycleStatus}:
            return CYCLE_STATUS_LABELS[CycleStatus(value)]
        return plain_value(value)

    def _settle(
        self, values: dict[str, Any], record_id: uuid.UUID | None, version: int | None
    ) -> None:
        if record_id is None:
            self.status = None
        super()._settle(values, record_id, version)

    # ---- what the user sees ------------------------------------------------------------

    def _show_expiry(self) -> None:
        award = day_of(self.award_date.date()) if self.award_check.isChecked() else None
        expires = award_expiry(award)
        self.expires_label.setText(
            f"{expires:%d %b %Y}, three years after the award"
            if expires is not None
            else "Three years after the award, once its date is set"
        )

    def _show_access(self) -> None:
        editable = self.editable
        self.save_button.setVisible(editable)
        self.archive_button.setVisible(editable and self.record_id is not None)
        self.cancel_button.setText("Cancel" if editable else "Close")
        self.framework_combo.setEnabled(editable)
        self.membership_date.setEnabled(editable)
        for tick, edit in self.optional.values():
            tick.setEnabled(editable)
            edit.setEnabled(editable and tick.isChecked())
        self.status_label.setText(
            CYCLE_STATUS_LABELS[self.status] if self.status is not None else "New"
        )
