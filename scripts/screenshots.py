"""Screenshots of PIPE Desk for review: first run, sign-in and every main view at 1366x768.

Run under a virtual X server so the real xcb platform renders (fonts, style, icons):

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py

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
        for number, key in enumerate(window.pages, start=4):
            window.show_page(key)
            self.save(window, f"{number:02d}-{key}-manager")
        window.show_page("residents")
        residents = window.pages["residents"]
        assert isinstance(residents, ResidentsPage)
        self.type_into(residents.search_edit, "ok")
        self.save(window, "13-residents-search")
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

    def close(self) -> None:
        self.launcher.sign_in.reject()
        self.launcher.wait_for_database()


def main() -> int:
    if not os.environ.get("DISPLAY"):
        print('run me under xvfb-run -s "-screen 0 1366x768x24"', file=sys.stderr)
        return 2
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
    camera.close()
    print(f"screenshots in {OUT.relative_to(ROOT)} (work folder {work})")
    return 0


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


if __name__ == "__main__":
    raise SystemExit(main())
