"""`pipe-app init` for scripts, then `db current` and `db upgrade`, through real processes."""

from __future__ import annotations

from pathlib import Path

from pipe_app.domain.enums import Role
from pipe_app.services.auth import sign_in
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteService
from pipe_app.storage.database import Database
from pipe_app.storage.migrations import head_revision
from tests.cli.helpers import ok, run_cli

PASSWORD = "a long enough password"


def test_init_with_flags_then_sign_in_and_db_commands(app_home: Path, tmp_path: Path) -> None:
    password_file = tmp_path / "admin-password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    out = ok(
        run_cli(
            app_home,
            "init",
            "--admin-username",
            "Admin.One",
            "--admin-name",
            "Ada Admin",
            "--admin-password-file",
            str(password_file),
            "--site",
            "Crowley House,CH,22",
            "--site",
            "Kirk Lodge, KL, 26",
        )
    )
    assert "Administrator admin.one created" in out
    default_file = app_home / "data" / "pipe-desk.sqlite3"  # no --database: the default file
    assert default_file.is_file()
    url = f"sqlite:///{default_file}"
    db = Database.open(url)
    try:
        actor = sign_in(db, "admin.one", PASSWORD)
        assert actor.roles == frozenset({Role.ADMINISTRATOR})
        sites = {(s.name, s.code, s.beds) for s in SiteService(db, Actor.system()).rows()}
        assert sites == {("Crowley House", "CH", 22), ("Kirk Lodge", "KL", 26)}
    finally:
        db.dispose()

    # Run again (a script re-run): nothing duplicated, the password can come on stdin.
    again = ok(
        run_cli(
            app_home,
            "init",
            "--database",
            url,
            "--admin-username",
            "second",
            "--admin-name",
            "Second Admin",
            "--admin-password-stdin",
            "--site",
            "Crowley House,CH,22",
            stdin=PASSWORD + "\n",
        )
    )
    assert "already has users" in again
    assert "Crowley House already exists" in again

    current = ok(run_cli(app_home, "db", "current", "--database", url))
    assert f"current:  {head_revision()}" in current
    assert f"head:     {head_revision()}" in current
    assert "up to date" in ok(run_cli(app_home, "--database", url, "db", "upgrade"))


def test_db_upgrade_creates_the_schema_and_current_reports_none_before(
    app_home: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    (tmp_path / "empty.sqlite3").touch()
    assert "current:  none" in ok(run_cli(app_home, "--database", url, "db", "current"))
    assert f"(schema {head_revision()})" in ok(
        run_cli(app_home, "--database", url, "db", "upgrade")
    )
    assert f"current:  {head_revision()}" in ok(
        run_cli(app_home, "--database", url, "db", "current")
    )
