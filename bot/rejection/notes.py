"""Drafted notes, filled from the facts the member gave."""

from __future__ import annotations

from bot.playbook import Playbook

CONTACT_VARIANT = {
    "hiring_manager": "hiring_manager",
    "recruiter": "recruiter",
    "interviewer": "interviewer",
    "insider": "connection",
    "referrer": "connection",
}


def drafted_note(
    playbook: Playbook,
    *,
    company: str,
    role: str,
    stage: str,
    contact_name: str,
    contact_role: str,
    member_name: str,
) -> str:
    """The thank-you and feedback request, in the variant that fits who they dealt with."""
    variant = CONTACT_VARIANT.get(contact_role, "team") if contact_name else "team"
    stage_line = playbook.text(f"notes.stage_lines.{_stage_key(stage)}", company=company)
    return playbook.text(
        f"notes.thank_you.{variant}",
        greeting_name=_greeting(contact_name),
        company=company,
        role=role,
        stage_line=stage_line,
        member_name=member_name or "[your name]",
    )


def follow_up_note(
    playbook: Playbook, key: str, *, company: str, role: str, contact_name: str, member_name: str
) -> str:
    """A later note (second ask, advice meeting, keep in touch, reconnect)."""
    return playbook.text(
        f"notes.{key}",
        greeting_name=_greeting(contact_name),
        company=company,
        role=role,
        member_name=member_name or "[your name]",
    )


def _stage_key(stage: str) -> str:
    return {"final": "final", "runner_up": "final", "screen": "screen"}.get(stage, "interview")


def _greeting(contact_name: str) -> str:
    return contact_name.split()[0] if contact_name.strip() else "there"
