"""The pages of the main window, who may open each, and the shared page frame."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from pipe_app.gui.assets import icon
from pipe_app.gui.layouts import nest
from pipe_app.gui.print_documents import view_document
from pipe_app.services.permissions import Actor, Permission
from pipe_app.storage.database import Database

_P = Permission


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    description: str
    icon: str
    allowed: Callable[[Actor], bool]


def _needs(*any_of: Permission) -> Callable[[Actor], bool]:
    return lambda actor: any(actor.can(permission) for permission in any_of)


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "today",
        "Today",
        "Your key work that is due, tonight's groups, supervision awaiting your sign-off "
        "and training about to expire.",
        "today",
        lambda _actor: True,
    ),
    PageSpec(
        "residents",
        "Residents",
        "Everyone placed at your sites. Search by name or case reference number (CRN).",
        "residents",
        _needs(_P.RESIDENT_READ),
    ),
    PageSpec(
        "key_work",
        "Key work",
        "Record a key-work session in under a minute, and see whose key work is due or overdue.",
        "key_work",
        _needs(_P.RESIDENT_READ),
    ),
    PageSpec(
        "groups",
        "Groups & activities",
        "Socially creative sessions, structured groups and community meetings, "
        "with their registers.",
        "groups",
        _needs(_P.RESIDENT_READ),
    ),
    PageSpec(
        "staff",
        "Staff & training",
        "Staff at your sites and the training matrix: who is due, and who is out of date.",
        "staff",
        _needs(_P.STAFF_READ),
    ),
    PageSpec(
        "supervision",
        "Supervision",
        "Clinical supervision, reflective practice and case consultation records, "
        "and the sign-off queue.",
        "supervision",
        _needs(_P.SUPERVISION_READ),
    ),
    PageSpec(
        "accreditation",
        "Accreditation",
        "The Enabling Environments standards, evidence against each criterion, coverage "
        "and the award cycle.",
        "accreditation",
        _needs(_P.EVIDENCE_READ),
    ),
    PageSpec(
        "reports",
        "Reports",
        "Monthly figures, the training matrix, the audit trail and the evidence pack "
        "for the assessor, ready to print.",
        "reports",
        _needs(_P.EVIDENCE_READ, _P.AUDIT_READ),
    ),
    PageSpec(
        "administration",
        "Administration",
        "Logins and roles, site settings, and backups.",
        "administration",
        _needs(_P.USER_MANAGE, _P.SITE_MANAGE),
    ),
)


def visible_pages(actor: Actor) -> list[PageSpec]:
    return [spec for spec in PAGES if spec.allowed(actor)]


def spec_for(key: str) -> PageSpec:
    for spec in PAGES:
        if spec.key == key:
            return spec
    raise KeyError(key)


class Page(QWidget):
    """A main-window page: a title, a description, then its content in ``body``.

    Every page is built as ``PageClass(spec, db, actor)`` (see ``page_registry``). A page asks
    the window to open a record on another page by emitting ``record_requested(page_key, id)``;
    the window shows that page and calls its ``open_record(id)``.
    """

    record_requested = Signal(str, object)
    _in_parts = False  # pages built now put their later parts aside (``built_in_parts``)

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.db = db
        self.actor = actor
        self.setObjectName(f"{spec.key}Page")
        self._loaded = False
        self._parts: list[Callable[[], None]] = []  # ``build_later``'s, not built yet
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(6)
        title = QLabel(spec.title, self)  # parented from the start: styled once, in place
        title.setProperty("role", "pageTitle")
        title.setAccessibleName(f"{spec.title} page")
        description = QLabel(spec.description, self)
        description.setProperty("role", "pageDescription")
        description.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(description)
        self.error_banner = QLabel(self)
        self.error_banner.setProperty("role", "errorBanner")
        self.error_banner.setWordWrap(True)
        self.error_banner.hide()
        outer.addSpacing(8)
        outer.addWidget(self.error_banner)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        nest(outer, self.body, 1)

    def build_later(self, part: Callable[[], None]) -> None:
        """Build ``part`` of the page (a tab, the signals that join the parts) now, or, for a
        page built in the window's idle turns (``built_in_parts``), in a turn of its own
        (``build_next_part``): no one turn then holds the GUI thread for the whole page.
        Parts are built in the order given; the one that connects them comes last."""
        if Page._in_parts:
            self._parts.append(part)
        else:
            part()

    @property
    def complete(self) -> bool:
        """Every part of the page is built."""
        return not self._parts

    def build_next_part(self) -> None:
        """Build the next part put aside; one that fails stays, to be tried again."""
        if self._parts:
            self._parts[0]()
            self._parts.pop(0)

    def finish_building(self) -> None:
        """Build at once the parts still put aside (the page is wanted now)."""
        while self._parts:
            self.build_next_part()

    @property
    def opened(self) -> bool:
        """The page has been shown (and has read what it shows)."""
        return self._loaded

    def activate(self) -> None:
        """Called when the page is shown: load on first view only, so start-up stays quick."""
        if not self._loaded:
            self._loaded = True
            self.refresh()

    def prepare(self) -> None:
        """Read what the page's filters offer (sites, staff, frameworks; never a resident's
        records) ahead of its first showing: called while the window is idle."""

    def warm_up(self) -> Callable[[], object] | None:
        """The page's first read, for the window to run off the GUI thread once the page is
        prepared: SQLAlchemy compiles and caches its statements then, not as the user first
        opens the page (at demo scale two thirds of the Residents list's first read), and
        what it reads may go on show while the page is hidden (``warmed``): the first
        opening paints it at once and reads it again (a list on SQLite: only if something
        was committed since). None: nothing to warm."""
        return None

    def warmed(self, outcome: object) -> None:
        """What the warm-up read returned, on the GUI thread: a page may put it on show ahead
        of its first showing (unless it has been read since), and read it again then."""

    def refresh(self) -> None:
        """Reload from the services (F5)."""

    def open_record(self, record_id: uuid.UUID) -> None:
        """Show one record of this page's kind (from Today, a timeline or a search)."""

    def search_field(self) -> QLineEdit | None:
        """The page's search box, for Ctrl+F (None when it has none)."""
        return None

    def can_leave(self) -> bool:
        """False keeps the page open (e.g. unsaved typing); pages with forms override it."""
        return True

    def print_document(self) -> QTextDocument | None:
        """What Ctrl+P prints: the open record, else the list on show (None: nothing)."""
        return view_document(self, self.spec.title, self.actor)

    def print_file(self) -> Path | None:
        """A finished PDF that Ctrl+P prints as it is, instead of ``print_document``."""
        return None

    def show_error(self, text: str) -> None:
        self.error_banner.setText(text)
        self.error_banner.setVisible(bool(text))


@contextmanager
def built_in_parts() -> Iterator[None]:
    """Pages built inside put aside the parts they ``build_later``, for the caller to build
    one a turn (``Page.build_next_part``) or all at once (``Page.finish_building``)."""
    before, Page._in_parts = Page._in_parts, True
    try:
        yield
    finally:
        Page._in_parts = before


class PlaceholderPage(Page):
    """A tidy stand-in until the real view is built."""

    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        card = QFrame()
        card.setObjectName("placeholderCard")
        card.setProperty("role", "card")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.setSpacing(12)
        picture = QLabel()
        picture.setPixmap(icon(spec.icon).pixmap(56, 56))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel("Coming in a later version of PIPE Desk")
        heading.setProperty("role", "cardHeading")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note = QLabel("This view is being built; nothing is recorded here yet.")
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note.setProperty("role", "hint")
        for widget in (picture, heading, note):
            layout.addWidget(widget)
        self.body.addWidget(card)
        self.body.addStretch(1)
