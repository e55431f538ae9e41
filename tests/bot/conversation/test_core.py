"""The core's own duties: routing, privacy, care, expiry, and crossed answers."""

from __future__ import annotations

import json

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.conversation.core import Bounceback
from bot.conversation.events import FormRequested, Member, Visibility
from bot.conversation.registry import COMMANDS, typed
from bot.store.groups import Groups
from bot.store.models import Conversation
from tests.conftest import SAM
from tests.helpers import CHANNEL, WITH_FORMS, Chat, plan_for, snapshot


def conversation(core) -> Conversation | None:
    with Session(core.engine) as session:
        return session.scalars(select(Conversation)).first()


def test_help_lists_every_command_and_returns_to_the_question(chat: Chat) -> None:
    chat.steps("/rejected Acme", "2")
    reply = chat.say("/help")
    for spec in COMMANDS:
        assert typed(spec.name, chat.member.platform) in reply
    assert reply.text.rstrip().endswith("(reply with a number or the words)")
    assert "how far did you get" in reply


def test_one_off_commands_in_a_channel_answer_only_the_member(core) -> None:
    chat = Chat(core, SAM, origin=CHANNEL)
    for command in ("/help", "/followups", "/cancel"):
        reply = chat.say(command)
        assert reply and all(r.visibility is Visibility.ONLY_MEMBER for r in reply), command


def test_stats_from_a_channel_go_to_a_dm_with_their_chart(core) -> None:
    chat = Chat(core, SAM, origin=CHANNEL)
    plan_for(chat, "Acme")
    reply = chat.say("/stats")
    assert reply[0].visibility is Visibility.ONLY_MEMBER
    assert reply[1].visibility is Visibility.DM and len(reply[1].attachments) == 1


def test_export_from_a_channel_goes_to_a_dm(core) -> None:
    reply = Chat(core, SAM, origin=CHANNEL).say("/export")
    assert reply[0].visibility is Visibility.ONLY_MEMBER
    assert reply[1].visibility is Visibility.DM and len(reply[1].attachments) == 2


def test_cancel_sets_the_dialogue_aside_and_keeps_what_was_saved(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today", "skip")
    assert "What you'd already told me is kept" in chat.say("/cancel")
    assert conversation(core) is None
    assert "There's nothing to cancel" in chat.say("/cancel")
    assert "1 rejection logged" in chat.say("/stats")


def test_a_new_command_replaces_the_open_dialogue(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2")
    reply = chat.say("/win")
    assert "set our earlier conversation aside" in reply
    assert conversation(core).dialogue == "win"


def test_a_stale_dialogue_expires(chat: Chat, core, clock) -> None:
    chat.steps("/rejected Acme", "2")
    clock.advance(hours=73)
    reply = chat.say("3")
    assert "went quiet" in reply
    assert conversation(core) is None


def test_a_place_saved_at_a_step_this_version_lacks_is_set_aside(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2")
    with core.engine.begin() as db:
        db.execute(text("UPDATE conversations SET step = 'renamed_since'"))
    reply = chat.say("3")
    assert "couldn't pick up where we were" in reply
    assert conversation(core) is None
    assert "Acme" in chat.say("/rejected Acme")  # and a new start works


def test_despair_pauses_coaching_and_offers_a_person(chat: Chat, core, playbook) -> None:
    chat.steps("/rejected Acme", "2")
    reply = chat.say("honestly I feel hopeless, what's the point")
    assert playbook.text("comfort.default_contact") in reply
    assert not reply.options  # no tasks, no plan
    held = chat.say("3")
    assert "type `continue`" in held
    held_place = conversation(core)
    assert (held_place.step, held_place.held) == ("stage", 2)  # held, one message heard since
    assert held_place.data == {"company": "Acme", "mood": "disappointed"}  # the dialogue's own
    assert "hopeless" not in json.dumps(snapshot(core), default=str)
    resumed = chat.say("continue")
    assert "how far did you get" in resumed
    assert "Let's note down the facts" in chat.say("3")


def test_words_outside_any_conversation_are_answered_honestly(chat: Chat) -> None:
    reply = chat.say("the interview was on a tuesday")
    assert "I'm not sure what to do with that on its own" in reply
    assert "/rejected talks a new no through" in reply
    assert "Take care" in chat.say("ah ok, fair enough. thanks!")
    assert "not one I can answer well" in chat.say("what should I wear to an assessment centre?")


def test_asking_for_a_person_outside_any_conversation_is_shown_people(chat: Chat) -> None:
    reply = chat.say("right. is there an actual person i can talk to or is it just this")
    assert "findahelpline.com" in reply
    assert "haven't kept that" not in reply


def test_the_group_can_name_its_own_contact(core, engine, playbook, clock) -> None:
    settings = Settings(crisis_contact="Priya, our facilitator (DM @priya)")
    chat = Chat(Bounceback(engine, playbook, settings, clock), SAM)
    assert "Priya, our facilitator" in chat.say("I feel worthless")


def test_answers_that_cross_keep_the_first_and_say_so(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2")

    engine = core.engine
    landed = []

    def another_answer_lands_first(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("UPDATE conversations") and not landed:
            landed.append(True)
            with engine.begin() as other:
                other.execute(text("UPDATE conversations SET version = version + 1"))

    event.listen(engine, "before_cursor_execute", another_answer_lands_first)
    reply = chat.say("3")
    assert "crossed with another answer" in reply
    assert "how far did you get" in reply
    state = conversation(core)
    assert state.step == "stage" and "stage" not in state.data


def test_words_of_crisis_in_a_command_get_care_before_anything_else(
    chat: Chat, core, playbook
) -> None:
    reply = chat.say("/rejected Acme, and honestly I feel hopeless")
    assert playbook.text("comfort.default_contact") in reply
    assert not reply.options and conversation(core).dialogue == "care"  # /rejected not started


def test_a_shared_win_is_addressed_to_the_groups_channel(chat: Chat, core, clock) -> None:
    replies = chat.steps("/win Coffee with a former manager", "1", "Share with the group")
    assert not replies.seen_by(Visibility.GROUP)  # said in a DM, and the group has no channel
    with core.engine.begin() as db:
        Groups(db, "slack", "T1").create(timezone="UTC", facilitators=[], now=clock.now)
        Groups(db, "slack", "T1").update(channel="C-wins")
    chat.steps("/win Referral at Hooli", "1")
    [post] = chat.say("Share with the group").seen_by(Visibility.GROUP)
    assert post.channel == "C-wins"


def test_a_form_can_be_asked_for_again_while_it_is_the_question(core) -> None:
    chat = Chat(core, SAM, capabilities=WITH_FORMS)
    asked = chat.steps("/rejected Acme", "disappointed", "interview")
    reopened = chat.send(FormRequested(SAM, chat.origin, asked.form.id))
    assert reopened.form == asked.form
    stale = chat.send(FormRequested(SAM, chat.origin, "some_old_form"))
    assert "belongs to an earlier question" in stale and stale.form == asked.form  # the current one


def test_a_dm_finds_the_workspace_of_the_open_dialogue(core, clock) -> None:
    other = Member("discord", "G2", "42")
    assert core.workspace_of("discord", "42") is None
    Chat(core, Member("discord", "G1", "42")).say("/rejected Acme")
    clock.advance(minutes=5)
    Chat(core, other).say("/stats")
    assert core.workspace_of("discord", "42") == "G1"  # where the dialogue waits
    Chat(core, other).say("/win An advice meeting")
    assert core.workspace_of("discord", "42") == "G2"
    assert core.workspace_of("slack", "42") is None


def test_recent_companies_are_the_members_own_newest_first(core) -> None:
    plan_for(Chat(core, SAM), "Acme")
    plan_for(Chat(core, SAM), "Globex")
    assert core.recent_companies(SAM) == ["Globex", "Acme"]
    assert core.recent_companies(Member("slack", "T1", "U-someone-else")) == []
