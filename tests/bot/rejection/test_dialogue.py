"""`/rejected` as a member lives it: every branch, read as a transcript."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.conversation.core import Bounceback
from bot.conversation.events import Visibility
from bot.store.models import Conversation, Rejection, Reminder
from tests.conftest import SAM
from tests.helpers import CHANNEL, FIRST_DUE, PLAN, WITH_FORMS, Chat, deliver, give_group_channel
from tests.support.transport import FakeTransport

INTERVIEW_FACTS = (
    "Data Analyst",
    "Jane Doe",
    "yesterday",
    "They chose someone with more experience",
)


def rejections(core: Bounceback) -> list[Rejection]:
    with Session(core.engine) as session:
        return list(session.scalars(select(Rejection)))


def reminders(core: Bounceback) -> list[Reminder]:
    with Session(core.engine) as session:
        return list(session.scalars(select(Reminder).order_by(Reminder.due_at)))


def test_acknowledges_then_checks_the_mood(chat: Chat) -> None:
    opening = chat.say("/rejected Acme")
    assert "news from Acme" in opening
    assert "doesn't measure your worth" in opening
    assert opening.options == ["low", "disappointed", "steady", "relieved"]


def test_each_mood_gets_its_own_response(chat: Chat, playbook) -> None:
    for mood in ("low", "disappointed", "steady", "relieved"):
        chat.say("/rejected Acme")
        reply = chat.press(mood)
        assert playbook.text(f"moods.moods.{mood}.response") in reply
        assert "how far did you get" in reply


def test_interview_with_a_hiring_manager_gets_the_full_gracious_path(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews")
    noted = chat.steps(*INTERVIEW_FACTS)
    assert (
        "Noted: Data Analyst at Acme, after interviews, with Jane Doe, heard on 22 Nov 2026"
        in noted
    )
    draft = chat.say("Hiring manager")
    assert "Hi Jane," in draft
    assert "Data Analyst" in draft and "Sam" in draft
    assert "what did I do wrong" not in draft.text.lower()
    reading = chat.say("keep")
    assert "Within a day or two is a good time to send it" in reading
    assert "Someone better qualified got it. Is that right?" in reading
    evidence = chat.say("Yes, that's it")
    assert "story" in evidence  # the better-qualified next step
    assert "the first rejection you've logged with me" in evidence
    assert "pass it on" not in evidence.text  # someone has the role: nothing to pass on
    plan = evidence
    assert "advice meeting" not in plan.text  # not offered: they did not come close
    assert "Tomorrow at 09:00: Send your thank-you" in plan
    assert "Sounds good" in plan
    done = chat.say("1")
    assert "Saved 4 follow-ups" in done
    [rejection] = rejections(core)
    assert (rejection.company, rejection.role, rejection.stage) == (
        "Acme",
        "Data Analyst",
        "interview",
    )
    assert (rejection.contact_name, rejection.contact_role) == ("Jane Doe", "hiring_manager")
    assert rejection.heard_on == date(2026, 11, 22)
    assert rejection.category == "better_qualified"
    assert rejection.note.startswith("Hi Jane,")
    assert [r.kind for r in reminders(core)] == [
        "send_note",
        "second_ask",
        "keep_in_touch",
        "reconnect",
    ]
    assert not list(chat.group_posts())


def test_the_note_fits_who_they_dealt_with(chat: Chat) -> None:
    drafts = {}
    for contact in ("Recruiter or HR", "An interviewer", "The person who referred me"):
        chat.steps("/rejected Acme", "2", "3", "Analyst", "Jane Doe", "today", "skip")
        drafts[contact] = chat.say(contact).text
    assert len(set(drafts.values())) == 3


def test_no_named_contact_addresses_the_hiring_team(chat: Chat) -> None:
    reply = chat.steps("/rejected Acme", "2", "Interviews", "Analyst", "skip", "today", "skip")
    assert "for the hiring team" in reply
    assert "Hi there," in reply


def test_coming_close_suggests_an_advice_meeting(chat: Chat, core) -> None:
    chat.steps("/rejected Initech", "2", "Runner-up, they told me I came close")
    chat.steps(
        "Product Manager", "Bill Lumbergh", "3 days ago", "They went with an internal candidate"
    )
    chat.steps("Hiring manager", "keep")
    advice = chat.say("yes")
    assert "advice" in advice and "Hi Bill," in advice
    chat.steps("I'll ask for one")
    plan = chat.say("No, keep it private")
    assert "short advice meeting" in plan
    chat.say("Sounds good")
    assert "advice_meeting" in [r.kind for r in reminders(core)]
    assert rejections(core)[0].category == "internal_candidate"


def test_automated_no_after_applying_takes_the_light_path(chat: Chat, core, playbook) -> None:
    chat.steps("/rejected Globex", "Steady enough", "Applied, no interview")
    light = chat.steps("skip", "today", "skip")
    assert playbook.text("comfort.light_path") in light
    assert "draft" not in light.text
    assert "Would you like me to pass it on?" in light
    end = chat.say("No, keep it private")
    assert "Sounds good" not in end  # no plan to propose for this one
    assert playbook.text("comfort.keep_going") in end
    assert reminders(core) == []
    with Session(core.engine) as session:
        assert session.scalars(select(Conversation)).first() is None


def test_feeling_low_adds_a_personal_check_in(chat: Chat, core) -> None:
    chat.steps("/rejected Globex", "Pretty low", "1", "skip", "today", "skip", "2")
    chat.say("Sounds good")
    assert [r.kind for r in reminders(core)] == ["check_in"]


def test_the_member_can_correct_our_reading_of_the_reason(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today")
    reading = chat.steps("They said my communication in the panel could be sharper", "keep")
    assert "How I came across. Is that right?" in reading
    advice = chat.say("A specific skill was missing")
    assert "worth learning" in advice.text or "skill" in advice.text
    assert rejections(core)[0].category == "missing_skill"


def test_an_unclear_reason_is_left_for_the_member_to_place(chat: Chat) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today")
    question = chat.steps("It was a tough decision", "keep")
    assert "Which of these comes closest" in question
    assert "yes" not in question.options


@pytest.mark.parametrize("before", ["lol no. ill just write it myself: ", "Too much. Mine:\n"])
def test_a_note_pasted_after_a_word_to_me_is_kept_without_that_word(
    chat: Chat, core, before: str
) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today", "skip")
    own = "Hi Kelsey,\nThanks for letting me know, and for your time.\nBest, Dana"
    chat.say(before + own)
    assert rejections(core)[0].note == own


def test_the_member_can_write_their_own_note_or_skip_it(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today", "skip")
    too_short = chat.say("Thanks!")
    assert "a little short" in too_short
    own = "Dear team, thank you for the interviews. I'd love to hear any thoughts you have."
    chat.say(own)
    assert rejections(core)[0].note == own
    chat.steps("/rejected Hooli", "2", "3", "Analyst", "skip", "today", "skip")
    plan = chat.steps("No note this time", "no, keep it private")
    assert "Here is the follow-up plan" in plan
    assert "thank-you" not in plan.text  # no note, so no reminder to send it
    assert rejections(core)[-1].note == ""


def test_passing_the_opening_on_shares_no_private_detail(chat: Chat, core) -> None:
    give_group_channel(core, SAM)
    chat.steps("/rejected Acme", "Pretty low", "3", "Data Analyst", "Jane Doe", "today")
    chat.steps("They had concerns about my confidence", "Hiring manager", "keep", "yes")
    shared = chat.say("Yes, pass it on")
    [post] = shared.seen_by(Visibility.GROUP)
    assert "Data Analyst at Acme" in post.text
    for private in ("Sam", "Jane", "confidence", "reject"):
        assert private not in post.text
    assert rejections(core)[0].opening_shared


def test_an_opening_with_no_group_channel_is_not_passed_on_and_says_so(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Pretty low", "3", "Data Analyst", "Jane Doe", "today")
    chat.steps("They had concerns about my confidence", "Hiring manager", "keep", "yes")
    reply = chat.say("Yes, pass it on")
    assert not reply.seen_by(Visibility.GROUP)
    assert "I haven't passed it on: the group has no channel yet" in reply
    assert "Passed on to the group" not in reply
    assert not rejections(core)[0].opening_shared


def test_the_plan_can_be_trimmed_and_moved(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today", "skip", "keep", "skip")
    chat.steps("No, keep it private", "Drop some")
    trimmed = chat.say("2, 4")
    assert "Send a friendly second ask" not in trimmed
    chat.say("Move one")
    bad = chat.say("7 tomorrow")
    assert "go from 1 to 2" in bad
    moved = chat.say("2 2027-01-15")
    assert "Fri 15 Jan 2027" in moved
    chat.say("Sounds good")
    due = [(r.kind, r.local_due.date()) for r in reminders(core)]
    assert due == [("send_note", date(2026, 11, 24)), ("keep_in_touch", date(2027, 1, 15))]


def test_a_member_who_meant_drop_at_the_move_question_gets_it_dropped(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today", "skip", "keep", "skip")
    chat.steps("No, keep it private", "Move one")
    back = chat.say("ugh ok never mind")
    assert "Here is the follow-up plan" in back
    chat.say("Move one")
    dropped = chat.say("no i didnt mean move, i meant drop number 2")
    assert "Send a friendly second ask" not in dropped and "Here is the follow-up plan" in dropped
    chat.say("Sounds good")
    assert "second_ask" not in [r.kind for r in reminders(core)]


def test_the_draft_can_be_gone_back_to_and_the_dialogue_returns_where_it_was(
    chat: Chat, core
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    reading = chat.say("keep")
    assert "Is that right?" in reading
    back = chat.say("Sorry, I asked to add a strength. Can we go back to the draft?")
    assert "Here's the draft again" in back and "Hi Jane," in (back[-1].quote or "")
    chat.steps("Add a strength of mine", "the SQL dashboards I built")
    returned = chat.say("keep")
    assert "Is that right?" in returned  # where the member was
    assert "SQL dashboards" in rejections(core)[0].note


@pytest.mark.parametrize(
    ("reason", "read_as"),
    [("they said i was missing kubernetes skills", "missing_skill"), ("meh", "no_feedback")],
)
def test_a_member_unsure_of_the_reason_is_given_my_reading(
    chat: Chat, core, reason: str, read_as: str
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Analyst", "Jane", "today")
    chat.steps(reason, "Hiring manager", "keep")
    assert "I'll go with my best reading" in chat.say("idk")
    assert rejections(core)[0].category == read_as


def test_no_reminders_is_a_fine_answer(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "3", "Analyst", "skip", "today", "skip", "skip", "skip", "2")
    chat.say("No reminders")
    assert reminders(core) == []
    assert len(rejections(core)) == 1


def test_the_resilience_count_grows(chat: Chat) -> None:
    for company in ("Acme", "Globex"):
        chat.steps(f"/rejected {company}", "2", "1", "skip", "today")
        last = chat.say("skip")
    assert "Knocked back 2 times" in last and "3 times" not in last  # honest counts only


def test_past_wins_are_shown_as_evidence(chat: Chat) -> None:
    chat.steps("/win Got a referral to Hooli from Ana", "Got a referral", "2")
    reply = chat.steps("/rejected Acme", "2", "1", "skip", "today", "skip")
    assert "Got a referral: Got a referral to Hooli from Ana" in reply


def test_the_company_is_asked_for_when_the_command_has_none(chat: Chat, core) -> None:
    chat.steps("/rejected", "2", "1")
    missing = chat.say("")
    assert "didn't catch anything" in missing
    chat.steps("Globex", "skip", "today", "skip")
    assert rejections(core)[0].company == "Globex"


def test_on_a_surface_with_forms_the_facts_are_one_modal(core: Bounceback) -> None:
    chat = Chat(core, SAM, capabilities=WITH_FORMS)
    chat.steps("/rejected Acme")
    chat.press("steady")
    form = chat.press("final").form
    assert form is not None and len(form.fields) <= 5
    assert [f.name for f in form.fields] == [
        "company",
        "role",
        "contact_name",
        "heard_on",
        "reason",
    ]
    assert form.fields[0].initial == "Acme"
    errors = chat.submit(form.id, company="", role="Analyst", heard_on="2099-01-01")
    assert errors[0].field_errors is not None
    assert set(errors[0].field_errors.errors) == {"company", "heard_on"}
    assert rejections(core) == []
    noted = chat.submit(form.id, company="Acme Corp", role="Analyst", heard_on="today")
    assert "Noted: Analyst at Acme Corp, in the final round" in noted
    assert "hiring team" in noted  # no contact named, so the note is for the team


def test_in_a_channel_only_a_private_pointer_is_shown_there(core: Bounceback) -> None:
    chat = Chat(core, SAM, origin=CHANNEL)
    replies = chat.say("/rejected Acme")
    pointer, *rest = replies
    assert pointer.visibility is Visibility.ONLY_MEMBER
    assert "direct message" in pointer.text
    assert rest and all(reply.visibility is Visibility.DM for reply in rest)
    assert "Acme" not in pointer.text


def test_a_restart_mid_dialogue_resumes_at_the_same_step(
    chat: Chat, core, playbook, settings, clock
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Data Analyst")
    restarted = Chat(Bounceback(core.engine, playbook, settings, clock), SAM)
    reply = restarted.say("Jane Doe")
    assert "When did the news come?" in reply
    reply = restarted.steps("yesterday", "skip")
    assert "What was Jane Doe's part in it?" in reply


def test_a_form_asked_field_by_field_keeps_its_progress_apart(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Data Analyst")
    with Session(core.engine) as session:
        place = session.scalars(select(Conversation)).one()
        assert place.filling == {"position": 1, "values": {"role": "Data Analyst"}}
        assert place.data == {"company": "Acme", "mood": "disappointed", "stage": "interview"}


def test_showing_the_draft_saves_nothing_until_it_is_kept(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS)
    chat.say("Hiring manager")  # the draft is shown
    with Session(core.engine) as session:
        assert "draft" not in session.scalars(select(Conversation)).one().data
    chat.say("keep")
    assert rejections(core)[0].note.startswith("Hi Jane,")


def test_answers_in_the_members_own_words_are_understood(chat: Chat, core) -> None:
    """Issue 13's refused answers, each as a member typed it."""
    assert "how far did you get" in chat.steps("/rejected Acme", "pretty low honestly")
    assert "Let's note down the facts" in chat.say("runner-up, they said I came close")
    noted = chat.steps(
        "Data Analyst", "Jane Doe", "yesterday", "They went in a different direction"
    )
    assert "Noted: Data Analyst at Acme, as runner-up, with Jane Doe" in noted  # not "i came close"
    chat.steps("Recruiter or HR", "keep")
    assert "I'll ask for one" in chat.say("yes that's it")  # the reading confirmed
    plan = chat.say("sure")  # the advice meeting accepted
    assert "advice meeting" in plan and "pass it on?" not in plan  # the runner-up's role is filled
    [rejection] = rejections(core)
    assert (rejection.mood, rejection.stage, rejection.category) == (
        "low",
        "runner_up",
        "different_direction",
    )


def test_skip_is_no_company_name(chat: Chat, core) -> None:
    chat.steps("/rejected", "2", "1")
    reply = chat.say("skip")
    assert "This one I need: company" in reply
    chat.steps("Globex", "skip", "today", "skip")
    assert rejections(core)[0].company == "Globex"


def test_an_empty_reason_is_taken_as_none_given(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "2", "1", "skip", "today")
    chat.say("")
    assert rejections(core)[0].reason == ""


def test_a_question_at_the_draft_is_not_saved_as_the_note(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    reply = chat.say("can I get a version for each interviewer?")
    assert "One note to them all is fine" in reply
    assert "Here is a draft of a thank-you" in reply  # asked again
    assert rejections(core)[0].note == ""
    asked = chat.say(
        "Hi all is good. but i only have the recruiter's email, how do i get it to them?"
    )
    assert "asking them to pass it on" in asked
    assert rejections(core)[0].note == ""


def test_a_contact_named_with_their_role_is_greeted_by_name_and_not_asked_again(
    chat: Chat, core
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Data Analyst")
    draft = chat.steps("Priya, the recruiter", "yesterday", "skip")
    assert "What was" not in draft  # "the recruiter" already said it
    assert "Hi Priya," in draft and "Hi Priya,," not in draft
    assert rejections(core)[0].contact_role == "recruiter"


def test_a_panel_gets_one_note_to_them_all(chat: Chat) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Data Analyst")
    draft = chat.steps("the panel, seven interviewers", "yesterday", "skip")
    assert "Hi all," in draft and "Hi the," not in draft
    assert "request for the panel." in draft


def test_a_reason_that_names_two_things_is_read_as_both_and_advised_on_both(
    chat: Chat, playbook
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Platform Engineer", "Jane Doe")
    reason = "they wanted more hands-on SQL, and honestly they had someone internal lined up"
    chat.steps("yesterday", reason, "Recruiter or HR")
    question = chat.say("keep")
    assert (
        "it sounds like two things: a specific skill was missing, and an internal candidate "
        "got it. Is that right?"
    ) in question
    advice = chat.say("yes, both")
    for category in ("missing_skill", "internal_candidate"):
        assert playbook.text(f"feedback.categories.{category}.meaning") in advice


def test_one_of_two_readings_can_be_chosen_alone(chat: Chat, playbook) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Platform Engineer", "Jane Doe")
    reason = "they wanted more hands-on SQL, and honestly they had someone internal lined up"
    chat.steps("yesterday", reason, "Recruiter or HR", "keep")
    advice = chat.say("only the skill one")
    assert playbook.text("feedback.categories.missing_skill.meaning") in advice
    assert playbook.text("feedback.categories.internal_candidate.meaning") not in advice


def test_the_advice_names_the_skill_and_gives_no_caveat_to_candid_feedback(chat: Chat) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Platform Engineer", "Jane Doe")
    chat.steps("yesterday", "They were looking for more Kubernetes experience", "Recruiter or HR")
    assert "A specific skill was missing. Is that right?" in chat.say("keep")
    advice = chat.say("yes")
    assert "They named Kubernetes." in advice
    assert "guarded for legal reasons" not in advice.text


def test_an_automated_no_gets_no_talk_of_conversations(chat: Chat) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Applied, no interview", "Analyst")
    replies = chat.steps("today", "We have decided to move forward with other candidates")
    replies = replies.text + chat.say("1").text
    assert "last conversation" not in replies and "weigh what they tell you" not in replies


def test_the_advice_meeting_is_offered_in_words_that_fit_the_stage_and_the_contact(
    chat: Chat,
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "The final round", "Analyst")
    offer = chat.steps("Priya, the recruiter", "today", "skip", "keep")
    assert "You reached the final round" in offer and "runner-up" not in offer.text
    assert "the hiring manager, perhaps through Priya" in offer


def test_a_member_who_was_ghosted_gets_a_check_in_draft_not_a_thank_you(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Data Analyst")
    draft = chat.steps("Priya, the recruiter", "last week", "The recruiter ghosted me")
    assert "cordial check-in" in draft
    assert "letting me know" not in (draft[-1].quote or "")
    assert "I haven't heard anything for a while" in (draft[-1].quote or "")
    advice = chat.say("keep")
    assert "Silence is one of the hardest endings" in advice
    assert "Is that right?" not in advice  # nothing to confirm about silence
    assert rejections(core)[0].category == "no_feedback"
    assert "ask more than one person" not in advice.text  # they asked for nothing
    plan = chat.say("no")  # not passed on
    assert "second ask" not in plan.text  # one check-in is plenty after silence
    assert "thank-you" not in plan.text and "Ask them for an update" in plan.text
    assert "Reconnect and ask about new openings" in plan.text


def test_a_member_who_tells_how_it_went_instead_of_a_mood_is_heard(chat: Chat, core) -> None:
    chat.say("/rejected")
    heard = chat.say("there wasnt any news. they just ghosted me after 2 interviews")
    assert "whatever you feel about it is fair" in heard
    assert "how far did you get" in heard
    chat.steps(
        "interviews, two of them. already told you", "Northgate Logistics. they said nothing"
    )
    draft = chat.steps(
        "junior data analyst", "some hiring manager called priya i think", "3 weeks ago", "skip"
    )
    assert "Noted: junior data analyst at Northgate Logistics, after interviews" in draft
    assert "with Priya (hiring manager)" in draft
    quote = draft[-1].quote or ""
    assert quote.startswith("Hi Priya,") and "letting me know" not in quote  # ghosted
    [rejection] = rejections(core)
    assert (rejection.company, rejection.mood) == ("Northgate Logistics", "")


def test_a_ghosted_members_reminder_brings_the_check_in_they_kept(
    chat: Chat, core, dispatcher, platform: FakeTransport, clock
) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Data Analyst")
    chat.steps("Priya, the recruiter", "last week", "never heard back", "keep", "no")
    chat.say("Sounds good")
    clock.now = FIRST_DUE
    deliver(dispatcher)
    reminder = platform.last
    assert "note asking Acme for an update" in reminder.text
    assert "I haven't heard anything for a while" in (reminder.quote or "")
    assert "They replied" in [option.label for option in reminder.options]


def test_the_note_can_name_a_strength_of_the_members_own(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    assert "one strength you'd like them to remember" in chat.say("add a strength")
    redrafted = chat.say("my SQL dashboards")
    assert "where my SQL dashboards could be useful" in (redrafted[-1].quote or "")
    assert "experience we discussed" not in (redrafted[-1].quote or "")
    chat.say("keep")
    assert "my SQL dashboards" in rejections(core)[0].note


def test_a_role_cut_for_budget_is_no_verdict_and_no_opening(chat: Chat, core) -> None:
    chat.steps("/rejected Halvorsen", "Disappointed", "The final round", "Supply Chain Planner")
    draft = chat.steps(
        "Rebecca, the hiring manager", "today", "the position was cancelled, budget cuts"
    )
    quote = draft[-1].quote or ""
    assert "If it opens again" in quote and "what would have made the difference" not in quote
    advice = chat.say("keep")
    assert "there was no decision about you at all" in advice
    assert "Is that right?" not in advice and "They hadn't yet seen you" not in advice
    plan = chat.say("Not this time")  # no advice meeting
    assert "pass it on?" not in plan  # the role is gone
    assert "second ask" not in plan.text and "Reconnect" in plan.text


def test_a_pay_gap_gets_advice_on_pay_not_on_direction(chat: Chat, core) -> None:
    chat.steps("/rejected TalentCo", "Steady enough", "A screening call", "Ops Lead")
    chat.steps("Hannah", "today", "my salary expectations didnt match what the client has budgeted")
    chat.say("Recruiter or HR")
    assert "clear about the budget" in (chat.transcript[-1][1][-1].quote or "")
    advice = chat.say("keep")
    assert "the numbers didn't meet" in advice and "range built from market data" in advice
    assert "They hadn't yet seen you" not in advice


def test_a_member_who_feels_low_gets_the_reading_without_a_task(chat: Chat) -> None:
    chat.steps("/rejected Acme", "Pretty low", "Interviews", "Data Analyst", "Jane Doe")
    chat.steps("yesterday", "They wanted more Kubernetes experience", "Hiring manager", "keep")
    advice = chat.say("a specific skill was missing")
    assert "They named Kubernetes" in advice
    assert "None of this needs doing this week" in advice and "This week," not in advice


def test_an_opening_the_reason_says_is_filled_is_not_offered(chat: Chat) -> None:
    chat.steps("/rejected Careflow", "Disappointed", "Interviews", "APM", "Tom, the recruiter")
    chat.steps("yesterday", "they went with someone who had more stakeholder experience")
    chat.steps("keep")
    reply = chat.say("4")  # a specific skill was missing
    assert "pass it on?" not in reply and "Here is the follow-up plan" in reply


def test_a_remark_about_the_draft_is_not_kept_and_a_shorter_one_is_offered(
    chat: Chat, core
) -> None:
    chat.steps("/rejected Lumen", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    remark = chat.say("hmm thats not really how i talk lol")
    assert "reads like a comment on the draft" in remark
    assert rejections(core)[0].note == ""
    shorter = chat.say("can u make it shorter?")
    quote = shorter[-1].quote or ""
    assert quote.startswith("Hi Jane,") and len(quote) < 400
    chat.say("keep")
    assert rejections(core)[0].note == quote


def test_the_plan_is_changed_in_the_members_words(chat: Chat) -> None:
    chat.steps("/rejected Wanderly", "Disappointed", "Runner-up", *INTERVIEW_FACTS, "Recruiter")
    chat.steps("keep", "yes", "I'll ask for one")
    plan = chat.say("drop some")
    assert "Which ones should I drop?" in plan
    kept = chat.say("whatever. i'm not chasing him twice, drop the second feedback one")
    assert "second ask" not in kept.text and "advice meeting" in kept.text
    chat.say("move one")
    moved = chat.say("move the coffee chat to next monday")
    assert "Mon 30 Nov at 09:30: Ask the hiring manager for a short advice meeting" in moved
    assert "Saved" in chat.say("looks fine")


def test_a_strength_too_long_for_the_note_is_asked_for_in_fewer_words(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    chat.say("add a strength")
    long = chat.say("9 yrs on the ward actually using this kind of software w/ patients")
    assert "Could you put it in a few words" in long
    redrafted = chat.say("patient-facing software")
    assert "where my patient-facing software could be useful" in (redrafted[-1].quote or "")


def test_a_member_who_keeps_talking_past_the_draft_is_not_held_there(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    assert "reads like a comment on the draft" in chat.say("hmm he would have been my manager")
    onward = chat.say("anyway they said b2b experience, that was it")
    assert "I've kept my draft for now" in onward and "Is that right?" in onward
    assert rejections(core)[0].note.startswith("Hi Jane,")


def test_not_now_at_the_draft_leaves_the_note_for_later(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    reply = chat.say("not right now. i cant face talking to him yet")
    assert "You can always come back to it" in reply
    assert rejections(core)[0].note == ""


def test_a_change_to_the_plan_can_be_said_at_once(chat: Chat) -> None:
    chat.steps("/rejected Wanderly", "Disappointed", "Runner-up", *INTERVIEW_FACTS, "Recruiter")
    chat.steps("keep", "yes", "I'll ask for one")
    kept = chat.say("i dont need to chase her for feedback a second time. take that one out")
    assert "Here is the follow-up plan" in kept and "second ask" not in kept.text
    moved = chat.say("can I move the advice chat one earlier, to next monday?")
    assert "Mon 30 Nov at 09:30: Ask the hiring manager for a short advice meeting" in moved


def test_the_draft_is_addressed_again_and_other_changes_are_left_to_the_member(
    chat: Chat, core
) -> None:
    chat.steps("/rejected Brightloop", "Disappointed", "Interviews", "Designer", "skip")
    chat.steps("yesterday", "They went with a more senior candidate")
    readdressed = chat.say("can it say hi marcus instead?")
    assert "it's addressed to Marcus now" in readdressed
    assert (readdressed[-1].quote or "").startswith("Hi Marcus,")
    asked = chat.say("can it mention that they'd reach out in the spring?")
    assert "I can't rewrite parts of it myself yet" in asked
    assert rejections(core)[0].contact_name == "Marcus"


@pytest.mark.parametrize(
    ("asked", "greeting"),
    [
        ("can you change it to hi dani", "Hi Dani,"),
        ("'hi there' lol. her name is dani", "Hi Dani,"),
        ('I\'d prefer "Dear Ms Okafor", please', "Hi Ms Okafor,"),
    ],
)
def test_the_draft_is_addressed_as_the_member_words_it(
    chat: Chat, asked: str, greeting: str
) -> None:
    chat.steps("/rejected Brightloop", "Disappointed", "Interviews", "Designer", "skip")
    chat.steps("yesterday", "They went with a more senior candidate")
    assert (chat.say(asked)[-1].quote or "").startswith(greeting)


def test_not_a_culture_fit_is_read_as_too_vague_to_act_on(chat: Chat, core) -> None:
    chat.steps("/rejected Loop", "Disappointed", "The final round", "Designer", "Marcus")
    chat.steps("yesterday", "he said i wasnt a culture fit")
    chat.say("Hiring manager")
    quote = chat.transcript[-1][1][-1].quote or ""
    assert "open about the reason" not in quote
    advice = chat.say("keep")
    assert "There's nothing in it to fix" in advice and "interrupting" not in advice
    assert rejections(core)[0].category == "no_feedback"


def test_overqualified_is_read_as_a_worry_not_a_verdict(chat: Chat) -> None:
    chat.steps("/rejected Orbit", "Disappointed", "A screening call", "PM", "Priya, HR")
    chat.steps("today", "they said i was overqualified")
    assert "usually hides a worry" in chat.say("keep")


def test_a_name_they_dont_know_is_no_name_and_the_draft_is_signed_as_asked(
    chat: Chat, core
) -> None:
    chat.steps("/rejected Greenway", "Disappointed", "Interviews", "Administrator")
    draft = chat.steps("skip, cant remember her name", "yesterday", "skip")
    assert (draft[-1].quote or "").startswith("Hi there,")
    signed = chat.say("why does it say sam at the bottom lol, i'm marta")
    assert "it's signed Marta now" in signed and (signed[-1].quote or "").endswith("Marta")
    nobody = chat.say("can it just say Dear Hiring Manager or something")
    assert "it opens without a name now" in nobody
    chat.say("keep")
    assert rejections(core)[0].note.endswith("Marta")


def test_a_reorganisation_is_a_role_that_went_away(chat: Chat) -> None:
    chat.steps("/rejected Vantor", "Disappointed", "The final round", "Tester", "Greg")
    chat.steps("today", "they withdrew the role because of a reorganisation")
    chat.say("Hiring manager")
    assert "there was no decision about you at all" in chat.say("keep")


def test_a_reason_that_says_there_was_none_is_not_thanked_for(chat: Chat) -> None:
    chat.steps("/rejected Brightline", "Disappointed", "had one interview with the ops manager")
    draft = chat.steps("Supervisor", "Dunno", "yesterday", "they didnt say why")
    quote = draft[-1].quote or ""
    assert quote.startswith("Hi there,") and "open about the reason" not in quote


@pytest.mark.parametrize(
    ("reason", "thanked"),
    [
        ("they said i was missing kubernetes skills", True),
        ("they went with an internal candidate", True),
        ("they said i kept interrupting the panel", True),
        ("they went in a different direction, whatever that means", False),
        ("there were a lot of strong applicants", False),
        ("nope. just 'the client has decided not to progress your application'", False),
    ],
)
def test_only_a_candid_reason_is_thanked_for(chat: Chat, reason: str, thanked: bool) -> None:
    chat.steps("/rejected Brightline", "Disappointed", "Interviews", "Analyst", "Jonas")
    chat.steps("yesterday", reason)
    quote = chat.say("Hiring manager")[-1].quote or ""
    assert ("open about the reason" in quote) is thanked


def test_asked_for_shorter_again_the_member_is_told_it_is_short(chat: Chat) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    chat.say("a shorter one")
    assert "about as short as a note gets" in chat.say("shorter")


@pytest.mark.parametrize(
    "asked", ["decent. but its signed sam, my name is henrik", "HENRIK. not sam", "sign it henrik"]
)
def test_the_draft_is_signed_with_the_new_name_not_the_old(chat: Chat, asked: str) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", *INTERVIEW_FACTS, "Hiring manager")
    signed = chat.say(asked)
    assert "it's signed Henrik now" in signed and (signed[-1].quote or "").endswith("Henrik")


def test_a_ghosted_members_opening_is_not_offered_to_the_group(chat: Chat) -> None:
    chat.steps("/rejected Ledgerly", "Disappointed", "A screening call", "Researcher", "Leo")
    chat.steps("2 weeks ago", "nobody said no, the recruiter just went quiet", "keep")
    assert "pass it on?" not in chat.transcript[-1][1]


def test_an_answer_that_ends_by_asking_is_kept(chat: Chat, core) -> None:
    chat.steps("/rejected Acme", "Disappointed", "Interviews", "Analyst", "skip", "today")
    reason = "they said i was too quiet in the group exercise. is that even fixable?"
    chat.say(reason)
    assert rejections(core)[0].reason == reason


@pytest.mark.parametrize("accepting", ["The plan seems sensible.", "that works for me"])
def test_a_plan_accepted_in_the_member_s_words_is_saved(chat: Chat, accepting: str) -> None:
    proposed = chat.steps(*PLAN[:-1])
    assert "Sounds good" in proposed
    assert "Saved" in chat.say(accepting)
