"""Bounceback's words, loaded from TOML files and checked before the bot starts.

A group can adjust the voice by putting its own copy of any file in a folder
named by BOUNCEBACK_PLAYBOOK_DIR; a mistake there stops start-up with the file
and key named, instead of surfacing mid-conversation.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

from bot.reading.classifier import Classifier
from bot.reading.words import skipped

SHIPPED = Path(__file__).parent
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}")


class PlaybookError(Exception):
    """A playbook file is missing, unreadable, or has a bad key."""


# Each file's schema: key path -> the placeholders that string may use.
# "*" in a path stands for each of the names listed in _TABLES.
_NOTE_FIELDS = frozenset(
    {"greeting_name", "company", "role", "stage_line", "feedback_ask", "strength", "member_name"}
)
_UNPROMPTED = ("job", "interview", "win", "nervous", "better", "remind_me", "followups")

_SCHEMA: dict[str, dict[str, frozenset[str]]] = {
    "feedback.toml": {
        "categories.*.label": frozenset(),
        "categories.*.meaning": frozenset(),
        "categories.*.next_step": frozenset(),
        "weigh_it": frozenset(),
        "ghosted_advice": frozenset(),
        "gentle_step": frozenset(),
        "cancelled_advice": frozenset(),
        "pay_advice": frozenset(),
        "vague_advice": frozenset(),
        "overqualified_advice": frozenset(),
        "unsure": frozenset(),
    },
    "moods.toml": {"moods.*.label": frozenset(), "moods.*.response": frozenset()},
    "comfort.toml": {
        "acknowledgement": frozenset({"company"}),
        "mood_question": frozenset(),
        "mood_in_own_words": frozenset(),
        "keep_going": frozenset(),
        "analyse_dont_wallow": frozenset(),
        "light_path": frozenset(),
        "wins_intro": frozenset(),
        "no_wins_yet": frozenset(),
        "resilience": frozenset({"count"}),
        "first_resilience": frozenset(),
        "pass_on_question": frozenset({"role", "company"}),
        "pass_on_post": frozenset({"role", "company"}),
        "crisis_response": frozenset({"contact"}),
        "default_contact": frozenset(),
    },
    "notes.toml": {
        "thank_you.*": _NOTE_FIELDS,
        "stage_lines.*": frozenset({"company"}),
        "feedback_asks.*": frozenset(),
        "feedback_asks.reason_given": frozenset(),
        "feedback_asks.role_cancelled": frozenset(),
        "feedback_asks.pay": frozenset(),
        "second_ask": frozenset({"greeting_name", "company", "role", "member_name"}),
        "advice_meeting": frozenset({"greeting_name", "company", "role", "member_name"}),
        "advice_meeting_intro": frozenset({"came_close", "who"}),
        "advice_meeting_who": frozenset(),
        "nudge": frozenset({"greeting_name", "company", "role", "member_name"}),
        "short_note": frozenset(
            {"greeting_name", "company", "role", "feedback_ask", "strength", "member_name"}
        ),
        "no_strength": frozenset(),
        "send_tip": frozenset(),
        "nudge_tip": frozenset(),
        "reply_to_news_intro": frozenset(),
        "reply_to_news": frozenset({"greeting_name", "company", "role", "member_name"}),
        "advice_meeting_through": frozenset({"contact"}),
        "came_close.final": frozenset(),
        "came_close.runner_up": frozenset(),
        "keep_in_touch": frozenset({"greeting_name", "company", "member_name"}),
        "reconnect": frozenset({"greeting_name", "company", "role", "member_name"}),
    },
    "plan.toml": {
        "greetings.morning": frozenset(),
        "greetings.afternoon": frozenset(),
        "greetings.evening": frozenset(),
        "reminders.*.label": frozenset(),
        "reminders.*.at": frozenset(),
        "reminders.*.message": frozenset({"company", "role"}),
    },
    "group.toml": {},
    "examples.toml": {},
    "answers.toml": {
        "answers.*.answer": frozenset(),
        "farewell": frozenset(),
        "unknown_question": frozenset(),
    },
    "checkins.toml": {
        **dict.fromkeys(
            (
                "question",
                "skip_option",
                "away_option",
                "last_week",
                "goal",
                "share_goal",
                "shared",
                "kept",
                "away_question",
                "not_away",
                "started_later",
                "goal_nudge",
            ),
            frozenset(),
        ),
        "first_time": frozenset({"stop"}),
        "thanks": frozenset({"day"}),
        "skipped": frozenset({"day"}),
        "back": frozenset({"day"}),
        "away": frozenset({"back", "back_command"}),
        "stopped": frozenset({"on_command"}),
        "usage": frozenset({"command"}),
        "started": frozenset({"day", "at"}),
        "goal_planned": frozenset({"day"}),
        "moods.*.label": frozenset(),
        "moods.*.response": frozenset(),
        "outcomes.*.label": frozenset(),
        "outcomes.*.response": frozenset(),
    },
    "care.toml": {
        "help_intro": frozenset(),
        "help_outro": frozenset(),
        "smaller_step": frozenset(),
        "stood_down": frozenset(),
        "fallback_line": frozenset(),
        "stopping": frozenset(),
        "thanks": frozenset(),
        "ended": frozenset(),
        "better": frozenset(),
        "someone_known": frozenset(),
        "declined": frozenset(),
    },
    "interviews.toml": {
        **dict.fromkeys(
            (
                "ask_company",
                "ask_day",
                "prepare_list",
                "ready_option",
                "moved_option",
                "cancelled_option",
                "ready",
                "moved_question",
                "cancelled",
                "next_question",
                "wait_last",
                "outcomes.*.label",
                "outcomes.private.response",
                "offer.share_question",
                "offer.pause_question",
                "offer.kept_private",
                "offer.paused",
                "offer.kept",
                "offer.done_with_question",
                "offer.keep_contacts_question",
                "offer.nothing_stopped",
            ),
            frozenset(),
        ),
        "noted": frozenset({"company", "day", "after"}),
        "noted_soon": frozenset({"company", "day", "after"}),
        "prepare": frozenset({"company"}),
        "lesson": frozenset({"company", "lesson"}),
        "moved": frozenset({"company", "day"}),
        "after": frozenset({"company"}),
        "wait_again": frozenset({"day"}),
        "offer.congratulations": frozenset({"from_company"}),
        "offer.stopped": frozenset({"count", "kept"}),
    },
    "unprompted.toml": {
        f"{news}.reply": frozenset({"win", "offer", "interview", "followups"})
        for news in _UNPROMPTED
    },
    "wins.toml": {
        "kinds.*.label": frozenset(),
        "kinds.*.celebrate": frozenset(),
        "share_post": frozenset({"member", "label", "description"}),
        "share_question": frozenset(),
    },
}

NEUTRAL = "neutral"  # what the reason reader calls a line that names no reason
DESPAIR, OTHER = "despair", "other"  # what the despair reader tells apart
# What a member held for care says that is no new despair: the despair reader learns them
# as other words, so "maybe my sister" is heard as the answer it is.
_SAID_IN_CARE = (
    "better_words",
    "known_people",
    "declines_lines",
    "okay_words",
    "thanks_words",
    "asks_for_a_person",
)
CATEGORIES = (
    "internal_candidate",
    "different_direction",
    "better_qualified",
    "missing_skill",
    "presentation",
    "no_feedback",
)
_TABLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("feedback.toml", "categories"): CATEGORIES,
    ("examples.toml", "reasons"): CATEGORIES,
    ("moods.toml", "moods"): ("low", "disappointed", "steady", "relieved"),
    ("answers.toml", "answers"): (
        "feedback_worth",
        "pushy",
        "call_instead",
        "salary",
        "add_reminder",
        "more_than_one",
        "ghosting_normal",
        "test_results",
        "overqualified",
        "culture_fit",
        "career_change",
        "practice",
        "hiring_time",
        "linkedin",
        "mention_learning",
        "get_experience",
        "cv_gap",
        "group_exercise",
        "thank_referrer",
        "feedback_words",
        "thank_panel",
        "interview_notes",
        "video_interview",
        "presentation_data",
        "what_to_change",
        "network_hire",
    ),
    ("checkins.toml", "moods"): ("rough", "mixed", "okay", "good"),
    ("checkins.toml", "outcomes"): ("done", "partly", "not"),
    ("notes.toml", "thank_you"): (
        "hiring_manager",
        "recruiter",
        "interviewer",
        "connection",
        "team",
    ),
    ("notes.toml", "stage_lines"): ("screen", "interview", "final"),
    ("notes.toml", "feedback_asks"): (
        "hiring_manager",
        "recruiter",
        "interviewer",
        "connection",
        "team",
    ),
    ("plan.toml", "reminders"): (
        "send_note",
        "nudge",
        "second_ask",
        "advice_meeting",
        "keep_in_touch",
        "reconnect",
        "check_in",
    ),
    ("interviews.toml", "outcomes"): ("waiting", "no", "offer", "next", "private"),
    ("wins.toml", "kinds"): (
        "feedback",
        "advice_meeting",
        "new_contact",
        "referral",
        "call_back",
        "interview",
        "offer",
        "helped_someone",
    ),
}

# Lists of phrases, checked for shape only.
_PHRASE_LISTS = {
    "feedback.toml": (
        "ghosted_phrases",
        "cancelled_phrases",
        "filled_phrases",
        "pay_phrases",
        "vague_phrases",
        "overqualified_phrases",
    ),
    "examples.toml": ("reasons.*", "neutral.examples", "despair.distress", "despair.ordinary"),
    "moods.toml": ("moods.*.also",),
    "comfort.toml": ("crisis_phrases", "ordinary_phrases"),
    "group.toml": ("checkin_prompts",),
    "answers.toml": ("answers.*.phrases", "farewells"),
    "care.toml": (
        "listening",
        "asks_for_help",
        "asks_for_a_person",
        "okay_words",
        "stopping_words",
        "thanks_words",
        "better_words",
        "known_people",
        "declines_lines",
        "continue_words",
    ),
    "plan.toml": ("done_lines", "reminders.*.also"),
    "checkins.toml": ("moods.*.also", "outcomes.*.also"),
    "interviews.toml": ("outcomes.*.also",),
    "unprompted.toml": tuple(f"{news}.phrases" for news in _UNPROMPTED),
}


@dataclass(frozen=True)
class Playbook:
    """All texts, by file stem, with lookups that read well in dialogue code."""

    files: Mapping[str, Mapping[str, Any]]

    def text(self, path: str, **values: object) -> str:
        """The string at `feedback.categories.presentation.label`, filled in."""
        stem, *keys = path.split(".")
        node: Any = self.files[stem]
        for key in keys:
            node = node[key]
        if not values:
            return str(node)
        return _DOUBLE_SPACE.sub(" ", str(node).format(**values))  # an empty value leaves none

    def table(self, path: str) -> Mapping[str, Any]:
        stem, *keys = path.split(".")
        node: Any = self.files[stem]
        for key in keys:
            node = node[key]
        return node

    @cached_property
    def reason_reader(self) -> Classifier:
        """Learned from examples.toml the first time a reason is read; a line like none
        of the categories' examples reads as `NEUTRAL`."""
        examples = {name: list(texts) for name, texts in self.table("examples.reasons").items()}
        for both in self._two_reasons():
            for name in both["categories"]:
                examples[name].append(both["text"])
        examples[NEUTRAL] = list(self.table("examples.neutral.examples"))
        return Classifier(examples, self.table("examples.kin"))

    def _two_reasons(self) -> list[Mapping[str, Any]]:
        """Reasons that name two things: optional, so a group's own file may leave them out."""
        return list(self.files["examples"].get("two_reasons", {}).get("examples", []))

    @cached_property
    def despair_reader(self) -> Classifier:
        """Despair told apart from all else a member writes after a no: the strong but
        ordinary words, and every reason."""
        despair = self.table("examples.despair")
        reasons = chain.from_iterable(self.table("examples.reasons").values())
        other = [
            *despair["ordinary"],
            *reasons,
            *(both["text"] for both in self._two_reasons()),
            *self.table("examples.neutral.examples"),
            *chain.from_iterable(self.table(f"care.{said}") for said in _SAID_IN_CARE),
        ]
        return Classifier({DESPAIR: despair["distress"], OTHER: other}, self.table("examples.kin"))


def load_playbook(override_dir: Path | None = None) -> Playbook:
    """Read and check every file, preferring a group's own copy where it has one."""
    if override_dir is not None and not override_dir.is_dir():
        raise PlaybookError(f"BOUNCEBACK_PLAYBOOK_DIR: {override_dir} is not a folder")
    files: dict[str, Mapping[str, Any]] = {}
    for name in _SCHEMA:
        path = override_dir / name if override_dir and (override_dir / name).exists() else None
        path = path or SHIPPED / name
        files[Path(name).stem] = _check(path, _read(path))
    return Playbook(files)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise PlaybookError(f"{path}: the playbook file is missing") from None
    except OSError as error:  # a folder where the file should be, say
        raise PlaybookError(f"{path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise PlaybookError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise PlaybookError(f"{path}: not valid TOML ({error})") from None


def _check(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    for key_path, allowed in _SCHEMA[path.name].items():
        for key, value in _expand(path, data, key_path):
            _check_text(path, key, value, allowed)
    for key_path in _PHRASE_LISTS.get(path.name, ()):
        for key, value in _expand(path, data, key_path):
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(item, str) and item.strip() for item in value)
            ):
                raise PlaybookError(f"{path}: '{key}' must be a non-empty list of phrases")
    if path.name == "examples.toml":
        _check_kin(path, data)
        _check_two_reasons(path, data)
    if path.name == "plan.toml":
        for name in _TABLES[("plan.toml", "reminders")]:
            days = data["reminders"][name].get("days")
            if not isinstance(days, int) or isinstance(days, bool) or days < 0:
                raise PlaybookError(f"{path}: 'reminders.{name}.days' must be a whole number")
    return data


def _check_kin(path: Path, data: dict[str, Any]) -> None:
    """Each word of a group is a word or two the reader reads: "go on" is only "go" to it,
    as it skips "on", and would group every "go" with despair."""
    groups = data.get("kin")
    if not isinstance(groups, dict) or not groups:
        raise PlaybookError(f"{path}: 'kin' must be a table of word groups")
    for name, members in groups.items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise PlaybookError(f"{path}: 'kin.{name}' must be a list of words")
        for words in members:
            if skipped(words) or not 1 <= len(words.split()) <= 2:
                raise PlaybookError(
                    f"{path}: 'kin.{name}' has \"{words}\": give one or two words that "
                    'carry meaning (the reader skips small words like "on" or "the")'
                )


def _check_two_reasons(path: Path, data: dict[str, Any]) -> None:
    """Each reason that names two things gives its text and two of the six categories."""
    for both in data.get("two_reasons", {}).get("examples", []):
        text, categories = (
            (both.get("text"), both.get("categories")) if isinstance(both, dict) else ("", [])
        )
        if (
            not isinstance(text, str)
            or not text.strip()
            or not isinstance(categories, list)
            or len(set(categories)) != 2
            or not set(categories) <= set(CATEGORIES)
        ):
            raise PlaybookError(
                f"{path}: 'two_reasons.examples' has {both!r}: give a text and two of "
                f"the categories {', '.join(CATEGORIES)}"
            )


def _expand(path: Path, data: dict[str, Any], key_path: str) -> list[tuple[str, Any]]:
    """Resolve a schema path into (dotted key, value) pairs, naming what is missing."""
    found: list[tuple[str, Any]] = [("", data)]
    for part in key_path.split("."):
        names = _TABLES[(path.name, found[0][0])] if part == "*" else None
        next_found = []
        for prefix, node in found:
            for name in names or (part,):
                key = f"{prefix}.{name}" if prefix else name
                if not isinstance(node, dict) or name not in node:
                    raise PlaybookError(f"{path}: '{key}' is missing")
                next_found.append((key, node[name]))
        found = next_found
    return found


def _check_text(path: Path, key: str, value: object, allowed: frozenset[str]) -> None:
    if not isinstance(value, str) or not value.strip():
        raise PlaybookError(f"{path}: '{key}' must be non-empty text")
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as error:
        raise PlaybookError(f"{path}: '{key}' has a stray brace ({error})") from None
    unknown = used - allowed
    if unknown:
        known = ", ".join(sorted(allowed)) or "none"
        raise PlaybookError(
            f"{path}: '{key}' uses unknown placeholder {{{sorted(unknown)[0]}}} (allowed: {known})"
        )
