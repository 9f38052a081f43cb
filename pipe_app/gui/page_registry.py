"""Which class builds each page of the main window. One module per page."""

from __future__ import annotations

from pipe_app.gui.accreditation_page import AccreditationPage
from pipe_app.gui.admin_page import AdministrationPage
from pipe_app.gui.groups_page import GroupsPage
from pipe_app.gui.key_work_page import KeyWorkPage
from pipe_app.gui.pages import Page
from pipe_app.gui.reports_page import ReportsPage
from pipe_app.gui.residents_page import ResidentsPage
from pipe_app.gui.staff_page import StaffPage
from pipe_app.gui.supervision_page import SupervisionPage
from pipe_app.gui.today_page import TodayPage

PAGE_CLASSES: dict[str, type[Page]] = {
    "today": TodayPage,
    "residents": ResidentsPage,
    "key_work": KeyWorkPage,
    "groups": GroupsPage,
    "staff": StaffPage,
    "supervision": SupervisionPage,
    "accreditation": AccreditationPage,
    "reports": ReportsPage,
    "administration": AdministrationPage,
}
