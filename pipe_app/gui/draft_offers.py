"""Bringing unsaved drafts back into a page's form: at start after a crash, or from Today."""

from __future__ import annotations

from collections.abc import Callable

from pipe_app.gui.drafts import Draft, DraftKey, delete_draft, drafts_for, load_draft
from pipe_app.gui.list_form_stack import ListFormStack
from pipe_app.gui.record_form import Confirm, RecordForm, when_text

DRAFT_GONE = "That unsaved form is no longer kept on this computer: it was saved or thrown away."


def restore_draft(
    form: RecordForm, key: DraftKey, draft: Draft, show: Callable[[], object]
) -> bool:
    """Open ``form`` on the draft's record (or a new one), show it with ``show``, and put the
    draft's typing back; False when the record cannot be opened (the form says why)."""
    if key.record_id is None:
        show()
        form.start_new(offer_draft=False)
    elif form.open_record(key.record_id, offer_draft=False):
        show()
    else:
        return False
    form.restore(draft)
    return True


def reopen_draft(stack: ListFormStack, key: DraftKey) -> bool:
    """Show the stack's form with a draft's content (False: the draft or record is gone)."""
    form = stack.form
    draft = load_draft(form.actor.username, key)
    return draft is not None and restore_draft(form, key, draft, stack.show_form)


def offer_newest_draft(stack: ListFormStack) -> bool:
    """Ask whether to bring back the newest unsaved form of the stack's kind; True if done."""
    kind, username = stack.form_kind, stack.actor.username  # the form is not built for this
    drafts = drafts_for(username, kind.KIND)
    if stack.form_open or not drafts:
        return False
    info = drafts[0]
    if not Confirm.ask(
        stack,
        "Unsaved changes",
        f"You have an unsaved {kind.DRAFT_NOUN} from {when_text(info.saved_at)}. Restore it?",
        "Restore",
        "Discard it",
    ):
        delete_draft(username, info.key)
        return False
    return reopen_draft(stack, info.key)
