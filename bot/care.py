"""Noticing when it is more than a job (PLAYBOOK section 11): then we stop coaching."""

from __future__ import annotations

import re

from bot.config import Settings
from bot.playbook import Playbook


def sounds_like_crisis(text: str, playbook: Playbook) -> bool:
    lowered = " ".join(text.lower().replace("\u2019", "'").split())
    return any(
        re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered)
        for phrase in playbook.table("comfort.crisis_phrases")
    )


def crisis_response(playbook: Playbook, settings: Settings) -> str:
    contact = settings.crisis_contact or playbook.text("comfort.default_contact")
    return playbook.text("comfort.crisis_response", contact=contact)
