"""Who looks after a group: the users its row lists, and those BOUNCEBACK_FACILITATORS
names for its tenant (as `platform:workspace:user`)."""

from __future__ import annotations

from bot.config import Settings
from bot.store.groups import Rhythm

Tenant = tuple[str, str]  # (platform, workspace)


def configured(settings: Settings, platform: str, workspace: str) -> list[str]:
    """The users the setting names in this tenant."""
    users = []
    for entry in settings.facilitators:
        entry_platform, entry_workspace, user = entry.split(":", 2)
        if (entry_platform, entry_workspace) == (platform, workspace):
            users.append(user)
    return users


def facilitator_ids(settings: Settings, tenant: Tenant, group: Rhythm | None) -> list[str]:
    """Everyone who looks after the tenant's group, the row's first."""
    ids = list(group.facilitators) if group is not None else []
    return ids + [user for user in configured(settings, *tenant) if user not in ids]


def facilitates(settings: Settings, tenant: Tenant, user: str, group: Rhythm | None) -> bool:
    return user in facilitator_ids(settings, tenant, group)
