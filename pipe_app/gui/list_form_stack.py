"""A page's list, its record forms and record views (such as a resident's own page), one
shown at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from pipe_app.gui.record_form import RecordForm
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database

F = TypeVar("F", bound=RecordForm)


@dataclass(frozen=True)
class FormMaker:
    """A record form to build inside its stack the first time it is needed, so opening a
    page builds its list only (``ListFormStack.form_built`` then hands the new form over)."""

    kind: type[RecordForm]
    db: Database
    actor: Actor


class ListFormStack(QStackedWidget):
    """Leaving a form goes through ``leave()``: it asks before unsaved typing is lost.

    ``back()`` returns to whatever was shown before the current form or view (the list when
    nothing else), and puts the cursor where it was: the list stays as it was left, with its
    search, filters and position.

    Forms are given built, or as a ``FormMaker`` to be built on first use (``form``,
    ``form_of``); ``form_built`` is emitted with each form built so, to connect it.
    """

    form_built = Signal(object)  # the RecordForm just built

    def __init__(
        self,
        name: str,
        list_panel: QWidget,
        form: RecordForm | FormMaker,
        focus_on_return: QWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.list_panel, self._focus = list_panel, focus_on_return
        self._makers: list[FormMaker] = []
        self._forms: list[RecordForm] = []  # the forms built so far
        self._focus_for: dict[QWidget, QWidget] = {list_panel: focus_on_return}
        self._came_from: dict[QWidget, QWidget] = {}
        self.addWidget(list_panel)
        self.add_form(form)

    @property
    def form(self) -> RecordForm:
        """The stack's first form (built now if it was not yet)."""
        return self.form_of(self._makers[0].kind)

    @property
    def form_kind(self) -> type[RecordForm]:
        """The first form's class, known without building it (drafts are found by its KIND)."""
        return self._makers[0].kind

    @property
    def actor(self) -> Actor:
        return self._makers[0].actor

    def built_form(self, kind: type[F]) -> F | None:
        """The stack's form of class ``kind`` if it has been built, else None."""
        return next((form for form in self._forms if isinstance(form, kind)), None)

    def form_of(self, kind: type[F]) -> F:
        """The stack's form of class ``kind``, built the first time it is asked for."""
        form = self.built_form(kind)
        if form is not None:
            return form
        maker = next(maker for maker in self._makers if maker.kind is kind)
        built = kind(maker.db, maker.actor, self)
        self._forms.append(built)
        self.addWidget(built)
        self.form_built.emit(built)
        return built

    def add_form(self, form: RecordForm | FormMaker) -> None:
        if isinstance(form, FormMaker):
            self._makers.append(form)
            return
        self._makers.append(FormMaker(type(form), form.db, form.actor))
        self._forms.append(form)
        self.addWidget(form)

    def add_view(self, view: QWidget, focus_on_return: QWidget) -> None:
        """A read-only panel (a record's own page); ``focus_on_return`` gets the cursor back."""
        self._focus_for[view] = focus_on_return
        self.addWidget(view)

    @property
    def open_form(self) -> RecordForm | None:
        current = self.currentWidget()
        return next((form for form in self._forms if form is current), None)

    @property
    def form_open(self) -> bool:
        return self.open_form is not None

    def show_form(self, form: RecordForm | None = None) -> None:
        self.show_panel(form or self.form)

    def _current(self) -> QWidget:
        return self.currentWidget() or self.list_panel

    def show_panel(self, panel: QWidget) -> None:
        """Show a form or view; ``back()`` from it returns to what is shown now."""
        current = self._current()
        if panel is current:
            return
        if self.open_form is not None:  # one form replaces another: back goes where it would
            self._stop(current)
            current = self._came_from.pop(current, self.list_panel)
        if panel is not current:
            self._came_from[panel] = current
        self.setCurrentWidget(panel)

    def back(self) -> QWidget:
        """From the current form or view to what was shown before it; returns that."""
        current = self._current()
        self._stop(current)
        target = self._came_from.pop(current, self.list_panel)
        self.setCurrentWidget(target)
        self._focus_for.get(target, self._focus).setFocus(Qt.FocusReason.OtherFocusReason)
        return target

    def back_to_list(self) -> None:
        self._stop(self._current())
        self._came_from.clear()
        self.setCurrentWidget(self.list_panel)
        self._focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def leave(self) -> bool:
        """True when the form may close (nothing unsaved, or the user said discard); it then
        goes back to where it was opened from."""
        form = self.open_form
        if form is None:
            return True
        if not form.can_close():
            return False
        self.back()
        return True

    def _stop(self, panel: QWidget) -> None:
        if isinstance(panel, RecordForm):
            panel.autosaver.stop()
