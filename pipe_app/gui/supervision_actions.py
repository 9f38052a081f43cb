"""The actions list of the supervision form: what was agreed, and following each action up.

A saved action has a tick box. Space or a click marks it done or not done at once, through
SupervisionService.mark_action_done (which checks who may and audits the change), also once
the record is signed off: actions are followed up after sign-off, and the database lock lets
exactly that through. Only the action's owner, the supervisor, a manager or a psychologist
may tick; others see the state as words. Nothing else on the form is saved or reloaded, so
unsaved typing elsewhere stays as it was. An action past its due date and not done says
"overdue" and is shown in red.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from pipe_app.gui.problems import describe_failure
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.supervision import (
    OVERSEERS,
    ActionRow,
    SupervisionDetail,
    SupervisionService,
)
from pipe_app.timeutil import local_today, to_local

OVERDUE_COLOUR = QColor("#b42318")
SAVED_ROLE = Qt.ItemDataRole.UserRole + 1  # the saved action (ActionRow) behind an entry

_Key = tuple[str, str, str | None]  # description, owner id, due day (ISO): as the form holds it


def _key(action: ActionRow) -> _Key:
    return (
        action.description,
        str(action.owner_id),
        action.due_on.isoformat() if action.due_on else None,
    )


def is_overdue(action: ActionRow, today: date) -> bool:
    return action.done_at is None and action.due_on is not None and action.due_on < today


def follow_up_text(action: ActionRow | None, today: date) -> str:
    """What the entry adds after the action: done when, or overdue (words, not only colour)."""
    if action is None:
        return ""
    if action.done_at is not None:
        return f" — done {to_local(action.done_at):%d %b %Y}"
    return " — overdue" if is_overdue(action, today) else ""


class ActionsList(QObject):
    """Fills the form's QListWidget and marks saved actions done or not done."""

    failed = Signal(str)  # why a tick was refused (the tick is put back)
    marked = Signal(object)  # the ActionRow as it now stands

    def __init__(
        self,
        widget: QListWidget,
        service: SupervisionService,
        actor: Actor,
        names: dict[str, str],
    ) -> None:
        super().__init__(widget)
        self.widget = widget
        self._service = service
        self._actor = actor
        self._names = names
        self._saved: dict[_Key, ActionRow] = {}
        self._site: uuid.UUID | None = None
        self._supervisor: uuid.UUID | None = None
        self._building = False
        widget.itemChanged.connect(self._on_item_changed)

    def follow(self, detail: SupervisionDetail | None) -> None:
        """The saved record whose actions can be ticked (None for a new record)."""
        self._saved = {_key(action): action for action in detail.actions} if detail else {}
        self._site = detail.record.site_id if detail else None
        self._supervisor = detail.record.supervisor_id if detail else None

    def may_mark(self, action: ActionRow) -> bool:
        actor, me = self._actor, self._actor.staff_member_id
        if self._site is None or not actor.can(Permission.SUPERVISION_WRITE, self._site):
            return False
        return (
            actor.is_system
            or bool(actor.roles & OVERSEERS)
            or (me is not None and me in (action.owner_id, self._supervisor))
        )

    # ---- entries -----------------------------------------------------------------------

    def entries(self) -> list[list[Any]]:
        """[description, owner id, due day] of each entry, as typed (saved or not)."""
        items = (self.widget.item(n) for n in range(self.widget.count()))
        return [list(item.data(Qt.ItemDataRole.UserRole)) for item in items]

    def clear(self) -> None:
        self.widget.clear()

    def add(self, description: str, owner: str, due: str | None) -> None:
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, [description, owner, due])
        self._building = True
        try:
            self.widget.addItem(item)
            self._show(item, self._saved.get((description, owner, due)))
        finally:
            self._building = False

    def _show(self, item: QListWidgetItem, action: ActionRow | None) -> None:
        description, owner, due = item.data(Qt.ItemDataRole.UserRole)
        name = self._names.get(owner, "another member of staff")
        when = f", due {date.fromisoformat(due):%d %b %Y}" if due else ""
        today = local_today()
        item.setText(f"{description} — {name}{when}{follow_up_text(action, today)}")
        item.setData(SAVED_ROLE, action)
        flags = item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable
        if action is None:
            item.setFlags(flags)
            item.setToolTip("Save the record to follow this action up")
            return
        done = action.done_at is not None
        item.setCheckState(Qt.CheckState.Checked if done else Qt.CheckState.Unchecked)
        if self.may_mark(action):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setToolTip("Space or a click marks this action done or not done")
        else:
            item.setToolTip("Only the owner, the supervisor, a manager or a psychologist")
        item.setFlags(flags)
        overdue = is_overdue(action, today)
        item.setData(Qt.ItemDataRole.ForegroundRole, OVERDUE_COLOUR if overdue else None)

    # ---- following up ------------------------------------------------------------------

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        action = item.data(SAVED_ROLE)
        if self._building or not isinstance(action, ActionRow):
            return
        wanted = item.checkState() == Qt.CheckState.Checked
        if wanted == (action.done_at is not None):
            return
        try:
            now = self._service.mark_action_done(action.id, wanted)
        except Exception as exc:
            self._redraw(item, action)
            self.failed.emit(describe_failure(exc, "update the action"))
            return
        self._saved[_key(now)] = now
        self._redraw(item, now)
        self.marked.emit(now)

    def _redraw(self, item: QListWidgetItem, action: ActionRow) -> None:
        self._building = True
        try:
            self._show(item, action)
        finally:
            self._building = False
