"""Words shown for stored values (enums are stored lowercase; people read sentences)."""

from __future__ import annotations

from pipe_app.domain.enums import APType, Role

ROLE_LABELS = {
    Role.KEY_WORKER: "Key worker",
    Role.MANAGER: "Manager",
    Role.PSYCHOLOGIST: "Psychologist",
    Role.ADMINISTRATOR: "Administrator",
}

AP_TYPE_LABELS = {
    APType.PIPE: "PIPE AP",
    APType.STANDARD: "Standard AP",
    APType.ENHANCED_SECURITY: "Enhanced security AP",
}


def roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(ROLE_LABELS[role] for role in sorted(roles, key=list(Role).index))


def frequency_text(days: int) -> str:
    named = {1: "daily", 7: "weekly", 14: "fortnightly", 28: "every four weeks"}
    return named.get(days, f"every {days} days")
