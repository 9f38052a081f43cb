"""Screenshots of PIPE Desk for review: first run, sign-in and every main view at 1366x768.

Run under a virtual X server so the real xcb platform renders (fonts, style, icons):

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py
    xvfb-run -s "-screen 0 2732x1536x24" .venv/bin/python scripts/screenshots.py --scale 2

It works on a temporary SQLite database and settings folder, drives the app as a person
would (types into the forms, clicks the buttons), and writes PNGs into docs/screenshots/.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from pipe_app.gui.main_window import MainWindow
    from pipe_app.storage.database import Database

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1366, 768
ADMIN_PASSWORD = "first admin password"
PASSWORD = "correct horse battery"

RESIDENTS = {
    "crowley": [
        ("C204511", "Jade", "Morris", None),
        ("C318722", "Lauren", "Okafor", "Lolo"),
        ("C402193", "Megan", "Price", None),
        ("C511846", "Chantelle", "Doyle", None),
        ("C623054", "Aisha", "Rahman", None),
        ("C730418", "Kerry", "Walsh", None),
    ],
    "kirk": [
        ("K100234", "Daniel", "Hughes", "Danny"),
        ("K214467", "Marcus", "Bennett", None),
        ("K329810", "Liam", "O'Connor", None),
        ("K433172", "Tomasz", "Nowak", None),
        ("K547905", "Ryan", "Fletcher", None),
        ("K652338", "Wayne", "Adebayo", None),
        ("K768120", "Craig", "Sutherland", None),
    ],
}


class Camera:
    """Drives the app like a person and saves what the screen shows."""

    def __init__(self, work: Path) -> None:
        from PySide6.QtWidgets import QApplication

        from pipe_app.gui.app import Launcher
        from pipe_app.gui.assets import apply_look
        from pipe_app.gui.settings import (
            APPLICATION,
            ORGANISATION,
            make_settings,
            use_settings_folder,
        )

        self.app = QApplication(sys.argv)
        self.app.setOrganizationName(ORGANISATION)
        self.app.setApplicationName(APPLICATION)
        self.app.setQuitOnLastWindowClosed(False)
        apply_look(self.app)
        use_settings_folder(str(work / "settings"))
        self.launcher = Launcher(f"sqlite:///{work / 'pipe-desk.sqlite3'}", make_settings())

    def settle(self, ms: int = 150) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(self, condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
        for _ in range(int(seconds * 20)):
            if condition():
                return
            self.settle(50)
        raise TimeoutError(f"gave up waiting for {what}")

    def save(self, widget: QWidget, name: str) -> None:
        self.settle()
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path.relative_to(ROOT)}")

    @staticmethod
    def type_into(widget: QWidget, text: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        widget.setFocus()
        QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(widget, Qt.Key.Key_Delete)
        QTest.keyClicks(widget, text)

    @staticmethod
    def press(widget: QWidget, key: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.keyClick(widget, getattr(Qt.Key, f"Key_{key}"))

    def first_run(self) -> None:
        launcher = self.launcher
        launcher.start()
        self.wait_for(lambda: bool(launcher.first_run and launcher.first_run.isVisible()), "setup")
        first = launcher.first_run
        assert first is not None
        self.type_into(first.username_edit, "admin")
        self.type_into(first.display_name_edit, "Pat Administrator")
        self.type_into(first.password_edit, "short")
        self.type_into(first.sites[0].name, "Crowley House")
        first.create_button.click()
        self.save(first, "01-first-run-with-messages")
        self.type_into(first.password_edit, ADMIN_PASSWORD)
        self.type_into(first.confirm_edit, ADMIN_PASSWORD)
        self.type_into(first.sites[0].code, "CH")
        self.type_into(first.sites[0].beds, "22")
        first.second_site_box.setFocus()
        self.press(first.second_site_box, "Space")
        self.type_into(first.sites[1].name, "Kirk Lodge")
        self.type_into(first.sites[1].code, "KL")
        self.type_into(first.sites[1].beds, "26")
        self.type_into(first.sites[1].frequency, "14")
        first.errors.clear()
        self.save(first, "02-first-run-filled")
        first.create_button.click()
        sign_in = launcher.sign_in
        self.wait_for(lambda: sign_in.isVisible() and sign_in.is_ready, "the sign-in dialog")

    def refused_sign_in(self) -> None:
        sign_in = self.launcher.sign_in
        self.type_into(sign_in.password_edit, "not the password")
        self.press(sign_in.password_edit, "Return")
        self.wait_for(lambda: not sign_in.is_checking, "the password check")
        self.save(sign_in, "03-sign-in-refused")

    def sign_in_as(self, username: str, password: str) -> MainWindow:
        launcher, sign_in = self.launcher, self.launcher.sign_in
        self.wait_for(sign_in.isVisible, "the sign-in dialog")
        self.type_into(sign_in.username_edit, username)
        self.type_into(sign_in.password_edit, password)
        self.press(sign_in.password_edit, "Return")
        self.wait_for(lambda: bool(launcher.window and launcher.window.isVisible()), "the window")
        window = launcher.window
        assert window is not None
        window.setGeometry(0, 0, WIDTH, HEIGHT)
        return window

    def main_views(self) -> None:
        from pipe_app.gui.admin_page import AdministrationPage
        from pipe_app.gui.residents_page import ResidentsPage

        window = self.sign_in_as("manager.crowley", PASSWORD)
        for number, key in enumerate((spec.key for spec in window.specs), start=4):
            window.show_page(key)
            self.save(window, f"{number:02d}-{key}-manager")
        window.show_page("residents")
        residents = window.pages["residents"]
        assert isinstance(residents, ResidentsPage)
        self.type_into(residents.search_edit, "ok")
        self.save(window, "13-residents-search")
        residents.search_edit.clear()
        residents.new_resident()
        self.type_into(residents.form.crn_edit, "12345")
        self.type_into(residents.form.given_edit, "Imran")
        residents.form.save_button.click()
        self.save(window, "13a-residents-admit-errors")
        residents.form.start_new(offer_draft=False)  # nothing typed: leaving asks nothing
        residents.can_leave()
        window.sign_out()

        window = self.sign_in_as("keyworker.kirk", PASSWORD)
        window.show_page("residents")
        self.save(window, "14-residents-key-worker-kirk")
        window.sign_out()

        window = self.sign_in_as("admin", ADMIN_PASSWORD)
        window.show_page("administration")
        self.save(window, "15-administration-admin")
        administration = window.pages["administration"]
        assert isinstance(administration, AdministrationPage)
        administration.tabs.setCurrentIndex(1)
        self.save(window, "16-administration-sites")
        window.sign_out()

    def key_work_views(self) -> None:
        """The key-work list, then a session typed in as a key worker would, errors and all."""
        from PySide6.QtGui import QGuiApplication

        from pipe_app.gui.key_work_page import KeyWorkPage

        window = self.sign_in_as("keyworker.crowley", PASSWORD)
        window.show_page("key_work")
        page = window.pages["key_work"]
        assert isinstance(page, KeyWorkPage)
        self.save(window, "40-key-work-list")
        page.new_session()
        form = page.form
        self.type_into(form.resident_edit, "o")
        self.wait_for(form.completer.list_view.isVisible, "the resident list")
        self.settle()
        path = OUT / "41-key-work-pick-resident.png"
        QGuiApplication.primaryScreen().grabWindow(0, 0, 0, WIDTH, HEIGHT).save(str(path))
        print(f"wrote {path.relative_to(ROOT)}")
        self.press(form.completer.list_view, "Down")
        self.press(form.completer.list_view, "Return")
        form.dna_check.setChecked(True)
        form.save_button.click()
        self.save(window, "42-key-work-form-messages")
        form.dna_check.setChecked(False)
        self.type_into(form.topics_edit, "move-on, family contact")
        self.type_into(form.voice_edit, "I want to be nearer my mum when I move on.")
        self.type_into(form.summary_edit, "Talked through the move-on plan and her worries.")
        self.type_into(form.actions_edit, "Sam to call the housing officer by Friday.")
        self.save(window, "43-key-work-form-filled")
        form.save_button.click()
        self.save(window, "44-key-work-list-after-save")
        window.sign_out()

    def groups_views(self) -> None:
        """The list of sessions, a new one from a template, and a register run by keys."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtTest import QTest

        from pipe_app.gui.groups_page import GroupsPage

        window = self.sign_in_as("keyworker.crowley", PASSWORD)
        window.show_page("groups")
        page = window.pages["groups"]
        assert isinstance(page, GroupsPage)
        page.table.selectRow(0)
        self.save(window, "50-groups-list")
        page.new_session()
        self.type_into(page.form.activity_combo, "cooking")
        self.type_into(page.form.planning_note_edit, "Residents chose the menu on Monday.")
        page.form.planned_check.setChecked(True)
        self.save(window, "51-groups-new-from-template")
        page.form.save_button.click()  # saved: the session opens again with its register
        register = page.form.register
        table = register.table
        table.setFocus()
        for key in ("A", "Down", "A", "Down", "E", "Down"):
            self.press(table, key)
        self.press(table, "R")
        dialog = register.note_dialog
        assert dialog is not None
        self.wait_for(dialog.isVisible, "the note dialog")
        QTest.keyClicks(dialog.note_edit, "Said she was too tired tonight")
        path = OUT / "52-groups-register-note.png"
        self.settle()
        QGuiApplication.primaryScreen().grabWindow(0, 0, 0, WIDTH, HEIGHT).save(str(path))
        print(f"wrote {path.relative_to(ROOT)}")
        QTest.keyClick(dialog.note_edit, Qt.Key.Key_Return)
        self.wait_for(lambda: register.note_dialog is None, "the note to be taken")
        self.press(table, "Down")
        self.press(table, "U")
        dialog = register.note_dialog
        assert dialog is not None
        self.wait_for(dialog.isVisible, "the second note dialog")
        QTest.keyClick(dialog.note_edit, Qt.Key.Key_Escape)
        self.wait_for(lambda: register.note_dialog is None, "the dialog to close")
        page.form.save()  # refused: a code needs its note
        self.save(window, "53-groups-register-needs-note")
        table.selectRow(4)
        self.press(table, "Delete")
        page.form.save()
        self.save(window, "54-groups-register-saved")
        window.sign_out()

    def admin_views(self) -> None:
        """Logins, a login form with messages, site settings tabs and a backup just made."""
        from pipe_app.domain.enums import Role
        from pipe_app.gui.admin_page import AdministrationPage
        from pipe_app.gui.admin_sites import SiteDialog
        from pipe_app.gui.admin_users import UserDialog
        from pipe_app.services.sites import ActivityTemplate

        window = self.sign_in_as("admin", ADMIN_PASSWORD)
        window.show_page("administration")
        page = window.pages["administration"]
        assert isinstance(page, AdministrationPage)
        page.users_tab.select(page.users_model.rows[1].id)
        self.save(window, "70-admin-users")
        form = UserDialog(window.db, window.actor, None, window)
        form.show()
        self.type_into(form.username_edit, "jo bloggs")
        self.type_into(form.display_name_edit, "Jo Bloggs")
        form.role_checks[Role.KEY_WORKER].setChecked(True)
        self.type_into(form.password_edit, "a long password")
        self.type_into(form.confirm_edit, "a long pasword")
        form.save_button.click()
        self.save(form, "71-admin-new-login-messages")
        form.reject()
        manager = next(row for row in page.users_model.rows if row.username == "manager.crowley")
        form = UserDialog(window.db, window.actor, manager, window)
        form.show()
        self.save(form, "72-admin-edit-login")
        form.reject()
        page.show_tab(page.sites_tab)
        page.sites_tab.table.selectRow(0)
        self.save(window, "73-admin-sites")
        dialog = SiteDialog(window.db, window.actor, page.sites_model.rows[0], window)
        dialog.show()
        self.save(dialog, "74-admin-site-details")
        dialog.tabs.setCurrentIndex(1)
        self.save(dialog, "75-admin-site-attendance")
        dialog.add_template(ActivityTemplate("Cooking together", "socially_creative", 90))
        dialog.add_template(ActivityTemplate("Community meeting", "community_meeting", 45))
        dialog.add_template(ActivityTemplate("Allotment", "enrichment", 120))
        dialog.tabs.setCurrentIndex(2)
        self.save(dialog, "76-admin-site-activities")
        dialog.reject()
        page.show_tab(page.backup_tab)
        page.backup_tab.backup_button.click()
        self.wait_for(lambda: not page.backup_tab.busy, "the backup")
        self.save(window, "77-admin-backups")
        window.sign_out()

        window = self.sign_in_as("manager.crowley", PASSWORD)
        form = UserDialog(window.db, window.actor, None, window)
        form.show()
        self.save(form, "78-admin-new-login-manager")
        form.reject()
        window.sign_out()

    def today_views(self) -> None:
        """Today for a key worker, a manager and the psychologist; then a resident's own page."""
        from pipe_app.gui.residents_page import ResidentsPage
        from pipe_app.gui.today_page import TodayPage

        for number, username in enumerate(
            ("keyworker.crowley", "manager.crowley", "psychologist"), start=80
        ):
            window = self.sign_in_as(username, PASSWORD)
            window.show_page("today")
            today = window.pages["today"]
            assert isinstance(today, TodayPage)
            self.wait_for(lambda page=today: not page.is_loading and bool(page.cards), "Today")
            self.save(window, f"{number}-today-{username.split('.')[0]}")
            window.sign_out()

        window = self.sign_in_as("manager.crowley", PASSWORD)
        window.show_page("residents")
        residents = window.pages["residents"]
        assert isinstance(residents, ResidentsPage)
        names = [residents.proxy.index(r, 0).data() for r in range(residents.proxy.rowCount())]
        index = residents.proxy.index(names.index("Lolo Okafor"), 0)
        residents.table.setFocus()
        residents.table.setCurrentIndex(index)
        self.press(residents.table, "Return")
        self.wait_for(lambda: residents.detail.record is not None, "the resident page")
        self.save(window, "83-resident-page")
        residents.detail.departure_button.click()  # the placement form, departure ticked
        self.save(window, "84-resident-placement-departure")
        form = residents.placement_form
        assert form.record_id is not None
        form.open_record(form.record_id, offer_draft=False)  # untouched again: leaving asks nothing
        form.forget_draft()
        residents.can_leave()
        window.sign_out()

    def staff_views(self) -> None:
        """The training matrix, the records list and the training form, as a manager."""
        from pipe_app.gui.staff_page import MATRIX_TAB, RECORDS_TAB, StaffPage
        from pipe_app.gui.training_import_dialog import TrainingImportDialog
        from pipe_app.services.training_import import TrainingImportService

        window = self.sign_in_as("manager.crowley", PASSWORD)
        window.show_page("staff")
        page = window.pages["staff"]
        assert isinstance(page, StaffPage)
        self.wait_for(lambda: not page.is_loading, "the staff lists and the matrix")
        page.tabs.setCurrentIndex(MATRIX_TAB)
        self.save(window, "90-staff-training-matrix")
        page.tabs.setCurrentIndex(RECORDS_TAB)
        self.save(window, "91-staff-training-records")
        page.new_record()
        page.form.save_button.click()
        self.save(window, "92-staff-training-form-messages")
        page.form.cancel_button.click()
        source = Path(tempfile.mkdtemp(prefix="pipe-import-")) / "learning-system.csv"
        source.write_text(
            "Staff name,Course code,Completion date,Hours\n"
            "Sam Patel,FA,01/11/2026,6\nHelen Carter,FA,2026-11-20,6\n"
            "Helen Carter,FIRE,2026-11-21,2\nNadia Hussain,FA,2026-11-22,6\n",
            encoding="utf-8",
        )
        preview = TrainingImportService(page.db, page.actor).preview(source)
        dialog = TrainingImportDialog(preview, page.db, page.actor, window)
        dialog.show()
        self.save(dialog, "93-staff-training-import-preview")
        dialog.reject()
        window.sign_out()

    def supervision_views(self) -> None:
        """Records, the review queue, compliance and a new record's messages, as a psychologist."""
        from pipe_app.gui.supervision_page import SupervisionPage

        window = self.sign_in_as("psychologist", PASSWORD)
        window.show_page("supervision")
        page = window.pages["supervision"]
        assert isinstance(page, SupervisionPage)
        self.save(window, "95-supervision-records")
        assert page.queue is not None
        page.tabs.setCurrentWidget(page.queue)
        self.save(window, "96-supervision-review-queue")
        page.tabs.setCurrentWidget(page.compliance)
        page.compliance.site_combo.setCurrentIndex(0)
        self.save(window, "97-supervision-compliance")
        page.new_record()
        page.form.submit_button.click()
        self.save(window, "98-supervision-form-messages")
        page.form.cancel_button.click()
        window.sign_out()

    def accreditation_views(self) -> None:
        """Coverage with a criterion picked, the evidence list, and an evidence item."""
        from pipe_app.gui.accreditation_page import AccreditationPage

        window = self.sign_in_as("manager.crowley", PASSWORD)
        window.show_page("accreditation")
        page = window.pages["accreditation"]
        assert isinstance(page, AccreditationPage)
        self.wait_for(lambda: page.report is not None, "the coverage")
        assert page.report is not None
        page.select_criterion(page.report.standards[0].criteria[0].criterion_id)
        self.save(window, "60-accreditation-coverage")
        page.tabs.setCurrentIndex(1)
        self.save(window, "61-accreditation-evidence")
        page.open_record(page.evidence_model.row(0).id)
        self.save(window, "62-accreditation-evidence-item")
        page.form.cancel_button.click()
        page.tabs.setCurrentWidget(page.cycles_view)
        self.wait_for(lambda: page.cycles_view.model.rowCount() > 0, "the award cycles")
        self.save(window, "63-accreditation-cycles")
        page.cycles_view.open_cycle(page.cycles_view.model.row(0).id)
        self.save(window, "64-accreditation-cycle-form")
        page.cycles_view.leave()
        window.sign_out()

    def reports_views(self) -> None:
        """A report with its period the wrong way round, then two produced, as a manager."""
        from PySide6.QtCore import QDate

        from pipe_app.gui.reports_page import ReportsPage

        window = self.sign_in_as("manager.crowley", PASSWORD)
        window.show_page("reports")
        page = window.pages["reports"]
        assert isinstance(page, ReportsPage)
        folder = Path(tempfile.mkdtemp(prefix="pipe-reports-"))
        page.to_edit.setDate(page.from_edit.date().addDays(-1))
        self.type_into(page.output_edit, str(folder / "Evidence pack - Crowley House.pdf"))
        page.produce_button.click()
        self.save(window, "65-reports-period-message")
        page.to_edit.setDate(QDate.currentDate())
        page.report_combo.setCurrentIndex(page.report_combo.findText("Training matrix"))
        self.type_into(page.output_edit, str(folder / "Training matrix - Crowley House.pdf"))
        page.produce_button.click()
        self.wait_for(lambda: not page.busy, "the training matrix")
        page.report_combo.setCurrentIndex(0)
        self.type_into(page.output_edit, str(folder / "Evidence pack - Crowley House.pdf"))
        page.produce_button.click()
        self.wait_for(lambda: not page.busy, "the evidence pack", seconds=180)
        self.save(window, "66-reports-produced")
        window.sign_out()

    def close(self) -> None:
        self.launcher.sign_in.reject()
        self.launcher.wait_for_database()


def main() -> int:
    """``--scale 2``: the main views at 200 % scaling (a 2732x1536 screen) into 200pct/."""
    global OUT
    if not os.environ.get("DISPLAY"):
        print('run me under xvfb-run -s "-screen 0 1366x768x24"', file=sys.stderr)
        return 2
    scaled = sys.argv[1:] == ["--scale", "2"]
    if scaled:
        os.environ["QT_SCALE_FACTOR"] = "2"  # the same 1366x768 layout, every pixel doubled
        OUT = OUT / "200pct"
    work = Path(tempfile.mkdtemp(prefix="pipe-screens-"))
    os.environ["PIPE_APP_HOME"] = str(work / "home")  # logs and backups stay in the temp folder
    os.environ.pop("PIPE_APP_DATABASE_URL", None)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    camera = Camera(work)
    camera.first_run()
    assert camera.launcher.db is not None
    _populate(camera.launcher.db)
    camera.refused_sign_in()
    camera.main_views()
    if scaled:
        _key_work_sessions(camera.launcher.db)
        camera.key_work_views()
        camera.close()
        print(f"screenshots in {OUT.relative_to(ROOT)} (work folder {work})")
        return 0
    camera.admin_views()
    _key_work_sessions(camera.launcher.db)
    camera.key_work_views()
    _group_sessions(camera.launcher.db)
    camera.groups_views()
    _today_extras(camera.launcher.db)
    camera.today_views()
    camera.staff_views()
    _supervision_records(camera.launcher.db)
    camera.supervision_views()
    _evidence_items(camera.launcher.db)
    camera.accreditation_views()
    camera.reports_views()
    camera.close()
    print(f"screenshots in {OUT.relative_to(ROOT)} (work folder {work})")
    return 0


def _supervision_records(db: Database) -> None:
    """A signed-off record, one awaiting sign-off and a requirement, for the supervision views."""
    from pipe_app.domain.enums import StaffRole, SupervisionKind
    from pipe_app.services.auth import sign_in
    from pipe_app.services.permissions import Actor
    from pipe_app.services.sites import SiteService
    from pipe_app.services.supervision import SupervisionInput, SupervisionService
    from pipe_app.timeutil import utc_now

    crowley = next(s for s in SiteService(db, Actor.system()).rows() if s.code == "CH")
    psychologist, worker = (
        sign_in(db, "psychologist", PASSWORD),
        sign_in(db, "keyworker.crowley", PASSWORD),
    )
    assert psychologist.staff_member_id and worker.staff_member_id
    writer, reader = SupervisionService(db, psychologist), SupervisionService(db, worker)
    writer.set_requirement(crowley.id, StaffRole.RESIDENTIAL_WORKER, "individual_clinical", 28)
    for days_ago, sign in ((40, True), (6, False)):
        detail = writer.create(
            SupervisionInput(
                site_id=crowley.id,
                kind=SupervisionKind.INDIVIDUAL_CLINICAL,
                supervisor_id=psychologist.staff_member_id,
                supervisee_ids=[worker.staff_member_id],
                started_at=utc_now() - timedelta(days=days_ago),
                duration_minutes=60,
                themes=["boundaries", "caseload"],
                cases_discussed=["X100001"],
                summary="Reviewed caseload and a difficult week with one resident.",
            )
        )
        detail = writer.submit(detail.record.id, detail.record.version)
        detail = reader.acknowledge(detail.record.id)
        if sign:
            writer.sign_off(detail.record.id, detail.record.version)


def _populate(db: Database) -> None:
    """Staff, logins and residents at both sites, through the real services."""
    from pipe_app.domain.enums import ReleaseType, Role, RoshLevel, SentenceType, StaffRole
    from pipe_app.services.permissions import Actor
    from pipe_app.services.residents import PlacementInput, ResidentInput, ResidentService
    from pipe_app.services.sites import SiteService
    from pipe_app.services.staff import StaffInput, StaffService
    from pipe_app.services.users import UserInput, UserService
    from pipe_app.timeutil import local_today

    system = Actor.system()
    sites = {site.code: site for site in SiteService(db, system).rows()}
    crowley, kirk = sites["CH"], sites["KL"]
    staff = StaffService(db, system)
    users = UserService(db, system)
    today = local_today()
    people = [
        ("Helen", "Carter", StaffRole.MANAGER, Role.MANAGER, [crowley], "manager.crowley"),
        (
            "Sam",
            "Patel",
            StaffRole.RESIDENTIAL_WORKER,
            Role.KEY_WORKER,
            [crowley],
            "keyworker.crowley",
        ),
        ("Joe", "Mensah", StaffRole.RESIDENTIAL_WORKER, Role.KEY_WORKER, [kirk], "keyworker.kirk"),
        ("Ruth", "Ellis", StaffRole.MANAGER, Role.MANAGER, [kirk], "manager.kirk"),
        (
            "Dr Nadia",
            "Hussain",
            StaffRole.PSYCHOLOGIST,
            Role.PSYCHOLOGIST,
            [crowley, kirk],
            "psychologist",
        ),
    ]
    key_workers = {}
    for given, family, job, role, at, username in people:
        member = staff.create(
            StaffInput(given, family, job, today - timedelta(days=700), frozenset(s.id for s in at))
        )
        users.create(
            UserInput(
                username,
                f"{given} {family}",
                frozenset({role}),
                frozenset(s.id for s in at),
                member.id,
            ),
            PASSWORD,
        )
        if role is Role.KEY_WORKER:
            key_workers[at[0].id] = member.id
    residents = ResidentService(db, system)
    for key, site in (("crowley", crowley), ("kirk", kirk)):
        for number, (crn, given, family, preferred) in enumerate(RESIDENTS[key]):
            arrived = today - timedelta(days=12 + 17 * number)
            left = today - timedelta(days=3) if number == len(RESIDENTS[key]) - 1 else None
            residents.admit(
                ResidentInput(
                    crn,
                    given,
                    family,
                    date(1984 + number * 2, 3 + number, 9 + number),
                    "female" if key == "crowley" else "male",
                    preferred,
                ),
                PlacementInput(
                    site_id=site.id,
                    expected_arrival=arrived,
                    actual_arrival=arrived,
                    expected_departure=arrived + timedelta(weeks=26),
                    actual_departure=left,
                    departure_reason="planned_move_on" if left else None,
                    sentence_type=SentenceType.STANDARD_DETERMINATE,
                    release_type=ReleaseType.LICENCE,
                    rosh_overall=RoshLevel.HIGH if number % 3 else RoshLevel.VERY_HIGH,
                    is_pipe=number != 2,
                    key_worker_id=key_workers[site.id],
                ),
            )


def _key_work_sessions(db: Database) -> None:
    """A few weeks of key work at both sites, through the real service."""
    from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
    from pipe_app.services.permissions import Actor
    from pipe_app.services.residents import ResidentService
    from pipe_app.services.staff import StaffService
    from pipe_app.timeutil import local_day, local_today, utc_now

    system = Actor.system()
    service = KeyWorkService(db, system)
    workers = {
        site_id: member.id
        for member in StaffService(db, system).rows()
        if member.job_role.value == "residential_worker"
        for site_id in member.site_ids
    }
    topics = (["goals"], ["family contact"], ["move-on", "housing"], ["employment"], [])
    today = local_today()
    for number, resident in enumerate(ResidentService(db, system).rows(current_on=today)):
        for week in range(3):
            started = utc_now() - timedelta(days=7 * week + number % 5, hours=3 + number % 4)
            if resident.arrival is None or local_day(started) < resident.arrival:
                continue
            service.record(
                KeyWorkInput(
                    placement_id=resident.placement_id,
                    key_worker_id=workers[resident.site_id],
                    started_at=started,
                    duration_minutes=30 + 15 * (number % 3),
                    planned=week != 1,
                    did_not_attend=(number + week) % 7 == 3,
                    dna_reason="At a probation appointment" if (number + week) % 7 == 3 else "",
                    topics=topics[(number + week) % len(topics)],
                    summary="Reviewed the week and agreed next steps.",
                    risk_concern=(number + week) % 9 == 4,
                    escalation_note="Told the duty manager straight away."
                    if (number + week) % 9 == 4
                    else "",
                )
            )


def _group_sessions(db: Database) -> None:
    """Four weeks of groups at both sites, with registers, through the real service."""
    from datetime import datetime, time

    from pipe_app.domain.enums import AttendanceCode, GroupKind
    from pipe_app.services.groups import AttendanceInput, GroupInput, GroupService
    from pipe_app.services.permissions import Actor
    from pipe_app.services.sites import SiteService
    from pipe_app.services.staff import StaffService
    from pipe_app.timeutil import local_today, to_utc

    system = Actor.system()
    service = GroupService(db, system)
    staff = StaffService(db, system).rows()
    plan = [
        (GroupKind.SOCIALLY_CREATIVE, "cooking", "Curry night", 2, 18, 90),
        (GroupKind.COMMUNITY_MEETING, "community meeting", "Community meeting", 4, 11, 60),
        (GroupKind.SOCIALLY_CREATIVE, "art", "Art club: collage", 6, 14, 90),
        (GroupKind.SOCIALLY_CREATIVE, "cooking", "Curry night", 9, 18, 90),
        (GroupKind.SOCIALLY_CREATIVE, "quiz", "Pub quiz", 12, 19, 60),
        (GroupKind.ENRICHMENT, "film night", "Film night", 15, 19, 120),
        (GroupKind.STRUCTURED_GROUP, "skills group", "Coping skills", 20, 10, 60),
    ]
    codes = [AttendanceCode.ATTENDED, AttendanceCode.ATTENDED, AttendanceCode.ACCEPTABLE_ABSENCE]
    for site in SiteService(db, system).rows():
        facilitators = frozenset(
            m.id for m in staff if site.id in m.site_ids and len(m.site_ids) == 1
        )
        for kind, activity, title, days_ago, hour, minutes in plan:
            day = local_today() - timedelta(days=days_ago)
            group = service.create(
                GroupInput(
                    site_id=site.id,
                    kind=kind,
                    activity=activity,
                    title=title,
                    started_at=to_utc(datetime.combine(day, time(hour))),
                    duration_minutes=minutes,
                    facilitator_ids=facilitators,
                    planned_by_residents=activity in ("cooking", "quiz"),
                    observations="Relaxed and friendly; residents helped each other.",
                )
            )
            entries = service.register(group.id)
            service.set_attendance(
                group.id,
                group.version,
                [
                    AttendanceInput(entry.resident_id, codes[(n + days_ago) % len(codes)])
                    for n, entry in enumerate(entries)
                ],
            )


def _today_extras(db: Database) -> None:
    """What makes Today worth a look: a group tonight, a draft, supervision waiting for
    sign-off and acknowledgement, training about to lapse, an accreditation milestone, and a
    change of key worker for the resident shown on the resident page."""
    from datetime import datetime, time

    from pipe_app.domain.enums import GroupKind, SessionStatus, StaffRole
    from pipe_app.services.accreditation import AccreditationService, CycleInput
    from pipe_app.services.frameworks import FrameworkService
    from pipe_app.services.groups import GroupInput, GroupService
    from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
    from pipe_app.services.permissions import Actor
    from pipe_app.services.residents import ResidentService
    from pipe_app.services.sites import SiteService
    from pipe_app.services.staff import StaffService
    from pipe_app.services.supervision import SupervisionInput, SupervisionService
    from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
    from pipe_app.timeutil import add_months, local_today, to_utc, utc_now

    system = Actor.system()
    today = local_today()
    crowley = next(site for site in SiteService(db, system).rows() if site.code == "CH")
    staff = {m.full_name: m for m in StaffService(db, system).rows()}
    worker, manager = staff["Sam Patel"], staff["Helen Carter"]
    psychologist = staff["Dr Nadia Hussain"]
    groups = GroupService(db, system)
    for title, kind, hour in (
        ("Community meeting", GroupKind.COMMUNITY_MEETING, 10),
        ("Curry night", GroupKind.SOCIALLY_CREATIVE, 18),
    ):
        started = to_utc(datetime.combine(today, time(hour)))
        groups.create(
            GroupInput(
                site_id=crowley.id,
                kind=kind,
                activity="cooking" if hour == 18 else "community meeting",
                title=title,
                started_at=started,
                duration_minutes=60,
                facilitator_ids=frozenset({worker.id, manager.id}),
                planned_by_residents=hour == 18,
                status="held" if started < utc_now() else "planned",
            )
        )
    residents = ResidentService(db, system)
    lauren = next(r for r in residents.rows(site_id=crowley.id) if r.crn == "C318722")
    assert lauren.placement_id is not None
    KeyWorkService(db, system).record(
        KeyWorkInput(
            lauren.placement_id,
            worker.id,
            utc_now() - timedelta(hours=1),
            topics=("family contact",),
            summary="Started on contact with her daughter; to finish after handover.",
            status=SessionStatus.DRAFT,
        )
    )
    residents.assign_key_worker(lauren.placement_id, manager.id, today - timedelta(days=4))
    supervision = SupervisionService(db, system)
    for supervisor, supervisee, days_ago in ((manager, worker, 9), (psychologist, manager, 2)):
        record = supervision.create(
            SupervisionInput(
                site_id=crowley.id,
                kind="individual_clinical",
                supervisor_id=supervisor.id,
                supervisee_ids=(supervisee.id,),
                started_at=utc_now() - timedelta(days=days_ago),
                duration_minutes=60,
                themes=("boundaries",),
                summary="Reflected on a difficult week on the unit.",
            )
        ).record
        supervision.submit(record.id, record.version)
    training = TrainingService(db, system)
    course = training.create_course(
        CourseInput(
            "FA", "First aid at work", renewal_months=36, mandatory_for=frozenset(StaffRole)
        )
    )
    for member, days_left in ((worker, 12), (manager, -5)):
        completed = add_months(today, -36) + timedelta(days=days_left)
        training.record(TrainingRecordInput(member.id, course.id, completed, hours=6))
    framework = FrameworkService(db, system).install_builtin()
    AccreditationService(db, system).create(
        CycleInput(
            crowley.id,
            framework.id,
            membership_on=today - timedelta(days=150),
            portfolio_due_on=today + timedelta(days=21),
            interim_assessment_on=today + timedelta(days=80),
        )
    )


def _evidence_items(db: Database) -> None:
    """Approved and draft evidence linked to the first standard, with a file, at Crowley."""
    from pipe_app.domain.enums import EvidenceKind
    from pipe_app.services.evidence import EvidenceInput, EvidenceService
    from pipe_app.services.frameworks import FrameworkService
    from pipe_app.services.permissions import Actor
    from pipe_app.services.sites import SiteService
    from pipe_app.timeutil import local_today

    system = Actor.system()
    crowley = next(site for site in SiteService(db, system).rows() if site.code == "CH")
    framework = FrameworkService(db, system).rows()[0]
    criteria = FrameworkService(db, system).tree(framework.id).criteria()
    evidence = EvidenceService(db, system)
    today = local_today()
    for number, (title, kind, approve) in enumerate(
        (
            ("Community meeting minutes, October", EvidenceKind.MINUTES, True),
            ("Residents' garden project photos", EvidenceKind.PHOTO, True),
            ("Belonging questionnaire results", EvidenceKind.QUESTIONNAIRE, False),
        )
    ):
        item = evidence.create(
            EvidenceInput(crowley.id, title, kind, today - timedelta(days=10 + 30 * number))
        )
        for criterion in criteria[number * 2 : number * 2 + 3]:
            evidence.link(item.id, criterion.id, "Shows residents taking part")
        if number == 0:
            evidence.add_attachment(item.id, "minutes.pdf", "application/pdf", b"%PDF-1.4 x")
        if approve:
            evidence.approve(item.id, item.version)


if __name__ == "__main__":
    raise SystemExit(main())
