"""The main window: role-filtered navigation on the left, the pages in a stack on the right."""

from __future__ import annotations

import logging
from contextlib import nullcontext

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QWidget,
)

from pipe_app import __version__
from pipe_app.gui.assets import app_icon, icon
from pipe_app.gui.collector import LongLived
from pipe_app.gui.labels import roles_text
from pipe_app.gui.page_registry import PAGE_CLASSES
from pipe_app.gui.pages import PAGES, Page, PageSpec, built_in_parts, visible_pages
from pipe_app.gui.printing import print_page
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.rehearsal import rehearse
from pipe_app.gui.tasks import run_task
from pipe_app.gui.view_layout import restore_layout, save_layout
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteRow, SiteService
from pipe_app.storage.database import Database

log = logging.getLogger(__name__)
GEOMETRY_KEY = "main_window/geometry"
STATE_KEY = "main_window/state"
NAVIGATION_WIDTH = 228
NAVIGATION_ITEM_HEIGHT = 40
# Pages not yet opened are built in the quiet after sign-in, one at a time with a pause
# between, so a click on one never waits for its widgets (20-60 ms each on an old PC).
IDLE_BUILD_START_MS = 300
IDLE_BUILD_GAP_MS = 30


def _scroll_area(key: str) -> QScrollArea:
    """Each page scrolls when the window is smaller than it (small screens, 200% scaling),
    so no page's minimum size decides how small the window can be. The page itself goes in
    when it is first shown (``MainWindow.page``)."""
    area = QScrollArea()
    area.setObjectName(f"{key}Scroll")
    area.setProperty("role", "pageScroll")
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def last_page_key(username: str) -> str:
    """Per login: people share a desktop, and each returns to where they were."""
    return f"main_window/last_page/{username}"


class MainWindow(QMainWindow):
    signed_out = Signal()
    closed = Signal()
    page_changed = Signal(str)

    def __init__(
        self, db: Database, actor: Actor, settings: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.db = db
        self.actor = actor
        self.settings = settings
        self._signing_out = False
        self.specs: list[PageSpec] = visible_pages(actor)
        self.pages: dict[str, Page] = {}  # only the pages built so far: each on first showing
        self._unbuilt: list[str] = []  # pages still to build while idle (build_pages_while_idle)
        self._in_parts: list[Page] = []  # being built while idle, a part a turn
        self._unprepared: list[Page] = []  # built while idle, their filters not yet filled
        self._unrehearsed: list[Page] = []  # prepared while idle, not yet laid out (rehearse)
        self._warming: set[Page] = set()  # their warm-up read is running
        self.page_actions: dict[str, QAction] = {}

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Pages")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(NAVIGATION_WIDTH)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        for spec in self.specs:
            self.stack.addWidget(_scroll_area(spec.key))
            item = QListWidgetItem(icon(spec.icon), spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(spec.description)
            item.setSizeHint(QSize(NAVIGATION_WIDTH - 2, NAVIGATION_ITEM_HEIGHT))
            self.navigation.addItem(item)
        central = QWidget()
        central.setObjectName("central")
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        # The first page starts reading (off the GUI thread, for Today) while the rest of
        # the window is built, not after: the read starts 10-20 ms sooner.
        first = self._first_page_key()
        self.page(first).activate()

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._connect_signals()
        self._restore_settings()

    def page(self, key: str) -> Page:
        """The page ``key`` (one the user may see), built the first time it is asked for, so
        signing in builds Today (or the page last open) rather than every page; a page built
        in parts while idle is finished now."""
        page = self.pages.get(key)
        if page is None:
            page = self._build(key)
        if not page.complete:
            page.finish_building()
            self._built(page)
        return page

    def _build(self, key: str, *, in_parts: bool = False) -> Page:
        """Build page ``key`` in its place; ``in_parts``: its later parts are left for the
        idle turns (``Page.build_later``)."""
        index = [spec.key for spec in self.specs].index(key)  # ValueError: not for this user
        area = self.stack.widget(index)
        assert isinstance(area, QScrollArea)
        # Built in its place: each widget takes the style sheet once, where moving a finished
        # page into the window would style every widget in it again.
        with built_in_parts() if in_parts else nullcontext():
            page = PAGE_CLASSES[key](self.specs[index], self.db, self.actor, area.viewport())
        page.record_requested.connect(self._on_record_requested)
        area.setWidget(page)
        page.setAutoFillBackground(False)  # setWidget turns it on; let the page colour show
        self.pages[key] = page
        if page.complete:
            self._built(page)
        return page

    def _built(self, page: Page) -> None:
        """Every part of ``page`` is built: the user's column widths and splitters go back."""
        restore_layout(page, self.settings, self.actor.username)

    def build_pages_while_idle(self) -> None:
        """Build every page not yet opened, in the quiet after sign-in: one page, then a
        pause for the user's input, then the next, and none while the page on show is still
        loading. A page may show what its warm-up read (``Page.warmed``): a list its
        first rows, a view its figures; its first showing reads them again (a list on
        SQLite, only if something has been committed since: ``WarmRows.current``). Once
        all are built, each is laid out and painted off-screen (``rehearse``), one a turn."""
        self._unbuilt = [spec.key for spec in self.specs if spec.key not in self.pages]
        LongLived.freeze()  # the window as signed in; what the idle building adds, at its end
        QTimer.singleShot(IDLE_BUILD_START_MS, self, self._build_next_page)

    @property
    def pages_ready(self) -> bool:
        """Every page is built, prepared and laid out (each after its warm-up read came)."""
        return not (self._unbuilt or self._in_parts or self._unprepared or self._unrehearsed)

    def _build_next_page(self) -> None:
        """One step a turn: fill the filters of the page built last, else build the next part
        of the page being built, else start the next page (its later parts are each a turn
        of their own, styled in it or the next), else lay out one whose warm-up read has
        come, so its first showing only reads its rows, lays out what they change and
        paints."""
        self._unbuilt = [key for key in self._unbuilt if key not in self.pages]
        if self._signing_out or not self.isVisible():
            return
        if self.pages_ready:
            LongLived.freeze()  # all built: full collections skip what lives as long
            return
        if not getattr(self.current_page, "is_loading", False):
            finished = [page for page in self._in_parts if page.complete]  # opened meanwhile
            for page in finished:
                self._in_parts.remove(page)
                self._unprepared.append(page)
            if self._unprepared:
                prepared = self._unprepared.pop(0)
                prepared.prepare()
                self._warm_up(prepared)
                self._unrehearsed.append(prepared)
            elif self._in_parts:
                self._build_part(self._in_parts[0])
            elif self._unbuilt:
                page = self._build(self._unbuilt.pop(0), in_parts=True)
                page.ensurePolished()
                if page.complete:
                    self._unprepared.append(page)
                else:
                    self._in_parts.append(page)
            else:
                self._rehearse_one()
        QTimer.singleShot(IDLE_BUILD_GAP_MS, self, self._build_next_page)

    def _build_part(self, page: Page) -> None:
        """Build the next part of a page built in parts; once complete, it is prepared. A
        part that fails is left for the page's first opening to build (and say why)."""
        try:
            page.build_next_part()
        except Exception:
            log.exception("building part of the %s page while idle", page.spec.key)
            self._in_parts.remove(page)
            return
        if page.complete:
            self._in_parts.remove(page)
            self._built(page)
            self._unprepared.append(page)

    def _rehearse_one(self) -> None:
        """Lay out and paint off-screen the first page whose warm-up read has come (what it
        read is on show then), unless the user has opened it meanwhile."""
        ready = [page for page in self._unrehearsed if page not in self._warming]
        if not ready:
            return  # the reads are still running: look again next turn
        page = ready[0]
        self._unrehearsed.remove(page)
        if not page.opened:  # an opened page is laid out, and its lists may read as they grow
            area = self.stack.widget([spec.key for spec in self.specs].index(page.spec.key))
            assert isinstance(area, QScrollArea)
            rehearse(area, self.stack.size())

    def _warm_up(self, page: Page) -> None:
        """Run the page's statement-compiling read off the GUI thread; what it read goes to
        the page (``Page.warmed``); a failure is not kept (its own first read reports it)."""
        work = None if page.opened else page.warm_up()  # opened: it has read for itself
        if work is None:
            return
        self._warming.add(page)

        def done(outcome: object) -> None:
            self._warming.discard(page)
            page.warmed(outcome)

        def failed(_error: BaseException) -> None:  # its own first read will say why
            self._warming.discard(page)

        run_task(page, "Getting ready", lambda _progress: work(), done, failed, quiet=True)

    # ---- building ----------------------------------------------------------------------

    def _action(
        self, text: str, shortcut: QKeySequence | str | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        return action

    def _build_actions(self) -> None:
        self.sign_out_action = self._action(
            "Sign &out", "Ctrl+Shift+L", "Sign out so someone else can use this desktop"
        )
        self.sign_out_action.setIcon(icon("sign_out"))
        quit_keys = QKeySequence(QKeySequence.StandardKey.Quit)
        self.quit_action = self._action("&Quit", quit_keys if not quit_keys.isEmpty() else "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.refresh_action = self._action(
            "&Refresh", QKeySequence(QKeySequence.StandardKey.Refresh), "Load this page again (F5)"
        )
        self.refresh_action.setIcon(icon("refresh"))
        self.find_action = self._action(
            "&Find…", QKeySequence(QKeySequence.StandardKey.Find), "Search this page (Ctrl+F)"
        )
        self.find_action.setIcon(icon("search"))
        self.print_action = self._action(
            "&Print…",
            QKeySequence(QKeySequence.StandardKey.Print),
            "Print the open record or the list on this page (Ctrl+P)",
        )
        self.print_action.setIcon(icon("print"))
        self.print_action.triggered.connect(lambda: print_page(self, self.current_page))
        self.about_action = self._action("&About PIPE Desk")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_qt_action = self._action("About &Qt")
        self.about_qt_action.setMenuRole(QAction.MenuRole.AboutQtRole)
        group = QActionGroup(self)
        group.setExclusive(True)
        for spec in self.specs:
            number = PAGES.index(spec) + 1  # the same key opens the same page for every role
            action = self._action(spec.title, f"Ctrl+{number}", spec.description)
            action.setIcon(icon(spec.icon))
            action.setCheckable(True)
            action.setData(spec.key)
            group.addAction(action)
            self.page_actions[spec.key] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.print_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.find_action)
        view_menu = bar.addMenu("&View")
        for action in self.page_actions.values():
            view_menu.addAction(action)
        view_menu.addSeparator()
        view_menu.addAction(self.refresh_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.about_qt_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.find_action)
        toolbar.addAction(self.print_action)
        spacer = QWidget()
        spacer.setSizePolicy(
            spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred
        )
        toolbar.addWidget(spacer)
        toolbar.addAction(self.sign_out_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setSizeGripEnabled(True)
        self.user_label = QLabel(
            f"Signed in as {self.actor.display_name} ({roles_text(self.actor.roles)})"
        )
        self.user_label.setObjectName("userStatus")
        self.sites_label = QLabel()  # the sites' names are read off the GUI thread
        self.sites_label.setObjectName("sitesStatus")
        run_task(
            self,
            "Reading your sites",
            lambda _progress: self._sites_text(SiteService(self.db, self.actor).rows()),
            self.sites_label.setText,
            lambda exc: self.sites_label.setText(describe_failure(exc, "read your sites")),
            quiet=True,
        )
        self.database_label = QLabel()
        self.database_label.setObjectName("databaseStatus")
        described = self.db.describe()
        self.database_label.setToolTip(described)
        metrics = self.database_label.fontMetrics()
        self.database_label.setText(
            "Database: " + metrics.elidedText(described, Qt.TextElideMode.ElideMiddle, 460)
        )
        status.addWidget(self.user_label)
        status.addWidget(self.sites_label)
        status.addPermanentWidget(self.database_label)

    @staticmethod
    def _sites_text(sites: list[SiteRow]) -> str:
        if not sites:
            return "No sites yet"
        names = ", ".join(site.name for site in sites)
        return ("Site: " if len(sites) == 1 else "Sites: ") + names

    def _connect_signals(self) -> None:
        self.navigation.currentRowChanged.connect(self._on_navigation_changed)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.quit_action.triggered.connect(self.close)
        self.refresh_action.triggered.connect(self._on_refresh_triggered)
        self.find_action.triggered.connect(self._on_find_triggered)
        self.about_action.triggered.connect(self._on_about_triggered)
        self.about_qt_action.triggered.connect(QApplication.aboutQt)
        for key, action in self.page_actions.items():
            action.triggered.connect(lambda _checked=False, key=key: self.show_page(key))

    # ---- pages -------------------------------------------------------------------------

    @property
    def current_page(self) -> Page:
        return self.page(self.specs[self.stack.currentIndex()].key)

    @property
    def current_page_key(self) -> str:
        return self.current_page.spec.key

    def navigation_titles(self) -> list[str]:
        return [self.navigation.item(row).text() for row in range(self.navigation.count())]

    def show_page(self, key: str) -> bool:
        """Open a page the user may see; False (and nothing changes) for any other."""
        keys = [spec.key for spec in self.specs]
        if key not in keys:
            return False
        self.navigation.setCurrentRow(keys.index(key))
        return self.current_page_key == key

    def _on_navigation_changed(self, row: int) -> None:
        if row < 0:
            return
        shown = self.stack.currentIndex()
        previous = self.pages.get(self.specs[shown].key) if shown >= 0 else None  # built ones
        if previous is not None and row != shown and not previous.can_leave():
            self.navigation.blockSignals(True)
            self.navigation.setCurrentRow(shown)
            self.navigation.blockSignals(False)
            return
        page = self.page(self.specs[row].key)
        self.stack.setCurrentIndex(row)
        self.page_actions[page.spec.key].setChecked(True)
        self.find_action.setEnabled(page.search_field() is not None)
        self.setWindowTitle(page.spec.title)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            page.activate()
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.page_changed.emit(page.spec.key)

    def _on_record_requested(self, key: str, record_id: object) -> None:
        if self.show_page(key):
            self.pages[key].open_record(record_id)  # type: ignore[arg-type]

    def _on_refresh_triggered(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.current_page.refresh()
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.statusBar().showMessage(f"{self.current_page.spec.title} refreshed", 3000)

    def _on_find_triggered(self) -> None:
        field = self.current_page.search_field()
        if field is None:
            return
        holder = field.parentWidget()  # bring forward every tab the search box sits on
        while holder is not None and holder is not self.current_page:
            if isinstance(holder, QTabWidget):
                for index in range(holder.count()):
                    tab = holder.widget(index)
                    if tab is not None and tab.isAncestorOf(field):
                        holder.setCurrentIndex(index)
            holder = holder.parentWidget()
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        field.selectAll()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self,
            "About PIPE Desk",
            f"<h3>PIPE Desk {__version__}</h3>"
            "<p>Key work, groups, staff training, clinical supervision and Enabling "
            "Environments evidence for PIPE Approved Premises.</p>"
            f"<p>Database: {self.db.describe()}</p>",
        )

    # ---- session and settings ----------------------------------------------------------

    def sign_out(self) -> None:
        if not self.current_page.can_leave():
            return
        self._signing_out = True
        self.close()
        self.signed_out.emit()

    def _restore_settings(self) -> None:
        geometry = self.settings.value(GEOMETRY_KEY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            screen = QGuiApplication.primaryScreen().availableGeometry()
            self.resize(min(1280, screen.width()), min(760, screen.height()))
        state = self.settings.value(STATE_KEY)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.show_page(self._first_page_key())

    def _first_page_key(self) -> str:
        """The page this user had open last, if they may still see it; else the first."""
        last = self.settings.value(last_page_key(self.actor.username), "today")
        keys = [spec.key for spec in self.specs]
        return last if isinstance(last, str) and last in keys else keys[0]

    def save_settings(self) -> None:
        self.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.settings.setValue(STATE_KEY, self.saveState())
        self.settings.setValue(last_page_key(self.actor.username), self.current_page_key)
        for page in self.pages.values():
            if page.complete:  # else its saved layout was never put back: it stays
                save_layout(page, self.settings, self.actor.username)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._signing_out and not self.current_page.can_leave():
            event.ignore()
            return
        self.save_settings()
        event.accept()
        LongLived.thaw()  # what the window leaves behind can be collected
        if not self._signing_out:
            self.closed.emit()
