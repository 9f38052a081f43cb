"""Composition root: open the database, then sign-in (or first run), then the main window.

The sign-in dialog appears before the heavy imports and the schema upgrade finish: they run
on a worker thread (``bootstrap``), started once the dialog is on screen, and the dialog
enables itself when the database is ready. Only what the dialog needs is imported before it
paints: the log, SQLAlchemy, Alembic, the services and the main window's modules load on that
thread while the person types. Nothing here is global: the database and settings are passed
down by constructor.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, QThread, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from pipe_app import paths
from pipe_app.gui.assets import apply_look
from pipe_app.gui.collector import CollectorPause
from pipe_app.gui.collector_ticks import CollectorTicks
from pipe_app.gui.problems import as_sentence
from pipe_app.gui.settings import APPLICATION, ORGANISATION, SERVER_URL_KEY, make_settings
from pipe_app.gui.sign_in import SignInDialog

if TYPE_CHECKING:
    from pipe_app.gui.first_run import FirstRunDialog
    from pipe_app.gui.main_window import MainWindow
    from pipe_app.gui.server_dialog import ServerDialog
    from pipe_app.services.permissions import Actor
    from pipe_app.storage.database import Database

log = logging.getLogger(__name__)
# Loaded while the person types, so signing in does not wait for them. Only Qt-free packages
# load on the start-up thread: defining a Qt class off the GUI thread can crash PySide6
# (shiboken's type set-up is not thread-safe), so the GUI's own modules load on the GUI
# thread, one per turn of the event loop, once the core has loaded.
CORE_PACKAGES = ("pipe_app.services", "pipe_app.reports")
GUI_PACKAGE = "pipe_app.gui"
OPEN_UNDRAWN_AFTER_MS = 300  # a dialog never drawn (e.g. a minimised start) still opens it


class StartupError(Exception):
    """The database cannot be opened or upgraded; the message says what to do."""


@dataclass(frozen=True)
class Desk:
    """What a started app holds: the database (services are built from it per page)."""

    db: Database
    first_run: bool


def bootstrap(database_url: str | None) -> Desk:
    """Open the database, bring its schema up to date, and say whether it has any users yet."""
    from sqlalchemy.exc import SQLAlchemyError

    from pipe_app.gui.first_run import needs_first_run
    from pipe_app.storage.database import Database, DatabaseUrlError
    from pipe_app.storage.migrations import upgrade

    try:
        db = Database.open(database_url)
    except DatabaseUrlError as exc:
        raise StartupError(as_sentence(str(exc))) from exc
    except OSError as exc:  # e.g. the folder for the SQLite file cannot be made
        raise StartupError(f"PIPE Desk could not make its database file: {exc}.") from exc
    try:
        upgrade(db)
        first_run = needs_first_run(db)
    except SQLAlchemyError as exc:
        db.dispose()
        log.exception("could not open the database %s", db.describe())
        raise StartupError(
            f"PIPE Desk could not open the database at {db.describe()}. Check that the file "
            "or server is reachable, or ask your administrator. The details are in the log."
        ) from exc
    except Exception as exc:  # e.g. a schema newer than this version of the app
        db.dispose()
        log.exception("could not upgrade the database %s", db.describe())
        raise StartupError(
            f"PIPE Desk could not prepare the database at {db.describe()} ({exc}). "
            "It may have been made by a newer version of PIPE Desk."
        ) from exc
    db.engine.dispose()  # connections made on this thread are not reused on the GUI thread
    return Desk(db, first_run)


def modules_of(package: str) -> list[str]:
    """The modules of one of the app's packages, by name (nothing is imported but the package)."""
    import pkgutil

    folder = importlib.import_module(package).__path__
    return sorted(f"{package}.{info.name}" for info in pkgutil.iter_modules(folder))


def leaves_first(package: str) -> list[str]:
    """The package's modules ordered so that each comes after the package modules it imports
    (read from the source, nothing imported), so loading them one by one loads little each."""
    import ast
    import importlib.util
    from pathlib import Path

    names = modules_of(package)
    needs: dict[str, set[str]] = {}
    for name in names:
        spec = importlib.util.find_spec(name)
        source = spec.origin if spec is not None else None
        tree = ast.parse(Path(source).read_text(encoding="utf-8") if source else "")
        needs[name] = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module in names and node.module != name
        }
    ordered: list[str] = []
    placed: set[str] = set()

    def place(name: str, seen: frozenset[str] = frozenset()) -> None:
        if name in placed or name in seen:
            return
        for needed in sorted(needs[name]):
            place(needed, seen | {name})
        placed.add(name)
        ordered.append(name)

    for name in names:
        place(name)
    return ordered


def _load(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:  # signing in imports it again and reports the failure there
        log.exception("could not load %s ahead of sign-in", name)


def warm_statements(db: Database) -> None:
    """Compile what signing in and Today send, keeping nothing they read (``warm_sign_in``,
    ``warm_today``): start-up does it while the person types their password."""
    try:
        from pipe_app.gui.today_lines import warm_today
        from pipe_app.services.auth import warm_sign_in
        from pipe_app.timeutil import local_today

        warm_sign_in(db)
        warm_today(db, local_today())
    except Exception:  # signing in sends them again and reports what is wrong
        log.warning("could not ready the statements ahead of sign-in", exc_info=True)


class _BootstrapThread(QThread):
    succeeded = Signal(object)  # Desk
    failed = Signal(str)
    core_loaded = Signal(list)  # the GUI modules, leaves first

    def __init__(self, database_url: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._url = database_url

    def run(self) -> None:
        from pipe_app.logs import setup_logging

        setup_logging()  # the app's redacting log; safe if the command line already set it up
        try:
            desk = bootstrap(self._url)
        except StartupError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:
            log.exception("start-up failed")
            self.failed.emit(f"PIPE Desk could not start: {exc}")
            return
        self.succeeded.emit(desk)
        for package in CORE_PACKAGES:
            for name in modules_of(package):
                _load(name)
        self.core_loaded.emit(leaves_first(GUI_PACKAGE))
        if not desk.first_run:  # else nobody can sign in yet
            warm_statements(desk.db)


class Launcher(QObject):
    """Drives start-up and sign-in/sign-out without blocking, so tests can act as a user."""

    finished = Signal(int)  # the exit code
    window_opened = Signal(object)  # the MainWindow

    def __init__(
        self, database_url: str | None, settings: QSettings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.db: Database | None = None
        self.sign_in = SignInDialog()
        self.first_run: FirstRunDialog | None = None
        self.window: MainWindow | None = None
        self.problem = ""
        self.problem_box: QMessageBox | None = None
        self._thread = _BootstrapThread(database_url or saved_server(settings), self)
        self._started = False
        self.server_dialog: ServerDialog | None = None
        self._collector = CollectorPause()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self._connect_thread()
        self._thread.core_loaded.connect(self._load_gui_modules)
        self.sign_in.drawn.connect(self._open_database)
        self.sign_in.accepted.connect(self._on_signed_in)
        self.sign_in.rejected.connect(self._on_sign_in_cancelled)

    def _connect_thread(self) -> None:
        self._thread.succeeded.connect(self._on_bootstrapped)
        self._thread.failed.connect(self._on_bootstrap_failed)
        self._thread.finished.connect(self._collector.release)

    def start(self) -> None:
        """Show the sign-in dialog, then open the database once the dialog has been drawn."""
        self.sign_in.show()
        QTimer.singleShot(OPEN_UNDRAWN_AFTER_MS, self._open_database)

    def _open_database(self) -> None:
        if not self._started:
            self._started = True
            self._collector.hold()  # start-up allocates a lot off the GUI thread
            self._thread.start()

    def wait_for_database(self, milliseconds: int = 60_000) -> bool:
        """True once start-up work has finished (at once if it never began: quit first)."""
        return not self._started or self._thread.wait(milliseconds)

    # ---- start-up ----------------------------------------------------------------------

    def _on_bootstrapped(self, desk: Desk) -> None:
        self.db = desk.db
        if not desk.first_run:
            self.sign_in.set_database(desk.db)
            return
        from pipe_app.gui.first_run import FirstRunDialog

        self.sign_in.hide()
        self.first_run = FirstRunDialog(desk.db)
        self.first_run.finished.connect(self._on_first_run_finished)
        self.first_run.server_requested.connect(self._on_server_requested)
        self.first_run.show()

    def _on_bootstrap_failed(self, message: str) -> None:
        self.problem = message
        self.sign_in.hide()
        box = QMessageBox(QMessageBox.Icon.Critical, "PIPE Desk cannot start", message)
        box.setObjectName("startupProblem")
        box.finished.connect(lambda _result: self._finish(1))
        box.show()
        self.problem_box = box

    def _on_first_run_finished(self, result: int) -> None:
        dialog, self.first_run = self.first_run, None
        assert dialog is not None
        created = dialog.created
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or created is None:
            self._finish(0)
            return
        self.sign_in.set_database(self.db, username=created.administrator.username)
        self.sign_in.show()

    def _on_server_requested(self) -> None:
        from pipe_app.gui.server_dialog import ServerDialog

        dialog = ServerDialog(self.first_run)
        dialog.connected.connect(self._on_server_connected)
        dialog.finished.connect(dialog.deleteLater)
        self.server_dialog = dialog
        dialog.show()

    def _on_server_connected(self, url: str) -> None:
        """Remember the server, leave the empty local file, and start again on the server."""
        self.settings.setValue(SERVER_URL_KEY, url)
        self.settings.sync()
        self.server_dialog = None
        dialog, self.first_run = self.first_run, None
        if dialog is not None:
            dialog.finished.disconnect(self._on_first_run_finished)
            dialog.close()
            dialog.deleteLater()
        self._thread.wait()  # its start-up work may still use the local file
        if self.db is not None:
            self.db.dispose()
            self.db = None
        self._thread = _BootstrapThread(url, self)
        self._connect_thread()
        self.sign_in.show()  # it enables itself once the server is ready (or asks first run)
        self._collector.hold()
        self._thread.start()

    def _load_gui_modules(self, waiting: list[str]) -> None:
        """One GUI module per turn of the event loop, so typing never waits long; then the
        form loader's one-off start-up cost, so the first form opened does not pause."""

        def next_one() -> None:
            if self.window is not None:
                return
            if waiting:
                _load(waiting.pop(0))
                QTimer.singleShot(0, next_one)
            else:
                from pipe_app.gui.assets import warm_up_form_loader

                warm_up_form_loader()

        QTimer.singleShot(0, next_one)

    # ---- sessions ----------------------------------------------------------------------

    def _on_signed_in(self) -> None:
        from pipe_app.gui.main_window import MainWindow

        actor: Actor | None = self.sign_in.actor
        assert actor is not None and self.db is not None
        window = MainWindow(self.db, actor, self.settings)
        window.signed_out.connect(self._on_signed_out)
        window.closed.connect(lambda: self._finish(0))
        self.window = window
        window.show()
        window.build_pages_while_idle()
        self.sign_in.reset()
        self.window_opened.emit(window)

    def _on_sign_in_cancelled(self) -> None:
        if self.window is None:
            self._finish(0)

    def _on_signed_out(self) -> None:
        window, self.window = self.window, None
        if window is not None:
            window.deleteLater()
        self.sign_in.reset()
        self.sign_in.show()

    def _finish(self, code: int) -> None:
        if self.db is not None:
            self.db.dispose()
        self.finished.emit(code)


def saved_server(settings: QSettings) -> str | None:
    """The site server chosen at first run, unless the environment names a database."""
    import os

    if os.environ.get(paths.ENV_DATABASE_URL):
        return None
    saved = settings.value(SERVER_URL_KEY)
    return saved if isinstance(saved, str) and saved else None


def _show_unexpected(kind: type[BaseException], exc: BaseException, tb: object) -> None:
    """Anything unforeseen is logged and told in a sentence, instead of a silent crash."""
    log.error("unexpected error", exc_info=(kind, exc, tb))  # type: ignore[arg-type]
    QMessageBox.critical(
        None,
        "PIPE Desk",
        f"Something unexpected went wrong ({kind.__name__}: {exc}). Nothing you saved is lost. "
        f"The details are in the log in {paths.log_dir()}.",
    )


def run(database_url: str | None) -> int:
    """Open the desktop app and return its exit code."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setQuitOnLastWindowClosed(False)  # sign-out closes the window but not the app
    apply_look(app)
    sys.excepthook = _show_unexpected
    CollectorTicks(app)  # Python's collector runs between events, never inside Qt's calls
    launcher = Launcher(database_url, make_settings())
    launcher.finished.connect(app.exit)
    launcher.start()
    code = app.exec()
    launcher.wait_for_database()
    return code
