"""Times the app's GUI against bare PySide6 in one process; prints one JSON object.

    QT_QPA_PLATFORM=offscreen python benchmarks/probe_gui.py app|bare DATABASE_URL SQLFILE

``app`` signs in as the Crowley House manager, opens Today, Residents and Key work, types a
search, opens the evidence coverage, training matrix and supervision compliance views, visits
every page, and writes the SQL each list and view sent to SQLFILE. ``bare`` replays that SQL
with the raw driver into a bare QTableView (and filters the residents the same way). Both run
a 10 ms watchdog and report their peak memory.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSettings, QSortFilterProxyModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qt_timing import ReadyPaintSpy, Watchdog, painted_after, peak_rss_mb, wait_until

LOGINS = {
    "manager.crowley": "demo-manager-2026",  # one site
    "psychologist": "demo-psych-2026",  # every site
}
USERNAME = os.environ.get("PIPE_BENCH_LOGIN", "manager.crowley")
PASSWORD = LOGINS[USERNAME]
TYPED = ("mar", "x1")  # a name fragment, then a CRN fragment
READING_TODAY_S = 2.0  # a glance at Today before the first click


def _typing(edit: QLineEdit, view: QWidget) -> float:
    """The longest time from a keystroke to the filtered rows painted."""
    longest = 0.0
    for text in TYPED:
        edit.clear()
        for char in text:
            began = time.perf_counter()
            QTest.keyClick(edit, char)
            longest = max(longest, painted_after(view, began))
    edit.clear()
    return longest


def _searching(page: Any, edit: QLineEdit, view: QTableView, answered: Any = None) -> float:
    """The longest time from the last keystroke of a word to the database's answer painted:
    the list asks once a burst of keys ends (``SEARCH_BURST_MS``, included: these keys are
    one burst), then reads its first rows off the GUI thread. What the user waits for when
    the rows held do not hold the answer. Each word starts, and the step ends, once the
    page's background reads are done. The answer is
    the model's reset, or ``answered`` where the held rows are narrowed by a reset too."""
    model = view.model()
    answer = answered if answered is not None else model.modelReset
    longest = 0.0
    resets: list[float] = []

    def on_reset() -> None:
        resets.append(time.perf_counter())

    def settled() -> None:  # the clearing's own reload comes, and its count goes
        wait_until(lambda: False, 0.4)
        wait_until(lambda: not getattr(page, "is_loading", False))

    answer.connect(on_reset)  # only this slot is disconnected: the view's stays
    try:
        for text in TYPED:
            edit.clear()
            settled()
            resets.clear()
            QTest.keyClicks(edit, text)
            began = time.perf_counter()
            longest = max(longest, painted_after(view.viewport(), began, lambda: bool(resets)))
    finally:
        answer.disconnect(on_reset)
    edit.clear()
    settled()
    return longest


def _is_placeholder(page: Any) -> bool:
    from pipe_app.gui.pages import PlaceholderPage

    return isinstance(page, PlaceholderPage)


# name: (page, tab to open or "", the view's object name, its container's if not unique)
VIEWS = {
    "residents": ("residents", "", "residentsTable", ""),
    "key_work": ("key_work", "", "keyWorkTable", ""),
    "coverage": ("accreditation", "Coverage", "coverageTree", ""),
    "training_matrix": ("staff", "Training matrix", "trainingMatrixTable", ""),
    "compliance": ("supervision", "Compliance", "", "supervisionCompliance"),
}
# Every other list, opened once each (in ``OPENING_ORDER``, with the views): first rows
# painted against the bare table over the same rows.
OTHER_LISTS = {
    "groups": ("groups", "", "groupsTable", ""),
    "supervision": ("supervision", "Records", "supervisionTable", ""),
    "review_queue": ("supervision", "Review queue", "supervisionQueueTable", ""),
    "staff": ("staff", "Staff", "staffTable", ""),
    "training_records": ("staff", "Records", "trainingRecordsTable", ""),
    "evidence": ("accreditation", "Evidence", "evidenceTable", ""),
    "cycles": ("accreditation", "Award cycles", "cyclesTable", ""),
}
OPENED = {**VIEWS, **OTHER_LISTS}
# After residents and key work. A page shown for the first time reads the tab on show (its
# first), so each page's first tab is opened first and every figure times its own read;
# until stop 21's last run the views came first, and the Supervision and Staff pages' first
# tabs were read inside the Compliance and Training matrix openings. The review queue is
# read whenever its page is refreshed, whichever tab is on show: its figure is the switch
# to a tab already read, as a user meets it.
OPENING_ORDER = (
    "coverage",
    "staff",
    "training_matrix",
    "training_records",
    "supervision",
    "review_queue",
    "compliance",
    "groups",
    "evidence",
    "cycles",
)


def _reading(page: Any) -> bool:
    """The page's rows or figures are being read (a list's count aside)."""
    for holder in (page, getattr(page, "list_panel", None)):
        if hasattr(holder, "reading_rows"):
            return bool(holder.reading_rows)
    return bool(getattr(page, "is_loading", False))


# The lists read a page at a time: their bare baseline replays the page statement alone.
# Until stop 19 it replayed every SELECT the opening sent, which was key work's page, its
# count and a lookup, but Residents' page alone (its count, when it has one, came later):
# key work's ratio was the kinder one. The other lists' bare tables keep the biggest answer
# of the statements their opening sent.
LISTS = ("residents", "key_work", "groups", "supervision", "training_records", "evidence")


def figure_key(name: str) -> str:
    """Its figure's key in the probe's output: "{name}_list", or "{name}_view" for a view."""
    return f"{name}_{'list' if name in LISTS or name in OTHER_LISTS else 'view'}"


# The views whose first rows may be what the idle building read: the figure of the read
# their opening starts, painted.
CHECKED = {
    "residents": "residents_list_checked",
    "key_work": "key_work_list_checked",
    "coverage": "coverage_view_checked",
}


def _view_of(page: Any, name: str, container: str) -> QAbstractItemView | None:
    """The named table or tree; else the first table inside the named container."""
    if name:
        return page.findChild(QAbstractItemView, name)
    holder = page.findChild(QWidget, container)
    tables = holder.findChildren(QTableView) if holder is not None else []
    return tables[0] if tables else None


def _open_tab(page: Any, title: str) -> bool:
    """Show the page's tab whose title starts with ``title``; False if it has none (the
    review queue is only there for those who sign off)."""
    tabs = page.findChild(QTabWidget)
    titles = [tabs.tabText(n).replace("&", "") for n in range(tabs.count())]
    found = [n for n, text in enumerate(titles) if text.startswith(title)]
    if found:
        tabs.setCurrentIndex(found[0])
    return bool(found)


def run_app(url: str, sql_file: Path) -> dict[str, Any]:
    from sqlalchemy import event

    from pipe_app.gui.app import bootstrap, warm_statements
    from pipe_app.gui.assets import apply_look
    from pipe_app.gui.collector_ticks import CollectorTicks
    from pipe_app.gui.main_window import MainWindow
    from pipe_app.gui.sign_in import SignInDialog

    app = QApplication.instance() or QApplication(sys.argv)
    apply_look(app)
    CollectorTicks(app)  # as app.run: the collector runs between events
    desk = bootstrap(url)
    db = desk.db
    warm_statements(db)  # as the launcher's start-up thread does while the person types
    dog = Watchdog()
    out: dict[str, Any] = {}
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue(f"main_window/last_page/{USERNAME}", "today")

    dialog = SignInDialog(db)
    dialog.show()
    wait_until(dialog.isVisible)
    dialog.username_edit.setText(USERNAME)
    dialog.password_edit.setText(PASSWORD)
    holder: dict[str, MainWindow] = {}

    def on_accepted() -> None:
        assert dialog.actor is not None
        window = MainWindow(db, dialog.actor, settings)
        window.resize(1366, 768)
        window.show()
        window.build_pages_while_idle()  # as the app's launcher does
        holder["window"] = window

    dialog.accepted.connect(on_accepted)
    began = time.perf_counter()
    dialog.sign_in_button.click()
    wait_until(lambda: "window" in holder)  # the password is checked on a worker thread
    window = holder["window"]
    today = window.current_page
    if _is_placeholder(today):
        out["sign_in_to_window"] = painted_after(today, began)
        out["today_populated"] = None
    else:
        loads = hasattr(type(today), "is_loading")
        ready = (lambda: not today.is_loading) if loads else (lambda: True)
        out["today_populated"] = painted_after(today, began, ready)

    out["longest_stall_signing_in"] = dog.stop()
    dog = Watchdog()  # the rest of the session on its own
    # A person reads Today before the first click: the app builds its other pages in that
    # pause (the watchdog counts any stall it causes), so the first opens below meet them
    # built, as the user does. Until stop 10 the figures opened pages straight after Today.
    dog.mark("reading Today")

    def built() -> int:  # whole: a page is built a part a turn
        return sum(page.complete for page in window.pages.values())

    built_before = built()
    wait_until(lambda: False, READING_TODAY_S)
    out["pages_built_while_reading_today"] = built() - built_before
    statements: dict[str, Any] = {}

    keys = [spec.key for spec in window.specs]

    def opening(name: str) -> float | None:
        """Open a list or view as a user would: seconds to its first rows painted (the page
        is built on the way if it has not been shown yet), recording the SQL it sent."""
        key, tab, view_name, container = OPENED[name]
        if key not in keys:
            return None
        seen: list[tuple[str, Any]] = []

        def on_execute(_c: Any, _cur: Any, sql: str, params: Any, *_: Any) -> None:
            if sql.lstrip().upper().startswith("SELECT"):
                seen.append((sql, params))

        event.listen(db.engine, "before_cursor_execute", on_execute)
        dog.mark(f"open {name}")
        began = time.perf_counter()
        window.show_page(key)
        page = window.pages[key]
        view = _view_of(page, view_name, container) if not tab or _open_tab(page, tab) else None
        if view is None or _is_placeholder(page):
            event.remove(db.engine, "before_cursor_execute", on_execute)
            return None
        model = view.model()
        checked = None  # its first rows may be the idle read's: the opening's own read too
        if name in CHECKED:  # watched from now: that read may come before the first paint

            def read(page: Any = page, model: Any = model) -> bool:
                return not _reading(page) and model.rowCount() > 0

            checked = ReadyPaintSpy(view.viewport(), read)
        try:
            seconds = painted_after(view.viewport(), began, lambda: model.rowCount() > 0)
        except TimeoutError:  # nothing to show (no such records at this scale): no figure
            event.remove(db.engine, "before_cursor_execute", on_execute)
            print(f"{name}: no rows shown, not timed", file=sys.stderr)
            return None
        if checked is not None:
            out[CHECKED[name]] = checked.seconds_after(began)
        event.remove(db.engine, "before_cursor_execute", on_execute)
        if name in LISTS:  # the bare list is the page read alone, not its count (see LISTS)
            seen = [(sql, params) for sql, params in seen if re.search(r"\bLIMIT\b", sql)]
        statements[name] = {
            "columns": model.columnCount(),
            "sql": [(sql, list(p) if isinstance(p, tuple) else p) for sql, p in seen],
        }
        out[f"{name}_rows"] = model.rowCount()
        return seconds

    out["residents_list"] = opening("residents")
    page = window.pages["residents"]
    search = page.search_field()
    table = _view_of(page, "residentsTable", "")
    if search is not None and table is not None:
        dog.mark("search residents")
        out["residents_search"] = _typing(search, table.viewport())
    if search is not None and table is not None:
        dog.mark("search residents in the database")
        out["residents_search_database"] = _searching(page, search, table)
    out["key_work_list"] = opening("key_work")
    if "key_work" in window.pages:
        sessions = window.pages["key_work"]
        box, listed = sessions.search_field(), _view_of(sessions, "keyWorkTable", "")
        if box is not None and isinstance(listed, QTableView):
            dog.mark("search key work")
            out["key_work_typing"] = _typing(box, listed.viewport())
            dog.mark("search key work in the database")
            loaded = sessions.list_panel.loaded
            out["key_work_search"] = _searching(sessions, box, listed, loaded)
    for name in OPENING_ORDER:
        out[figure_key(name)] = opening(name)

    def reloading(name: str) -> float | None:
        """F5 on a list or view whose page is built: seconds to its rows painted again, the
        same read without building anything (what opening costs beyond the page build)."""
        key, tab, view_name, container = OPENED[name]
        if key not in window.pages or name not in statements:  # not this user's
            return None
        window.show_page(key)
        page = window.pages[key]
        if tab:
            _open_tab(page, tab)
        view = _view_of(page, view_name, container)
        if view is None:
            return None
        painted_after(view.viewport(), time.perf_counter())
        model = view.model()
        seen: list[tuple[str, Any]] = []
        unread = not statements[name]["sql"]  # opened on what it read while idle
        paged = r"\bLIMIT\b" if name in LISTS else ""  # a list's page statement alone

        def on_execute(_c: Any, _cur: Any, sql: str, params: Any, *_: Any) -> None:
            if re.match(rf"\s*SELECT\b.*{paged}", sql, re.S | re.I):
                seen.append((sql, list(params) if isinstance(params, tuple) else params))

        if unread:  # its bare table replays what F5 sends, which the idle read sent too
            event.listen(db.engine, "before_cursor_execute", on_execute)
        dog.mark(f"F5 on {name}")
        began = time.perf_counter()
        QTest.keyClick(window, Qt.Key.Key_F5)

        def ready() -> bool:  # the lists read their first rows at once; the views later
            waits = name not in ("residents", "key_work") and getattr(page, "is_loading", False)
            return not waits and model.rowCount() > 0

        seconds = painted_after(view.viewport(), began, ready)
        if unread:
            event.remove(db.engine, "before_cursor_execute", on_execute)
            statements[name]["sql"] = seen
        return seconds

    for name in OPENED:
        out[f"{name}_reload"] = reloading(name)
    out["page_open"] = {}  # seconds from the click to the page painted, pages already built too
    for key in keys:  # the rest of a typical session: every page once, then F5
        dog.mark(f"page {key}")
        began = time.perf_counter()
        window.show_page(key)
        out["page_open"][key] = painted_after(window.pages[key], began)
    dog.mark("F5 on residents")
    window.show_page("residents")
    QTest.keyClick(window, Qt.Key.Key_F5)
    painted_after(window.pages["residents"], time.perf_counter())
    out["longest_stall_after_sign_in"] = dog.stop()
    out["stalls_by_step"] = {step: round(gap * 1000) for step, gap in dog.by_step.items()}
    out["longest_stall"] = max(out["longest_stall_after_sign_in"], out["longest_stall_signing_in"])
    out["peak_rss_mb"] = peak_rss_mb()
    out["pages_built"] = sorted(k for k, p in window.pages.items() if not _is_placeholder(p))
    sql_file.write_text(json.dumps(statements, default=str), encoding="utf-8")
    window.close()
    db.dispose()
    return out


class BareModel(QAbstractTableModel):
    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self.rows else len(self.rows[0])

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return str(self.rows[index.row()][index.column()])


def _raw_rows(url: str, statements: list[tuple[str, Any]]) -> list[tuple[Any, ...]]:
    """Every statement the page sent, replayed with the raw driver; the biggest result kept."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    best: list[tuple[Any, ...]] = []
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        conn: Any = sqlite3.connect(str(parsed.database))
    else:
        import psycopg

        conn = psycopg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
        )
    try:
        for sql, params in statements:
            found = conn.execute(sql, params).fetchall()
            best = found if len(found) > len(best) else best
    finally:
        conn.close()
    return best


def run_bare(url: str, sql_file: Path) -> dict[str, Any]:
    app = QApplication.instance() or QApplication(sys.argv)
    statements = json.loads(sql_file.read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    window = QWidget()
    window.resize(1366, 768)
    layout = QVBoxLayout(window)
    # The app had imported its driver and painted two windows and several tables before its
    # lists: warm up alike, so the timings below hold only the query and the first paint.
    import sqlite3  # noqa: F401

    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() == "postgresql":
        import psycopg  # noqa: F401

    warm = QTableView()
    warm.setModel(BareModel([(f"warm {n}", "up", n, 1.5, "2026-01-01") * 2 for n in range(60)]))
    layout.addWidget(warm)
    window.show()
    painted_after(warm.viewport(), time.perf_counter())
    warm.hide()
    dog = Watchdog()
    for key in OPENED:
        if key not in statements:
            continue
        began = time.perf_counter()
        shown = statements[key]["columns"]  # the same number of columns as the app shows
        model = BareModel([row[:shown] for row in _raw_rows(url, statements[key]["sql"])])
        if not model.rowCount():  # the app's list was empty too: no figure to compare with
            continue
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(model)
        proxy.setFilterKeyColumn(-1)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        view = QTableView()
        view.setModel(proxy)
        layout.addWidget(view)
        out[figure_key(key)] = painted_after(
            view.viewport(), began, lambda m=model: m.rowCount() > 0
        )
        out[f"{key}_rows"] = model.rowCount()
        if key == "residents":
            edit = QLineEdit()
            layout.addWidget(edit)
            edit.textChanged.connect(proxy.setFilterFixedString)
            out["residents_search"] = _typing(edit, view.viewport())
    out["longest_stall"] = dog.stop()
    out["peak_rss_mb"] = peak_rss_mb()
    app.processEvents()
    return out


def main() -> int:
    mode, url, sql_file = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    result = run_app(url, sql_file) if mode == "app" else run_bare(url, sql_file)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
