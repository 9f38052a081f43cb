"""The main window: navigation by role, site-scoped residents, menus, settings."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QWidget,
)

from pipe_app.domain.enums import Role
from pipe_app.gui.first_run import FirstRunDialog
from pipe_app.gui.main_window import MainWindow
from pipe_app.gui.sign_in import SignInDialog
from tests.gui.helpers import click_entry

ALL_PAGES = [
    "Today",
    "Residents",
    "Key work",
    "Groups & activities",
    "Staff & training",
    "Supervision",
    "Accreditation",
    "Reports",
    "Administration",
]


def _window(qtbot, world, settings, role: Role, site: str = "kirk") -> MainWindow:
    window = MainWindow(world.db, world.actor(role, site), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _shown_names(window: MainWindow) -> list[str]:
    page = window.pages["residents"]
    column = 0
    return [page.proxy.index(row, column).data() for row in range(page.proxy.rowCount())]


def test_kirk_key_worker_sees_only_kirk_residents_and_no_administration(qtbot, world, settings):
    world.admit("crowley", given_name="Carla", family_name="Crowleyside")
    world.admit("kirk", given_name="Karl", family_name="Kirkby")
    world.admit("kirk", given_name="Adam", family_name="Abbott")
    window = _window(qtbot, world, settings, Role.KEY_WORKER)

    titles = window.navigation_titles()
    assert "Residents" in titles
    assert "Administration" not in titles
    assert titles == [t for t in ALL_PAGES if t != "Administration"]
    assert window.current_page_key == "today"

    click_entry(qtbot, window.navigation, "Residents")
    assert window.current_page_key == "residents"
    assert window.windowTitle() == "Residents"
    assert _shown_names(window) == ["Adam Abbott", "Karl Kirkby"]
    page = window.pages["residents"]
    sites = {page.proxy.index(row, 2).data() for row in range(page.proxy.rowCount())}
    assert sites == {"Kirk Lodge"}
    assert page.count_label.text() == "2 residents"
    assert not window.show_page("administration")


def test_administrator_sees_administration_but_not_residents(qtbot, world, settings):
    world.admit("kirk")
    window = _window(qtbot, world, settings, Role.ADMINISTRATOR)
    titles = window.navigation_titles()
    assert titles == ["Today", "Staff & training", "Reports", "Administration"]
    assert "residents" not in window.pages
    assert not window.show_page("residents")

    click_entry(qtbot, window.navigation, "Administration")
    page = window.pages["administration"]
    usernames = [page.users_model.row(row).username for row in range(page.users_model.rowCount())]
    assert "key_worker_kirk" in usernames
    assert "administrator_crowley" in usernames
    assert page.tabs.tabText(0) == "Users"
    site_names = {page.sites_model.row(row).name for row in range(page.sites_model.rowCount())}
    assert site_names == {"Crowley House", "Kirk Lodge"}


def test_search_filters_as_you_type(qtbot, world, settings):
    world.admit("kirk", given_name="Tomasz", family_name="Nowak", crn="K433172")
    world.admit("kirk", given_name="Liam", family_name="O'Connor", crn="K329810")
    world.admit("kirk", given_name="Ryan", family_name="Fletcher", crn="K547905")
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    window.show_page("residents")
    page = window.pages["residents"]
    assert page.proxy.rowCount() == 3

    qtbot.keyClicks(page.search_edit, "now")
    assert _shown_names(window) == ["Tomasz Nowak"]
    assert page.count_label.text() == "1 of 3 residents match"
    page.search_edit.clear()
    assert page.proxy.rowCount() == 3
    qtbot.keyClicks(page.search_edit, "k3298")  # CRN, any case
    assert _shown_names(window) == ["Liam O'Connor"]
    qtbot.keyClicks(page.search_edit, "zzz")
    assert page.proxy.rowCount() == 0
    assert page.count_label.text() == "0 of 3 residents match"


def test_sorting_by_a_column_header(qtbot, world, settings):
    world.admit("kirk", given_name="Zed", family_name="Adams", arrival_days_ago=5)
    world.admit("kirk", given_name="Amy", family_name="Young", arrival_days_ago=50)
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    window.show_page("residents")
    page = window.pages["residents"]
    assert _shown_names(window) == ["Zed Adams", "Amy Young"]  # by family name
    header = page.table.horizontalHeader()
    arrived = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)].index(
        "Arrived"
    )
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(arrived) + 10, header.height() // 2),
    )
    assert _shown_names(window) == ["Amy Young", "Zed Adams"]  # earliest arrival first


def test_residents_model_passes_the_model_tester(qtbot, qtmodeltester, world, settings):
    world.admit("kirk", given_name="Karl", family_name="Kirkby")
    world.admit("kirk", given_name="Adam", family_name="Abbott")
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    window.show_page("residents")
    qtmodeltester.check(window.pages["residents"].model)
    qtmodeltester.check(window.pages["residents"].proxy)


def test_f5_reloads_the_page(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    window.show_page("residents")
    page = window.pages["residents"]
    assert page.model.rowCount() == 0
    assert page.empty_label.isVisibleTo(page)
    world.admit("kirk", given_name="Karl", family_name="Kirkby")
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    qtbot.keyClick(page.table, Qt.Key.Key_F5)
    assert _shown_names(window) == ["Karl Kirkby"]
    assert not page.empty_label.isVisibleTo(page)


def test_ctrl_number_opens_the_page_and_ctrl_f_finds(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    assert window.page_actions["residents"].shortcut().toString() == "Ctrl+2"
    assert window.page_actions["staff"].shortcut().toString() == "Ctrl+5"
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    qtbot.keyClick(window.navigation, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key == "staff"
    qtbot.keyClick(window.navigation, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key == "today"
    assert not window.find_action.isEnabled()  # Today has nothing to search
    qtbot.keyClick(window.navigation, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key == "residents"
    qtbot.keyClick(window.navigation, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.pages["residents"].search_edit


def test_the_last_page_and_geometry_are_restored(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    click_entry(qtbot, window.navigation, "Staff & training")
    window.resize(760, 540)  # the offscreen screen is 800x600
    window.close()

    again = _window(qtbot, world, settings, Role.KEY_WORKER)
    assert again.current_page_key == "staff"
    assert again.page_actions["staff"].isChecked()
    assert (again.width(), again.height()) == (760, 540)
    other = _window(qtbot, world, settings, Role.MANAGER)
    assert other.current_page_key == "today"  # each login returns to its own page


def test_a_remembered_page_the_user_may_not_see_falls_back_to_today(qtbot, world, settings):
    settings.setValue("main_window/last_page/key_worker_kirk", "administration")
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    assert window.current_page_key == "today"


def test_sign_out_and_quit_from_the_file_menu(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    file_menu = window.menuBar().actions()[0].menu()
    texts = [action.text() for action in file_menu.actions() if not action.isSeparator()]
    assert texts == ["&Print…", "Sign &out", "&Quit"]
    with qtbot.assertNotEmitted(window.closed), qtbot.waitSignal(window.signed_out):
        window.sign_out_action.trigger()
    assert not window.isVisible()

    second = _window(qtbot, world, settings, Role.KEY_WORKER)
    with qtbot.waitSignal(second.closed):
        second.quit_action.trigger()


def test_status_bar_names_user_site_and_database(qtbot, world, settings):
    """The sites' names come from a read off the GUI thread as the window opens."""
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    actor = world.actor(Role.KEY_WORKER, "kirk")
    assert window.user_label.text() == f"Signed in as {actor.display_name} (Key worker)"
    qtbot.waitUntil(lambda: window.sites_label.text() == "Site: Kirk Lodge")
    assert window.database_label.toolTip() == world.db.describe()
    assert "Database: " in window.database_label.text()


def _part_of(widget: QWidget, kinds: tuple[type, ...]) -> bool:
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent()
    return False


def test_every_input_has_an_accessible_name(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.MANAGER)
    widgets: list[QWidget] = [window, SignInDialog(world.db), FirstRunDialog(world.db)]
    for widget in widgets[1:]:
        qtbot.addWidget(widget)
    kinds = (QLineEdit, QAbstractSpinBox, QComboBox, QAbstractItemView)
    unnamed = [
        f"{type(child).__name__} {child.objectName()!r}"
        for widget in widgets
        for kind in kinds
        for child in widget.findChildren(kind)
        if not child.accessibleName()
        and not isinstance(child, QHeaderView)  # part of its table
        and not _part_of(child, kinds)  # e.g. a spin box's editor, a combo box's list
    ]
    assert unnamed == [], unnamed


def test_a_page_is_built_when_first_shown_not_at_sign_in(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    assert list(window.pages) == ["today"]  # only the page on screen
    assert window.findChild(QWidget, "residentsPage") is None
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    qtbot.keyClick(window.navigation, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_key == "residents"
    residents = window.pages["residents"]
    assert window.findChild(QWidget, "residentsPage") is residents
    assert residents.isVisible()
    assert "staff" not in window.pages
    click_entry(qtbot, window.navigation, "Today")
    qtbot.keyClick(window.navigation, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.pages["residents"] is residents  # built once, kept
    assert sorted(window.pages) == ["residents", "today"]


def test_the_remembered_page_is_the_only_one_built(qtbot, world, settings):
    settings.setValue("main_window/last_page/key_worker_kirk", "staff")
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    assert window.current_page_key == "staff"
    assert list(window.pages) == ["staff"]


def test_a_record_on_a_page_not_yet_built_opens_it(qtbot, world, settings):
    resident = world.admit("kirk", given_name="Karl", family_name="Kirkby")
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    assert "residents" not in window.pages
    window.pages["today"].record_requested.emit("residents", resident)
    assert window.current_page_key == "residents"
    page = window.pages["residents"]
    qtbot.waitUntil(lambda: page.detail.isVisible())


def test_a_column_the_user_widens_keeps_its_width_next_time(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.MANAGER, "crowley")
    click_entry(qtbot, window.navigation, "Staff & training")
    table = window.pages["staff"].staff_table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0)
    header = table.horizontalHeader()
    fitted = header.sectionSize(0)
    edge = QPoint(header.sectionViewportPosition(0) + fitted - 1, header.height() // 2)
    # Drag the first column's right edge 60 pixels to the right, as with the mouse.
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=edge)
    for step in range(1, 7):
        QTest.mouseMove(header.viewport(), edge + QPoint(10 * step, 0))
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=edge + QPoint(60, 0))
    widened = header.sectionSize(0)
    assert widened > fitted + 30
    other = window.pages["staff"].records_table.horizontalHeader().sectionSize(0)
    window.close()

    again = _window(qtbot, world, settings, Role.MANAGER, "crowley")
    click_entry(qtbot, again.navigation, "Staff & training")
    table = again.pages["staff"].staff_table
    qtbot.waitUntil(lambda: table.model().rowCount() > 0)
    assert table.horizontalHeader().sectionSize(0) == widened  # not fitted again
    records = again.pages["staff"].records_table.horizontalHeader()
    assert records.sectionSize(0) == other  # untouched tables are still fitted to content


def test_ctrl_f_on_accreditation_brings_up_the_evidence_search(qtbot, world, settings):
    window = _window(qtbot, world, settings, Role.MANAGER, "crowley")
    click_entry(qtbot, window.navigation, "Accreditation")
    page = window.pages["accreditation"]
    assert page.tabs.currentIndex() == 0  # Coverage
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.navigation, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = page.evidence_list.search_edit
    assert page.tabs.currentWidget().isAncestorOf(search)
    qtbot.waitUntil(search.hasFocus)


def test_the_status_bar_says_when_the_sites_cannot_be_read(qtbot, world, settings, monkeypatch):
    from pipe_app.services.sites import SiteService

    def fails(_service: object) -> list[object]:
        raise OSError("disk I/O error")

    monkeypatch.setattr(SiteService, "rows", fails)
    window = _window(qtbot, world, settings, Role.KEY_WORKER)
    qtbot.waitUntil(lambda: "read your sites" in window.sites_label.text())
