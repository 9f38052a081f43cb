"""The list panel shared by the lazily fetched lists: ``changed`` at each key typed, once
for a burst of keys (two searches read at once at most), and at each filter change; tab
order, names from its declaration, counts and failures."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from pipe_app.gui.lazy_list_panel import LazyListPanel, ListPanelSpec
from pipe_app.gui.list_filters import date_filter, plain_combo
from pipe_app.gui.search_pace import SEARCH_BURST_MS
from pipe_app.gui.table_model import FIRST_ROWS, Column, LazyRowTableModel
from pipe_app.services.ordering import Order

SPEC = ListPanelSpec(
    prefix="thing",
    name="thingList",
    what="things",
    search_hint="Search things  (Ctrl+F)",
    noun="thing",
    plural="things",
    table="thingTable",
    table_name="Things",
    widths=(150, 90),
)


@dataclass(frozen=True)
class Thing:
    name: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)


class ThingSort(StrEnum):
    NAME = "name"


def _model(parent: QWidget) -> LazyRowTableModel[Thing, ThingSort]:
    return LazyRowTableModel(
        [Column("Name", lambda t: t.name), Column("Length", lambda t: len(t.name))],
        parent=parent,
        page_size=10,
        what="more things",
        order=Order(ThingSort.NAME),
        sorts={0: ThingSort.NAME},
    )


class Panel:
    """A panel with a combo and a date filter and one button; ``hits`` holds the search
    text at each ``changed``."""

    def __init__(self, qtbot) -> None:
        self.host = QWidget()
        qtbot.addWidget(self.host)
        self.model = _model(self.host)
        self.combo = plain_combo("thingKindFilter", "Show things of kind")
        self.combo.addItems(["Any", "Round", "Square"])
        # From a day: while a date box reads "Any", Tab does not leave it (reported).
        self.day = date_filter("thingFromFilter", "Things from date", date(2026, 1, 5))
        self.button = QPushButton("New thing")
        self.button.setAccessibleName("New thing")
        self.panel = LazyListPanel(
            SPEC,
            self.model,
            filters=(("Kind", self.combo), ("From", self.day)),
            buttons=(self.button,),
            parent=self.host,
        )
        self.hits: list[str] = []
        self.panel.changed.connect(lambda: self.hits.append(self.panel.search_edit.text()))


@pytest.fixture
def thing(qtbot, settings) -> Panel:
    return Panel(qtbot)


def _type(qtbot, thing: Panel, keys: str) -> None:
    """Keys as a person types them: each comes after the last one's burst has ended."""
    for key in keys:
        qtbot.keyClicks(thing.panel.search_edit, key)
        qtbot.waitUntil(lambda: not thing.panel.search_timer.isActive())


def test_each_key_typed_emits_changed_and_a_burst_of_keys_once(qtbot, thing):
    _type(qtbot, thing, "jade")
    assert thing.hits == ["j", "ja", "jad", "jade"]
    qtbot.keyClick(thing.panel.search_edit, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: thing.hits[-1] == "jad")
    thing.hits.clear()
    qtbot.keyClicks(thing.panel.search_edit, "e rose")  # a burst: a paste, a scanner
    assert thing.hits == []
    qtbot.waitUntil(lambda: thing.hits != [])
    qtbot.wait(10 * SEARCH_BURST_MS)  # long enough for a second, wrong, burst to end
    assert thing.hits == ["jade rose"]


def _shown(thing: Panel) -> list[str]:
    return [thing.model.row(n).name for n in range(thing.model.rowCount())]


@pytest.mark.parametrize("first_to_answer", ["j", "ja"])
def test_keys_typed_while_two_searches_are_read_make_one_read_of_the_newest_words(
    qtbot, thing, first_to_answer
):
    """Each ``changed`` loads the panel as a page does, from a search that answers one row
    named after its words once its gate opens; the two first reads end in either order, and
    the newest words are read as soon as one has."""
    gates = {"j": threading.Event(), "ja": threading.Event()}
    asked: list[tuple[str, int]] = []

    def load() -> None:
        words = thing.panel.search_edit.text()

        def fetch(limit: int, offset: int, order: Order[ThingSort]) -> list[Thing]:
            asked.append((words, limit))
            if words in gates:
                gates[words].wait(10)
            return [Thing(words)][offset : offset + limit]

        thing.panel.load_rows(fetch, lambda: 1)

    thing.panel.changed.connect(load)
    shown: list[list[str]] = []
    thing.panel.loaded.connect(lambda: shown.append(_shown(thing)))
    _type(qtbot, thing, "jade")
    assert thing.hits == ["j", "ja"]  # "d" and "e" wait: two searches are being read
    qtbot.waitUntil(lambda: len(asked) == 2)
    assert sorted(asked) == [("j", FIRST_ROWS), ("ja", FIRST_ROWS)]
    gates[first_to_answer].set()
    qtbot.waitUntil(lambda: shown != [])  # the other is still read
    assert thing.hits == ["j", "ja", "jade"]  # once, when one ended
    assert shown == [["jade"]]  # not the answer of the one that ended
    assert thing.panel.is_loading
    gates["ja" if first_to_answer == "j" else "j"].set()
    qtbot.waitUntil(lambda: not thing.panel.is_loading)
    assert shown == [["jade"]]  # nor the other's, ending last
    assert thing.panel.count_label.text() == "1 thing"


def test_a_full_first_page_of_a_search_leaves_more_to_fetch_and_a_short_one_does_not(qtbot, thing):
    """A search reads ``FIRST_ROWS`` first, not the model's page: only that many
    rows say there may be more (then counted), fewer are every match."""
    for found, label in ((FIRST_ROWS, "5,000 things"), (FIRST_ROWS - 1, "99 things")):
        rows = [Thing(f"t{n}") for n in range(found)]
        thing.panel.search_edit.setText(f"t {found}")
        with qtbot.waitSignal(thing.panel.loaded):
            thing.panel.load_rows(
                lambda limit, offset, order, rows=rows: rows[offset:][:limit], lambda: 5000
            )
        qtbot.waitUntil(lambda: not thing.panel.is_loading)
        assert thing.model.rowCount() == found
        assert thing.panel.count_label.text() == label


def test_a_filter_change_emits_at_once_and_stops_the_search_timer(qtbot, thing):
    qtbot.keyClicks(thing.panel.search_edit, "ja")
    assert thing.panel.search_timer.isActive()
    qtbot.keyClick(thing.combo, Qt.Key.Key_Down)
    assert thing.combo.currentText() == "Round"
    assert thing.hits == ["ja"]  # at once, with what was typed so far
    assert not thing.panel.search_timer.isActive()
    qtbot.wait(4 * SEARCH_BURST_MS)
    assert thing.hits == ["ja"]  # the burst's end does not load it again
    qtbot.keyClick(thing.day, Qt.Key.Key_Up)
    assert thing.day.date() != QDate(2026, 1, 5)
    assert thing.hits == ["ja", "ja"]


def test_tab_goes_search_buttons_filters_table(qtbot, thing):
    thing.host.show()
    qtbot.waitExposed(thing.host)
    thing.host.activateWindow()
    qtbot.waitUntil(thing.host.isActiveWindow)
    thing.panel.search_edit.setFocus()
    order = [QApplication.focusWidget()]
    for _ in range(10):  # Tab steps through a date box's day, month and year first
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is not order[-1]:
            order.append(QApplication.focusWidget())
        if order[-1] is thing.panel.table:
            break
    panel = thing.panel
    assert order == [panel.search_edit, thing.button, thing.combo, thing.day, panel.table]


def test_the_declaration_names_the_widgets(thing):
    panel = thing.panel
    assert panel.objectName() == "thingList"
    assert panel.search_edit.objectName() == "thingSearch"
    assert panel.search_edit.accessibleName() == "Search things"
    assert panel.search_edit.placeholderText() == "Search things  (Ctrl+F)"
    assert panel.search_edit.isClearButtonEnabled()
    assert panel.filter_bar.objectName() == "thingFilters"
    assert panel.notice_label.objectName() == "thingNotice"
    assert panel.count_label.objectName() == "thingCount"
    assert panel.count_label.accessibleName() == "Number of things found"
    assert panel.table.objectName() == "thingTable"
    assert panel.table.accessibleName() == "Things"
    assert panel.table.horizontalHeader().sectionSize(0) == 150
    buddies = {label.text(): label.buddy() for label in panel.filter_bar.findChildren(QLabel)}
    assert buddies == {"Kind": thing.combo, "From": thing.day}
    assert panel.table.parentWidget() is panel  # printing reads the filters beside it


def test_the_count_and_failures_reach_the_page(qtbot, thing):
    rows = [Thing("a"), Thing("b"), Thing("c")]
    thing.model.reset(lambda limit, offset, order: rows[offset : offset + limit])
    thing.panel.count.update(thing.model, lambda: pytest.fail("all rows are held"))
    assert thing.panel.count_label.text() == "3 things"

    def broken(limit: int, offset: int, order: Order[ThingSort]) -> list[Thing]:
        raise OSError("disk gone")

    with qtbot.waitSignal(thing.panel.failed) as failed:
        thing.model.reset(broken)
    assert "more things" in failed.args[0]


def test_a_filter_without_a_known_change_signal_is_refused(qtbot, thing):
    with pytest.raises(TypeError, match="QLabel"):
        LazyListPanel(SPEC, _model(thing.host), (("Odd", QLabel("odd")),), parent=thing.host)


def test_an_older_count_still_running_never_overwrites_a_newer_total(qtbot, thing):
    """A search narrows a long list to one page while the long list is still being counted:
    the count of the long list, arriving last, must not replace the short list's total."""
    release = threading.Event()
    many = [Thing(f"n{n}") for n in range(25)]  # more than a page of 10: counted
    thing.model.reset(lambda limit, offset, order: many[offset : offset + limit])

    def slow_count() -> int:
        release.wait(10)
        return len(many)

    thing.panel.count.update(thing.model, slow_count)
    assert thing.panel.count_label.text() == "Counting…"
    few = [Thing("a"), Thing("b")]
    thing.model.reset(lambda limit, offset, order: few[offset : offset + limit])
    thing.panel.count.update(thing.model, lambda: pytest.fail("all rows are held"))
    assert thing.panel.count_label.text() == "2 things"
    release.set()
    qtbot.waitUntil(lambda: not thing.panel.count.is_loading)
    assert thing.panel.count_label.text() == "2 things"


def test_a_search_reads_its_first_page_off_the_gui_thread(qtbot, thing):
    """A search may read every row's text: the window answers meanwhile, the rows on show
    stay until the answer comes, and the answer is read on a worker thread."""
    shown = [Thing("all 1"), Thing("all 2")]
    thing.panel.load_rows(lambda limit, offset, order: shown[offset : offset + limit], len)
    assert thing.model.rowCount() == 2 and not thing.panel.is_loading
    release = threading.Event()
    readers: list[threading.Thread] = []
    found = [Thing("jade")]

    def searching(limit: int, offset: int, order: Order[ThingSort]) -> list[Thing]:
        readers.append(threading.current_thread())
        release.wait(10)
        return found[offset : offset + limit]

    qtbot.keyClicks(thing.panel.search_edit, "jade")
    with qtbot.waitSignal(thing.panel.loaded, timeout=5000):
        qtbot.waitUntil(lambda: thing.hits == ["jade"])
        thing.panel.load_rows(searching, lambda: pytest.fail("all rows are held"))
        assert thing.panel.count_label.text() == "Searching…"
        assert thing.panel.is_loading
        assert [thing.model.row(n).name for n in range(2)] == ["all 1", "all 2"]
        qtbot.keyClick(thing.combo, Qt.Key.Key_Down)  # the window still takes keys
        assert thing.combo.currentText() == "Round"
        release.set()
    assert readers and readers[0] is not threading.main_thread()
    assert [thing.model.row(n).name for n in range(thing.model.rowCount())] == ["jade"]
    assert thing.panel.count_label.text() == "1 thing"


def test_an_older_search_answering_last_never_replaces_newer_rows(qtbot, thing):
    release = threading.Event()
    stale = [Thing("stale")]

    def slow(limit: int, offset: int, order: Order[ThingSort]) -> list[Thing]:
        release.wait(10)
        return stale

    thing.panel.search_edit.setText("sta")
    thing.panel.load_rows(slow, lambda: 1)
    thing.panel.search_edit.clear()  # the words cleared: read off the GUI thread too
    fresh = [Thing("fresh")]
    thing.panel.load_rows(lambda limit, offset, order: fresh, lambda: 1)
    assert thing.panel.count_label.text() == "Searching…"
    qtbot.waitUntil(
        lambda: [thing.model.row(n).name for n in range(thing.model.rowCount())] == ["fresh"]
    )
    release.set()
    qtbot.waitUntil(lambda: not thing.panel.is_loading)
    assert [thing.model.row(n).name for n in range(thing.model.rowCount())] == ["fresh"]
    assert thing.panel.count_label.text() == "1 thing"


def test_a_search_that_fails_says_so(qtbot, thing):
    def broken(limit: int, offset: int, order: Order[ThingSort]) -> list[Thing]:
        raise OSError("disk gone")

    thing.panel.search_edit.setText("x")
    with qtbot.waitSignal(thing.panel.failed) as failed:
        thing.panel.load_rows(broken, lambda: 0)
    assert "search the things" in failed.args[0]
    assert thing.panel.count_label.text() == ""


def test_a_first_page_that_is_the_rows_on_show_keeps_them_and_what_is_left_to_fetch(qtbot):
    holder = QWidget()
    qtbot.addWidget(holder)
    model = _model(holder)
    things = [Thing(f"t{n:02}") for n in range(25)]

    def fetch(limit: int, offset: int, _order: object) -> list[Thing]:
        return things[offset:][:limit]

    model.reset(fetch)  # read here: the first page, ten rows
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.reset(fetch, fetch(10, 0, None), asked=10)  # read again, the same: kept as shown
    assert resets == [] and model.rowCount() == 10
    assert model.canFetchMore(model.index(-1, -1))  # a full page: there may be more
    model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == 20
    model.reset(fetch, fetch(10, 0, None), asked=10)  # fewer than held: shown afresh
    assert resets == [1] and model.rowCount() == 10
    renamed = [Thing("renamed", things[0].id), *things[1:10]]
    model.reset(fetch, renamed, asked=10)  # a row changed: shown afresh
    assert resets == [1, 1] and model.row(0).name == "renamed"
