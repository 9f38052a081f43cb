"""Administration: the logins and sites this user manages (read-only for now)."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QTabWidget, QWidget

from pipe_app.domain.enums import Role
from pipe_app.gui.labels import AP_TYPE_LABELS, frequency_text, roles_text
from pipe_app.gui.pages import Page, PageSpec
from pipe_app.gui.problems import describe_failure
from pipe_app.gui.table_model import Column, RowTableModel
from pipe_app.gui.tables import fit_columns, sorted_view
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteRow, SiteService
from pipe_app.services.users import UserRow, UserService
from pipe_app.storage.database import Database
from pipe_app.timeutil import utc_now


def _user_status(row: UserRow) -> str:
    if row.archived:
        return "Archived"
    if row.locked_until is not None and row.locked_until > utc_now():
        return "Locked"
    return "Active"


def user_columns(site_names: dict[uuid.UUID, str]) -> list[Column[UserRow]]:
    """``site_names`` is read at display time, so the page can refresh it in place."""

    def sites(row: UserRow) -> str:
        if Role.ADMINISTRATOR in row.roles:
            return "All sites"
        return ", ".join(
            sorted(site_names.get(site_id, "another site") for site_id in row.site_ids)
        )

    return [
        Column("Username", lambda r: r.username),
        Column("Name", lambda r: r.display_name),
        Column("Roles", lambda r: roles_text(r.roles)),
        Column("Sites", sites),
        Column("Last signed in", lambda r: r.last_sign_in_at),
        Column("Status", _user_status),
    ]


SITE_COLUMNS: list[Column[SiteRow]] = [
    Column("Name", lambda s: s.name),
    Column("Code", lambda s: s.code),
    Column("Type", lambda s: AP_TYPE_LABELS.get(s.ap_type, str(s.ap_type))),
    Column("Beds", lambda s: s.beds, align_right=True),
    Column(
        "Key work",
        lambda s: frequency_text(s.key_work_frequency_days).capitalize(),
        lambda s: s.key_work_frequency_days,
    ),
    Column("Address", lambda s: s.address.replace("\n", ", ")),
]


class AdministrationPage(Page):
    def __init__(
        self, spec: PageSpec, db: Database, actor: Actor, parent: QWidget | None = None
    ) -> None:
        super().__init__(spec, db, actor, parent)
        self._site_names: dict[uuid.UUID, str] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("administrationTabs")
        self.tabs.setDocumentMode(True)
        self.users_model = RowTableModel(user_columns(self._site_names), parent=self)
        self.users_table, _ = sorted_view("usersTable", "Users", self.users_model, self)
        self.sites_model = RowTableModel(SITE_COLUMNS, parent=self)
        self.sites_table, _ = sorted_view("sitesTable", "Sites", self.sites_model, self)
        if actor.can(Permission.USER_MANAGE):
            self.tabs.addTab(self.users_table, "Users")
        self.tabs.addTab(self.sites_table, "Sites")
        self.body.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        try:
            sites = SiteService(self.db, self.actor).rows()
            users = (
                UserService(self.db, self.actor).rows()
                if self.actor.can(Permission.USER_MANAGE)
                else []
            )
        except Exception as exc:
            self.show_error(describe_failure(exc, "load the users and sites"))
            return
        self.show_error("")
        self._site_names.clear()
        self._site_names.update({site.id: site.name for site in sites})
        self.users_model.set_rows(users)
        self.sites_model.set_rows(sites)
        fit_columns(self.users_table)
        fit_columns(self.sites_table, most=420)
