"""Noticing when it is more than a job (PLAYBOOK section 11): then we stop coaching."""

from __future__ import annotations

from bot.config import Settings
from bot.parsing import mentions_any
from bot.playbook import Playbook


def sounds_like_crisis(text: str, playbook: Playbook) -> bool:
    return mentions_any(text, playbook.table("comfort.crisis_phrases"))


def crisis_response(playbook: Playbook, settings: Settings) -> str:
    contact = settings.crisis_contact or playbook.text("comfort.default_contact")
    return playbook.text("comfort.crisis_response", contact=contact)
