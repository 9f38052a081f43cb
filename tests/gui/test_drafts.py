"""Local drafts: written atomically to the user's own folder, listed newest first, removable."""

from __future__ import annotations

import uuid
from pathlib import Path

from pipe_app import paths
from pipe_app.gui.drafts import (
    DraftKey,
    delete_draft,
    drafts_dir,
    drafts_for,
    load_draft,
    page_for,
    save_draft,
)


def test_a_draft_is_kept_in_the_users_own_data_folder_and_read_back(app_home: Path) -> None:
    key = DraftKey("key_work")
    save_draft("sam.patel", key, "Key work with Jade Morris", {"summary": "Talked"}, None)

    folder = drafts_dir("sam.patel")
    assert folder == paths.data_dir() / "drafts" / "sam.patel"
    assert folder.is_relative_to(app_home)
    assert [p.name for p in folder.iterdir()] == ["key_work--new.json"]  # no temporary files
    draft = load_draft("sam.patel", key)
    assert draft is not None
    assert draft.values == {"summary": "Talked"}
    assert draft.title == "Key work with Jade Morris"
    assert draft.saved_at.tzinfo is not None
    assert load_draft("someone.else", key) is None


def test_drafts_for_lists_newest_first_and_delete_removes(app_home: Path) -> None:
    record = uuid.uuid4()
    save_draft("sam", DraftKey("key_work"), "New", {"a": 1})
    save_draft("sam", DraftKey("key_work", record), "Existing", {"a": 2}, version=3)
    save_draft("sam", DraftKey("supervision"), "Supervision", {"a": 3})

    listed = drafts_for("sam")
    assert [info.title for info in listed] == ["Supervision", "Existing", "New"]
    assert [info.title for info in drafts_for("sam", "key_work")] == ["Existing", "New"]
    existing = load_draft("sam", DraftKey("key_work", record))
    assert existing is not None and existing.version == 3
    assert page_for("key_work") == "key_work"

    delete_draft("sam", DraftKey("key_work", record))
    assert [info.title for info in drafts_for("sam")] == ["Supervision", "New"]
    delete_draft("sam", DraftKey("key_work", record))  # already gone: no error


def test_an_unreadable_draft_is_ignored(app_home: Path) -> None:
    save_draft("sam", DraftKey("key_work"), "Good", {"a": 1})
    (drafts_dir("sam") / "key_work--broken.json").write_text("{ not json", encoding="utf-8")
    assert [info.title for info in drafts_for("sam")] == ["Good"]


def test_odd_usernames_cannot_leave_the_drafts_folder(app_home: Path) -> None:
    for name in ("../../etc", "..", "."):
        assert drafts_dir(name).parent == paths.data_dir() / "drafts"
