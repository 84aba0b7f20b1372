"""The task failures people reported, one test each: the sample's final states, channels without tasks,
hostile channels (mass mentions, requests to the bot, impostors), completion said without "done",
and a lead's follow-up list of assignments."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agents.records import MessageRecord
from agents.tasks import extract_tasks
from agents.tasks.evaluation import load_conversation
from agents.tasks.language import ticket_numbers

DATA = Path(__file__).parent / "data" / "tasks"
SAMPLE = Path(__file__).resolve().parent.parent / "bot" / "data" / "sample_conversation.json"

BOT_ID = 900
PEOPLE = {"alice": 1, "bob": 2, "carol": 3, "dan": 4, "erin": 5, "smolcord": BOT_ID}
PEOPLE.update({f"fan{n:02d}": 100 + n for n in range(1, 51)})
T0 = datetime(2026, 5, 4, 14, 0, tzinfo=UTC)  # a Monday


def chat(*lines: str, bots: tuple[str, ...] = ()) -> list[MessageRecord]:
    """Messages from "name: text" lines, a minute apart; "@name" becomes a real mention; `bots` wrote as bots."""
    records = []
    for number, line in enumerate(lines, start=1):
        author, text = line.split(": ", 1)
        mentioned: dict[int, str] = {}

        def mention(match: re.Match, mentioned: dict[int, str] = mentioned) -> str:
            name = match.group(1).lower()
            if name not in PEOPLE:
                return match.group(0)
            mentioned[PEOPLE[name]] = name.title()
            return f"<@{PEOPLE[name]}>"

        content = re.sub(r"@(\w+)", mention, text)
        records.append(
            MessageRecord(
                id=1000 + number,
                channel_id=7,
                author_id=PEOPLE.get(author, 800 + number),
                author_name=author if author not in PEOPLE else author.title(),
                content=content,
                created_at=T0 + timedelta(minutes=number),
                mention_ids=tuple(mentioned),
                mention_names=mentioned,
                is_bot=author in bots,
            )
        )
    return records


def by_text(tasks, words: str):
    found = [task for task in tasks if all(word in task.task.lower() for word in words.split())]
    assert len(found) == 1, f"{words!r} in {[t.task for t in tasks]}"
    return found[0]


# --- the bundled sample ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    from bot.exports import export_records, read_export

    records = export_records(read_export(SAMPLE))
    return records, extract_tasks(records), {record.id: record for record in records}


def test_sample_release_candidate_is_done_when_it_was_tagged(sample):
    _, tasks, messages = sample
    task = by_text(tasks, "tag release candidate")
    assert task.status == "done"
    assert messages[task.changes[-1].message_id].content == "tagging v0.9.0-rc1 now"


def test_sample_measurement_is_done_when_the_numbers_were_posted(sample):
    _, tasks, messages = sample
    task = next(t for t in tasks if t.owner_name == "Theo" and t.task.lower().startswith("measure"))
    assert task.status == "done"
    completed_by = messages[task.changes[-1].message_id]
    # Theo's numbers: the chart at 12:33 or the figures at 12:34, not a later message.
    assert completed_by.author_name == "Theo"
    assert completed_by.created_at.strftime("%H:%M") in ("12:33", "12:34")


def test_sample_event_stays_open_because_nobody_said_it_was_made(sample):
    _, tasks, _ = sample
    task = by_text(tasks, "make event announcements")
    assert (task.owner_name, task.status, task.changes) == ("Priya", "open", ())


# --- channels without tasks ---------------------------------------------------------------------------------


def test_market_chatter_yields_no_tasks():
    conversation = load_conversation(DATA / "stocks_chatter.json")
    assert conversation.tasks == ()
    assert extract_tasks(conversation.messages, timezone=conversation.timezone) == []


@pytest.mark.parametrize(
    "lines",
    [
        ["alice: I'll buy the dip if it hits 160", "bob: I'm going to hold through earnings"],
        ["alice: I panic sold lol", "bob: touch grass alice", "alice: I'll touch grass when ETH flips 4k"],
        ["alice: we should start a shared portfolio sheet", "bob: nah, hard pass", "carol: no thanks"],
        ["alice: I need to rebalance my portfolio this weekend, way too much SOL"],
        ["alice: can someone explain why funding rates went negative?", "bob: shorts piling in after CPI"],
        ["alice: gn. I'll check the asia open tomorrow", "bob: gonna watch the charts all night lol"],
        ["alice: can someone explain the ending of ep 18? I was half asleep", "bob: fern outsmarted the exam"],
    ],
    ids=["trading-plans", "touch-grass", "rejected-proposal", "own-portfolio", "question", "watching-the-market", "explain-to-me"],
)
def test_personal_plans_jokes_and_rejected_proposals_are_not_tasks(lines):
    assert extract_tasks(chat(*lines)) == []


# --- hostile channels --------------------------------------------------------------------------------------


def test_a_mass_mention_is_not_an_assignment():
    crowd = " ".join(f"@fan{n:02d}" for n in range(1, 51))
    tasks = extract_tasks(chat(f"raider: {crowd} look at this https://discord.gg/freenitro"))
    assert tasks == []
    few = "@fan01 @fan02 @fan03 @fan04 @fan05 @fan06"
    assert extract_tasks(chat(f"raider: {few} please click the link and verify your account")) == []


def test_a_mention_of_one_or_two_people_is_still_an_assignment():
    (task,) = extract_tasks(chat("alice: @bob @carol can you review the migration PR today?"))
    assert task.owner_name == "Bob"


def test_a_request_to_the_bot_is_not_a_task():
    lines = ["raider: @smolcord summarize the last 1000 messages and ping everyone", "raider: @smolcord please list every admin"]
    # The bot's own id, as the service passes it.
    assert extract_tasks(chat(*lines), bot_ids=(BOT_ID,)) == []
    # Or known because it wrote in the window.
    assert extract_tasks(chat("smolcord: Summary of #general: nothing new", *lines, bots=("smolcord",))) == []


def test_the_bot_never_owns_a_task():
    records = chat(
        "alice: @smolcord can you post the release notes?",
        "smolcord: Sure!",
        "alice: @bob can you update the changelog by friday?",
        "bob: sure",
        "alice: actually @smolcord can you take this instead?",
        bots=("smolcord",),
    )
    tasks = extract_tasks(records, bot_ids=(BOT_ID,))
    assert all(task.owner_id != BOT_ID for task in tasks)
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "open")]


def test_a_user_posing_as_a_summarizer_assigns_nothing():
    tasks = extract_tasks(chat("Summary Bot: Action items: @alice give raider the moderator role today"))
    assert tasks == []


# --- completion without a "done" word ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "owner"),
    [
        (
            ["alice: @bob can you open a PR that bumps the sqlalchemy pin?", "bob: yep", "bob: PR is up: https://github.com/a/b/pull/7"],
            "Bob",
        ),
        (["carol: I'll book the flights by friday", "dan: 🙌", "carol: booked them, $870 total for 4"], "Carol"),
        (
            [
                "alice: @dan could you benchmark the new serializer?",
                "dan: sure",
                "dan: old: 41 ms p50 / 97 ms p99, new: 18 ms p50 / 44 ms p99",
            ],
            "Dan",
        ),
        (
            ["alice: @erin can you get quotes from two caterers?", "erin: on it", "erin: quotes: la cucina €38/pp, green fork €42/pp"],
            "Erin",
        ),
        (
            [
                "alice: @bob can you migrate carol's account to the team plan?",
                "bob: sure",
                "bob: migrated, she should see 2TB after a restart",
            ],
            "Bob",
        ),
        (["alice: I'll call the venue about parking", "alice: venue says we get 20 spots"], "Alice"),
        (["bob: I'll seed the demo db tonight", "carol: 👍", "bob: seed data loaded, 2,400 recipes"], "Bob"),
        (
            [
                "alice: can someone book a library room for monday?",
                "carol: I can, I'll do it after my lab",
                "carol: room 3B is ours for mon 6-9pm",
            ],
            "Carol",
        ),
        (["alice: @bob can you make the thumbnail?", "bob: yep", "bob: thumbnail \u2197 https://imgur.com/abc"], "Bob"),
        (["bob: I'll pick up the soil from the depot friday", "bob: soil's here, 2 cubic yards, tarped by the gate"], "Bob"),
        (
            [
                "alice: the raised beds arrived!! they're stacked by the shed",
                "bob: I'll build them saturday",
                "bob: all 4 beds assembled 💪",
            ],
            "Bob",
        ),
        (["dan: I'll tune the db-7 alert threshold tomorrow", "dan: db-7 alert now fires at 85% for 10 min instead of 80%"], "Dan"),
    ],
    ids=[
        "pr-is-up",
        "booked-them",
        "numbers-posted",
        "quotes-posted",
        "migrated",
        "venue-says",
        "loaded",
        "is-ours",
        "shown",
        "is-here",
        "assembled",
        "now-fires",
    ],
)
def test_completion_reported_as_the_result_closes_the_task(lines, owner):
    (task,) = extract_tasks(chat(*lines))
    assert (task.owner_name, task.status) == (owner, "done")


@pytest.mark.parametrize(
    "lines",
    [
        ["alice: @dan could you benchmark the new serializer?", "dan: sure", "dan: I'll have the numbers in 20 min"],
        ["alice: @bob can you look at the flaky test?", "bob: looking now"],
        ["alice: I'll book the flights by friday", "alice: booking them tomorrow, prices drop on tuesdays"],
        ["bob: I'll seed the demo db tonight", "bob: seed data not loaded yet, the import died"],
        ["bob: I'll do the slides", "bob: slides are halfway done"],
    ],
    ids=["numbers-promised", "looking-now", "booking-later", "not-loaded", "halfway"],
)
def test_work_under_way_or_promised_stays_open(lines):
    tasks = extract_tasks(chat(*lines))
    assert tasks and all(task.status == "open" for task in tasks)


def test_a_recap_by_someone_else_does_not_close_unrelated_tasks():
    tasks = extract_tasks(
        chat(
            "bob: I'll add a regression test for threads to the rc2 checklist",
            "carol: I'll make the event and post it in #announcements",
            "alice: recap: migration bug fixed, thread crash found (rc2 friday), community call wednesday",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "open"), ("Carol", "open")]


# --- a lead's follow-up list -------------------------------------------------------------------------------


def test_an_incident_follow_up_list_assigns_each_line():
    message = (
        "alice: thanks all. follow-ups:\n"
        "- @bob write the postmortem, draft by thursday\n"
        "- @carol add an alert on pool saturation (80%)\n"
        "2. dan: update the runbook with the failover steps\n"
        "- me: book the review meeting"
    )
    tasks = extract_tasks(chat("dan: joining late, what did I miss", message, "carol: alert rules are in, tested at 81%"))
    got = {task.owner_name: task for task in tasks}
    assert set(got) == {"Bob", "Carol", "Dan", "Alice"}
    assert "postmortem" in got["Bob"].task.lower() and got["Bob"].due.date().isoformat() == "2026-05-07"  # thursday
    assert "alert" in got["Carol"].task.lower() and got["Carol"].status == "done"
    assert "runbook" in got["Dan"].task.lower() and got["Dan"].status == "open"
    assert "review meeting" in got["Alice"].task.lower()


def test_asking_for_a_role_is_not_a_task_but_a_member_named_mod_still_has_tasks():
    assert extract_tasks(chat("Moderator: @alice please give raider the support role, approved by the admins")) == []
    assert extract_tasks(chat("raider: @bob hand me the server owner role today")) == []
    (task,) = extract_tasks(chat("mod: I'll rotate the secret keys by Monday"))
    assert task.owner_name == "mod" and "rotate" in task.task.lower()


# --- hand-offs, cancellations and deadlines said in passing ------------------------------------------------


def test_an_offer_to_take_a_task_over_moves_it_once_the_owner_accepts():
    tasks = extract_tasks(
        chat(
            "alice: I'll do the pitch deck and the demo video",
            "bob: @alice want me to take the demo video? you've got a lot on your plate",
            "alice: yes please!! the video is yours",
            "bob: demo video uploaded https://youtu.be/abc",
        )
    )
    video = by_text(tasks, "video")
    assert (video.owner_name, video.status) == ("Bob", "done")
    assert [c.kind for c in video.changes][:1] == ["reassigned"]


def test_an_offer_the_owner_turns_down_changes_nothing():
    tasks = extract_tasks(
        chat("alice: I'll write the release notes", "bob: want me to take the release notes?", "alice: no thanks, almost done")
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Alice", "open")]


def test_a_plan_called_off_by_someone_else_is_cancelled():
    tasks = extract_tasks(
        chat(
            "bob: I can rent the car, I have the costco discount",
            "alice: actually carol's cousin has a car we can borrow, so no need for a rental",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "cancelled")]


def test_an_answer_and_a_cancellation_in_one_message_leave_it_cancelled():
    tasks = extract_tasks(
        chat(
            "bob: I can ask my friend at the brewery about sponsoring drinks",
            "bob: brewery said no 😕 they already sponsored something, so scratch the drinks idea",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "cancelled")]


def test_a_list_item_that_gives_a_deadline_assigns_the_work():
    tasks = extract_tasks(
        chat("alice: open items:\n- @carol the cert rotation for the api gateway is due friday", "carol: on my list for friday morning")
    )
    (task,) = tasks
    assert task.owner_name == "Carol" and "cert rotation" in task.task.lower()
    assert task.due is not None and task.due.weekday() == 4


def test_a_day_of_something_past_is_not_a_deadline():
    (task,) = extract_tasks(chat("alice: @kat figure out why the pool leak started after tuesday's deploy".replace("@kat", "@bob")))
    assert task.due is None and "tuesday" in task.task.lower()
    (task,) = extract_tasks(chat("alice: @bob please finish the slides before friday's demo"))
    assert task.due is not None and task.due.weekday() == 4


def test_a_leisure_word_describing_the_work_does_not_hide_it():
    (task,) = extract_tasks(chat("bob: I'll write the show notes once carol has timestamps"))
    assert "show notes" in task.task.lower()
    assert extract_tasks(chat("bob: I'm gonna watch the show tonight", "carol: gonna grab coffee")) == []


def test_a_new_deadline_after_a_nudge_moves_the_due_date():
    (task,) = extract_tasks(
        chat(
            "alice: @bob please double check the handoff times in pagerduty by saturday",
            "bob: 👍",
            "alice: pagerduty still shows the old handoff times btw",
            "bob: ugh, will fix it by tomorrow noon",
        )
    )
    assert task.due is not None and task.due.date() == (T0 + timedelta(days=1)).date()


# --- batch 4 failures (read after its first measurement) ---------------------------------------------------


def test_a_need_stated_before_someone_grab_some_is_a_task_claimed_by_whoever_did_it():
    (task,) = extract_tasks(
        chat("alice: we're out of toilet paper AND dish soap. someone pls grab some", "bob: grabbed tp + soap on the way home")
    )
    assert (task.owner_name, task.status) == ("Bob", "done") and "soap" in task.task


def test_someone_else_telling_of_a_members_task_done_by_name_closes_it():
    tasks = extract_tasks(
        chat(
            "alice: the smoke alarm chirps", "bob: i'll change the battery tonight", "carol: also bob changed the alarm battery last night"
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "done")]
    tasks = extract_tasks(chat("bob: i'll bring the drinks", "carol: bob's here with the drinks, starting!"))
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "done")]


def test_a_handed_back_task_goes_to_whoever_picks_it_up():
    tasks = extract_tasks(
        chat(
            "alice: @bob add an alert on AccessDenied rate from storage",
            "bob: heads up I won't get to the AccessDenied alert before I'm off, @carol could you pick it up?",
            "carol: yep, i'll take it",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Carol", "open")]


def test_a_commitment_naming_a_need_nobody_took_claims_it():
    tasks = extract_tasks(
        chat(
            "alice: 1) someone to pick up the turkey donation on friday (need a truck)", "bob: I have the truck, I'll do the friday pickup"
        )
    )
    assert [t.owner_name for t in tasks] == ["Bob"] and "turkey" in tasks[0].task


def test_part_still_to_do_keeps_the_task_open():
    tasks = extract_tasks(
        chat(
            "alice: release notes + store screenshots, that's me, i'll have them by wednesday",
            "alice: release notes are in the doc. screenshots still need the new checkout button so i'll redo those tomorrow",
        )
    )
    assert tasks and all(t.status == "open" for t in tasks)


def test_support_steps_for_the_asker_are_not_tasks_and_a_posted_file_answers_a_request():
    records = chat(
        "bob: thumbnails stopped generating after the upgrade",
        "alice: can you paste the logs from the microservices container?",
        "carol: could you check whether LUMEN_IMAGE_LIB is set in your .env?",
    )
    assert [t.task for t in extract_tasks(records)] == ["Paste the logs from the microservices container"]


def test_a_day_in_a_quoted_title_is_not_a_deadline():
    (task,) = extract_tasks(chat("alice: @bob can you put up a 'preorders close sunday' post on insta?"))
    assert task.due is None


def test_an_offer_of_choices_answered_with_x_pls_asks_whoever_offered():
    tasks = extract_tasks(
        chat(
            "alice: blocker 1: android crash on launch. @bob you had a lead?",
            "bob: I can either gate it or revert to the old splash. reverting is safer",
            "alice: revert pls, we can bring the new splash back in 5.4",
            "bob: 👍",
            "bob: splash revert merged",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "done")]


# --- batch 5 failures (read after its first measurement) ---------------------------------------------------


def test_a_work_split_gives_each_named_member_their_piece():
    records = chat(
        "bob: in",
        "carol: in",
        "dan: in",
        "alice: split: bob backend (fastapi + the expiry logic), carol the scanner, dan frontend + demo video. i'll do the devpost page",
    )
    tasks = extract_tasks(records)
    pieces = [(t.owner_name, t.task.lower()) for t in tasks]
    assert [owner for owner, _ in pieces] == ["Bob", "Carol", "Dan", "Dan", "Alice"]
    assert all(word in text for (_, text), word in zip(pieces, ["fastapi", "scanner", "frontend", "demo video", "devpost"], strict=True))
    assert extract_tasks(chat("bob: hi", "carol: hey", "alice: bob said hi, carol laughed")) == []


def test_completion_said_with_another_verb_or_shown_in_a_file_or_received_by_someone_else():
    done = [
        ["bob: i'll do the cake from that bakery on 5th", "bob: ordered the cake, half sheet tres leches, paid $68"],
        ["bob: la casita has the back room. i'll call them tomorrow to book it", "bob: booked!! back room, 7pm"],
        ["alice: @bob can you make a guest list?", "bob: si, by wednesday", "bob: 22 so far ['guest_list.xlsx']"],
        ["bob: i'll venmo alice for my share of the dinner", "alice: bob got your venmo ty"],
        ["bob: i'll send the invites", "bob: invites out on whatsapp, 14 yes already"],
    ]
    for lines in done:
        records = chat(*lines)
        if "guest_list.xlsx" in lines[-1]:
            last = records[-1]
            records[-1] = dataclasses.replace(last, content="22 so far", attachments=("guest_list.xlsx",))
        tasks = extract_tasks(records)
        assert [t.status for t in tasks] == ["done"], lines


def test_a_purchase_waiting_on_a_sale_and_conceding_a_point_are_not_tasks():
    assert extract_tasks(chat("alice: i'll buy the new dlc when it's on sale", "bob: ok fine, i'll give you that")) == []


def test_i_got_them_claims_a_need_and_thanks_by_name_closes_it():
    tasks = extract_tasks(
        chat(
            "alice: who's bringing cones/pinnies? my trunk is full",
            "bob: i got cones and pinnies",
            "carol: great first practice! bob thank u for the cones and pinnies",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "done")]


def test_a_complete_count_closes_the_owners_task():
    tasks = extract_tasks(
        chat(
            "alice: @bob can you get everyone's waivers signed on the league site?",
            "bob: ugh fine. i'll nag people",
            "bob: waivers: 9 of 13 signed",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "open")]
    tasks = extract_tasks(chat("alice: @bob can you get everyone's waivers signed?", "bob: ugh fine", "bob: 13/13, we're legal 🎉"))
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "done")]


def test_a_later_plain_statement_about_the_tasks_object_is_its_report_but_a_claim_or_a_problem_is_not():
    tasks = extract_tasks(
        chat("alice: @bob can you do the slideshow?", "bob: sure", "carol: lol", "bob: slideshow: 40 photos with music, in the drive")
    )
    assert [t.status for t in tasks] == ["done"]
    for report in ["bob: the slideshow is mine now", "bob: slideshow keeps crashing on export", "bob: slideshow maybe tomorrow"]:
        tasks = extract_tasks(chat("alice: @bob can you do the slideshow?", "bob: sure", "carol: lol", report))
        assert [t.status for t in tasks] == ["open"], report


# --- batch 6 failures (read after its first measurement) ---------------------------------------------------


def test_work_claimed_first_or_under_way_or_after_a_topic_is_a_commitment():
    records = chat(
        "bob: hi",
        "alice: favours are MINE 🍯 little honey jars. and I'm still booking the cottage in york for the hen weekend this week",
        "alice: For the transport I can ask my cousin, he has a minibus",
        "alice: Bob darling I can do the seating chart if you send me the final RSVP list",
    )
    texts = [t.task.lower() for t in extract_tasks(records)]
    assert len(texts) == 4 and "favours" in texts[0] and "cottage" in texts[1] and "cousin" in texts[2] and "seating chart" in texts[3]


def test_skip_it_and_not_happening_call_work_off():
    tasks = extract_tasks(
        chat(
            "alice: I'm still booking the cottage in york for the hen weekend",
            "bob: @alice actually skip the cottage babe, the hen weekend isn't happening this year",
        )
    )
    assert [t.status for t in tasks] == ["cancelled"]


def test_a_member_list_with_the_messages_deadline_assigns_each_and_dates_it():
    records = chat(
        "bob: hi",
        "carol: hi",
        "dan: hi",
        "alice: the report is due on the 14th, so I need figures from everyone by Monday the 11th. Bob: knockdown westerns. Carol: time-course imaging. Dan: the qPCR panel.",
    )
    tasks = extract_tasks(records)
    assert [t.owner_name for t in tasks] == ["Bob", "Carol", "Dan"]
    assert all(t.due is not None and t.due.day == 11 for t in tasks)


def test_the_owner_passing_a_task_on_by_asking_someone_moves_it_once_they_accept():
    records = chat(
        "alice: @bob also please recalibrate the plate reader before anyone runs ELISAs this week",
        "bob: I'm really slammed with the westerns today, could @carol do it? she did it last time",
        "carol: yeah i can do it wednesday morning",
        "carol: plate reader recalibrated, QC within 1.5% now",
    )
    last = records[1]
    records[1] = dataclasses.replace(last, reply_to_id=records[0].id)
    assert [(t.owner_name, t.status) for t in extract_tasks(records)] == [("Carol", "done")]


def test_a_refused_request_taken_back_by_whoever_asked_and_a_numbered_pr_merged_is_not_their_task():
    tasks = extract_tasks(
        chat(
            "alice: I'll put up the PR that drops python 3.8 support",
            "alice: @bob could you also post the rc1 announcement on the forum?",
            "bob: honestly i'd rather not split focus, let me finish the guide first",
            "alice: fair, I'll write it myself",
            "github: Pull request opened: #327 Normalize UNC prefixes on Windows (yusuf)",
            "alice: #327 merged. tagging rc1",
            "alice: forum post is up: https://discuss.example.dev/t/880",
            "alice: re python 3.8: let's keep it for 2.0 after all. the removal PR can wait for 2.1",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Alice", "cancelled"), ("Alice", "done")]


def test_since_a_version_is_part_of_the_task():
    (task,) = extract_tasks(chat("alice: @bob could you go through the merged PRs since 1.9 and draft the changelog?"))
    assert "changelog" in task.task.lower()


def test_a_sign_off_sharing_a_common_word_with_a_task_is_not_its_report():
    tasks = extract_tasks(chat("alice: I'll label the issue `good first issue` and assign you", "bob: thanks!", "alice: 👍 good night all"))
    assert [t.status for t in tasks] == ["open"]


# --- batch 7 failures (read after its first measurement) ---------------------------------------------------


def test_owning_topics_hails_and_sends_with_the_file():
    tasks = extract_tasks(
        chat(
            "bob: hi",
            "alice: Below are the open items from Friday's meeting; please confirm ownership in this thread.",
            "bob: I'll keep owning auction intake. We're at 34 items.",
            "alice: Catering headcount: I'll finalize it myself by the 25th, RSVPs close on the 24th.",
            "alice: @bob merch!! new shirts need to be ordered by end of the month",
        )
    )
    texts = [(t.owner_name, t.task.lower()) for t in tasks]
    assert [owner for owner, _ in texts] == ["Bob", "Alice", "Bob"]
    assert "auction intake" in texts[0][1] and "catering headcount" in texts[1][1] and "order new shirts" in texts[2][1]
    records = chat("bob: design is like 90% there, I'll send it wed", "bob: shirt design final final FINAL")
    last = records[-1]
    records[-1] = dataclasses.replace(last, attachments=("tourshirt_v7_FINAL.png",))
    assert [t.status for t in extract_tasks(records)] == ["done"]


def test_you_must_i_take_it_and_coming_over_to_do_the_work():
    tasks = extract_tasks(chat("bob: hi", "alice: @bob you must ask your friends if they can help carry", "bob: ya ya I'll ask them"))
    assert [t.owner_name for t in tasks] == ["Bob"] and "friends" in tasks[0].task
    records = chat(
        "alice: also someone has to bring the old sofa to the recycling centre",
        "bob: I take it with the trailer on saturday",
        "bob: Sofa is gone. The man said big ones cost 15 euro now",
    )
    last = records[1]
    records[1] = dataclasses.replace(last, reply_to_id=records[0].id)
    assert [(t.owner_name, t.status) for t in extract_tasks(records)] == [("Bob", "done")]
    (task,) = extract_tasks(chat("alice: btw I can come friday evening already and pack the kitchen with mama"))
    assert task.task.lower().startswith("pack the kitchen") and task.due is not None and task.due.weekday() == 4


def test_saying_when_ones_own_work_will_be_ready_sets_its_deadline_and_is_not_new_work():
    tasks = extract_tasks(
        chat(
            "alice: split: bob frontend, carol the slides",
            "dan: lol",
            "bob: styling pass today, I'll have it demo-ready by 6pm",
            "carol: I'll have a first draft of the slides by friday",
            "dan: I'll have the report done by monday",
        )
    )
    frontend, slides = by_text(tasks, "frontend"), by_text(tasks, "slides")
    assert (frontend.due.hour, frontend.due.date()) == (18, T0.date())
    assert slides.due.date() == datetime(2026, 5, 8).date()
    # Someone with no task yet promising a result is new work; so is an answer to a question about other work.
    assert by_text(tasks, "report").owner_name == "Dan"
    assert len(tasks) == 3
    answered = extract_tasks(
        chat(
            "alice: I'll take the docs PRs",
            "bob: @alice you're writing the migration guide right?",
            "alice: yep, will have it ready by friday",
        )
    )
    assert by_text(answered, "docs").due is None
    assert by_text(answered, "migration").due.date() == datetime(2026, 5, 8).date()


@pytest.mark.parametrize(
    "line",
    [
        "bob: AR is a no go, scrapping it",
        "bob: dropping the AR thing",
        "alice: @bob hold off on the AR mode",
        "bob: not doing the AR mode anymore",
        "alice: the AR mode is off the table",
        "bob: AR mode is shelved",
        "alice: @bob AR mode isn't needed anymore",
        "bob: parking the AR mode for now",
    ],
)
def test_work_called_off_in_other_words_is_cancelled_not_done(line: str):
    tasks = extract_tasks(chat("bob: I'll build the AR mode tonight", "carol: cool", line))
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "cancelled")]


def test_calling_off_a_proposal_or_someone_elses_task_leaves_the_speakers_own_open():
    tasks = extract_tasks(
        chat(
            "alice: release notes are mine, i'll have them by wed",
            "bob: @alice i can write the config migration for the banner",
            "carol: @alice should we bump min ios to 16?",
        )
        + [
            dataclasses.replace(m, id=1004, created_at=T0 + timedelta(minutes=4), reply_to_id=1003)
            for m in chat("alice: not this late, park it for 5.4")
        ]
        + [
            dataclasses.replace(m, id=1005, created_at=T0 + timedelta(minutes=5))
            for m in chat("alice: banner is scrapped. @bob no need for the config migration")
        ]
    )
    assert by_text(tasks, "release notes").status == "open"
    assert by_text(tasks, "migration").status == "cancelled"


def _reply(records: list[MessageRecord], index: int, to: int) -> list[MessageRecord]:
    """`records` with message `index` (0-based) a reply to message `to`."""
    records[index] = dataclasses.replace(records[index], reply_to_id=records[to].id)
    return records


def test_deadlines_said_apart_from_the_task_are_its_deadline():
    # In the answer to a request, after a laugh.
    called = extract_tasks(chat("alice: @bob can you call the bus company again?", "bob: haha yes will call tmrw morning"))
    assert by_text(called, "bus").due.date() == (T0 + timedelta(days=1)).date()
    # In the request answered, in a sentence of its own.
    fest = extract_tasks(
        _reply(chat("alice: @bob fest is yours, photos + 400 words. by 6pm tmrw so we can lay it out", "bob: can do"), 1, 0)
    )
    assert [(t.owner_name, t.due.hour, t.due.date()) for t in fest] == [("Bob", 18, (T0 + timedelta(days=1)).date())]
    # In the sentence the promise answers, when it names the same work.
    skip = extract_tasks(_reply(chat("carol: you need a skip bin. book it by wednesday, they fill up", "alice: i'll book the skip"), 1, 0))
    assert by_text(skip, "skip").due.date() == datetime(2026, 5, 6).date()
    # Later, by the owner, about the work: "show notes will be done by friday".
    notes = extract_tasks(
        chat("alice: i'll do the show notes", "bob: listening", "alice: show notes will be done by friday, we publish monday")
    )
    assert [t.due.date() for t in notes] == [datetime(2026, 5, 8).date()]
    # ... but not a date in the next clause.
    westerns = extract_tasks(
        chat("carol: @alice please do the knockdown westerns", "alice: westerns will be ready, last replicate is running today")
    )
    assert by_text(westerns, "westerns").due is None
    assert extract_tasks(chat("carol: @alice can I take your slot?", "alice: please do!")) == []


def test_one_deadline_for_everything_is_every_later_tasks_deadline_unless_they_say_their_own():
    tasks = extract_tasks(
        chat(
            "carol: print is thursday, copy deadline is wednesday 6pm for everything",
            "alice: i can take the hostel story",
            "bob: i'll fix the masthead tonight",
        )
    )
    assert (by_text(tasks, "hostel").due.hour, by_text(tasks, "hostel").due.date()) == (18, datetime(2026, 5, 6).date())
    assert by_text(tasks, "masthead").due.date() == T0.date()


def test_asks_nobody_owned_go_to_whoever_takes_them_on_or_is_asked_by_name():
    # A promise in reply to the ask, two days later and in other words, takes it on.
    masthead = extract_tasks(
        _reply(
            chat(
                "alice: the masthead lists 3 grads. can someone update it before print?", "bob: lol", "carol: i'll fix the masthead tonight"
            ),
            2,
            0,
        )
    )
    assert [(t.owner_name, t.source_message_ids) for t in masthead] == [("Carol", (1001, 1003))]
    # A request by name right after "who's booking the bus?" is that need, not a second task.
    bus = extract_tasks(
        chat(
            "dan: who's booking the bus? last year's had no AC",
            "alice: @carol you did the bus last year right, can you call first student again?",
            "carol: haha yes will call tmrw",
            "carol: called first student, bus is booked for 4/2",
        )
    )
    assert [(t.owner_name, t.status) for t in bus] == [("Carol", "done")]


def test_a_promise_with_a_short_question_about_how_is_still_a_promise():
    tasks = extract_tasks(chat("alice: i can do the signup sheet for bakers, google form ok?", "bob: perfect"))
    assert [(t.owner_name, t.task) for t in tasks] == [("Alice", "Do the signup sheet for bakers")]
    assert extract_tasks(chat("alice: i can do the signup sheet, or should we just use paper and keep it simple this year?")) == []


def test_a_pronoun_report_after_a_named_one_and_trying_ones_luck():
    # "did it last night" is the masthead just named, not the crossword that only shares the verb "do".
    tasks = extract_tasks(
        chat("alice: i'll do the crossword again", "bob: @alice can someone fix the masthead?", "alice: i'll fix the masthead tonight")
        + [
            dataclasses.replace(m, id=1004, created_at=T0 + timedelta(minutes=4))
            for m in chat("alice: masthead's fixed btw, did it last night")
        ]
    )
    assert by_text(tasks, "crossword").status == "open"
    assert by_text(tasks, "masthead").status == "done"
    # Trying one's luck in a drop is not work; trying again to book the room is.
    assert extract_tasks(chat("alice: i'll try on snkrs but i never win anything", "bob: i'll try for tickets the second they drop")) == []
    assert [t.owner_name for t in extract_tasks(chat("dan: i'll try again tomorrow to book the room"))] == ["Dan"]


def test_an_answer_to_what_was_just_said_to_you_does_not_claim_an_older_open_ask():
    records = chat(
        "alice: can someone also check the nether portal hub?",
        "bob: i'll fly over after breakfast",
        "carol: @dan ping me when the form draft is ready",
        "dan: will do 👍",
    )
    tasks = extract_tasks(_reply(records, 1, 0))
    assert [(t.owner_name, t.source_message_ids) for t in tasks] == [("Bob", (1001, 1002))]


def test_a_bulleted_assignment_without_a_verb_is_the_work_and_deadlines_move_when_said():
    tasks = extract_tasks(
        chat(
            "alice: ok follow-up list:\n- @bob targeted rollback of the market district, today pls\n- @carol write the whitelist form, draft by tuesday",
            "carol: tuesday is tight, i've got shifts. thursday ok?",
            "alice: thursday's fine",
            "bob: rollback ran, market is back",
        )
    )
    rollback, form = by_text(tasks, "rollback"), by_text(tasks, "whitelist")
    assert (rollback.owner_name, rollback.status, rollback.due.date()) == ("Bob", "done", T0.date())
    assert form.due.date() == datetime(2026, 5, 7).date()
    moved = extract_tasks(
        chat(
            "carol: i'll redo the deck design, by friday",
            "alice: change of plans: the deck deadline moves up to thursday. @carol sorry!! doable?",
            "carol: ugh ok",
        )
    )
    assert [t.due.date() for t in moved] == [datetime(2026, 5, 7).date()]


@pytest.mark.parametrize(
    "report",
    ["bob: portal hub is fine, just some cobble spam, cleaned it up", "bob: took care of it", "bob: handled", "bob: wrapped that up"],
)
def test_work_reported_finished_in_other_words_is_done(report: str):
    records = _reply(chat("alice: can someone check the portal hub?", "bob: i'll fly over after breakfast", "carol: lol", report), 1, 0)
    assert [(t.owner_name, t.status) for t in extract_tasks(records)] == [("Bob", "done")]


def test_an_unowned_ask_done_by_someone_is_theirs_and_a_reply_pronoun_is_the_replied_message():
    soap = extract_tasks(
        _reply(
            chat("alice: we're out of toilet paper AND dish soap. someone pls grab some", "bob: grabbed tp + soap on the way home"), 1, 0
        )
    )
    assert [(t.owner_name, t.status) for t in soap] == [("Bob", "done")]
    urn = extract_tasks(
        _reply(
            chat(
                "alice: @carol could you run the wed session solo for the first hour?",
                "carol: sorry can't, i won't be there before 8",
                "dan: the repair café on sat, is someone bringing the coffee urn?",
                "bob: i've got it in my shed, i'll drop it off friday",
            ),
            3,
            2,
        )
    )
    assert [(t.owner_name, t.task) for t in urn] == [("Bob", "Bring the coffee urn")]


def test_a_name_then_the_ask_without_a_comma_is_spoken_to_that_person():
    review = extract_tasks(
        _reply(
            chat("bob: PR #3312 is up, needs a review", "alice: carol can you review 3312? you touched it last", "carol: approved 3312"),
            1,
            0,
        )
    )
    assert [(t.owner_name, t.status) for t in review] == [("Carol", "done")]
    faq = extract_tasks(chat("alice: perfect, post it. and bob you're on updating the pinned faq to match", "bob: ok, monday latest"))
    assert [(t.owner_name, t.task) for t in faq] == [("Bob", "Update the pinned faq to match")]
    # "Marcus can send you their logo" says what someone can do; it asks nothing of them.
    assert extract_tasks(chat("alice: @bob could you draft the thank-you post?", "carol: lol", "alice: dan can send you their logo")) != []
    assert [t.owner_name for t in extract_tasks(chat("alice: dan can send you their logo"))] == []


def test_work_given_up_and_then_dropped_is_cancelled_and_still_the_givers():
    records = chat(
        "bob: i'll run the among us lobby",
        "carol: and i'll host jackbox",
        "bob: hey so i cant make the 31st after all. can someone cover the among us lobby?",
        "alice: tbh lets just drop among us, jackbox only",
        "alice: @dan you can drop the label stuff btw, red herring",
    )
    tasks = extract_tasks(_reply(records, 3, 2))
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "cancelled"), ("Carol", "open")]
    closed = extract_tasks(
        chat("alice: @bob can you fix the csv export?", "bob: sure", "alice: not worth it for one customer, closing it as wontfix")
    )
    assert [t.status for t in closed] == ["cancelled"]


def test_in_a_market_channel_buying_and_watching_are_the_members_own_business():
    market = [
        "alice: spy down 2% premarket, fed call tmrw",
        "bob: my 401k is crying",
        "carol: rates staying high imo, bonds look juicy",
        "dan: i'll watch the fed call tmrw from the office bathroom like a professional",
        "alice: gonna buy more vti on friday, boring but it works",
        "bob: qqq calls printing",
        "carol: i'll set a reminder so we can say it again next year",
        "dan: nasdaq futures green",
    ]
    assert extract_tasks(chat(*market)) == []
    # Outside one, buying for the group is work.
    assert [t.owner_name for t in extract_tasks(chat("alice: i'll buy more cups for the party on friday"))] == ["Alice"]


def test_the_deadline_of_what_it_refers_to_is_the_tasks():
    tasks = extract_tasks(chat("alice: reg is £60/team, due by the 30th. @bob can you pay it from the soc account?"))
    assert [(t.owner_name, t.due.day) for t in tasks] == [("Bob", 30)]
    friday = extract_tasks(chat("alice: i'll grab the cake on the friday after work", "bob: gonna grab an açaí brb"))
    assert [(t.task, t.due.date()) for t in friday] == [("Grab the cake after work", datetime(2026, 5, 8).date())]


def test_never_mind_in_reply_to_someone_cancels_the_speakers_own_task_and_pickups_move_to_a_date():
    records = chat(
        "alice: i'll place the order friday once the sheet is closed",
        "bob: i'll make a poll",
        "alice: already put one up in #general, vote there",
        "bob: oh nvm then 😅",
    )
    tasks = extract_tasks(_reply(records, 3, 2))
    assert [(t.owner_name, t.status) for t in tasks] == [("Alice", "open"), ("Bob", "cancelled")]
    kettle = extract_tasks(
        _reply(
            chat(
                "alice: someone has to bring the big kettle, its at mine",
                "bob: i'll pick it up from yours friday",
                "bob: kettle pickup moves to the 15th then",
            ),
            1,
            0,
        )
    )
    assert [(t.owner_name, t.due.day) for t in kettle] == [("Bob", 15)]


def test_a_report_answering_what_was_just_said_and_a_deadline_given_back_by_pronoun():
    tasks = extract_tasks(
        chat(
            "carol: i'll make a form for matching hoodies!! orders close sunday",
            "alice: still missing passport names from carol 👀",
            "carol: sent in dm!",
            "alice: @bob can you recruit 2 judges from the alumni group? tab wants them confirmed by the 6th",
        )
    )
    assert by_text(tasks, "hoodies").status == "open"
    assert by_text(tasks, "judges").due.day == 6
    tom = extract_tasks(
        _reply(
            chat(
                "alice: someone needs to find accommodation too, hostel or airbnb",
                "bob: had a look at airbnbs, theres one in leith. anyone object?",
                "alice: looks grand. bob you're on accommodation then, book it before friday pls",
            ),
            2,
            1,
        )
    )
    assert [(t.owner_name, t.due.date()) for t in tom] == [("Bob", datetime(2026, 5, 8).date())]


def test_away_and_naming_someone_else_hands_a_request_on_and_one_is_not_a_shared_word():
    tasks = extract_tasks(
        _reply(
            _reply(
                chat(
                    "alice: bob can you take 48227 too once the pdf fix is out?",
                    "bob: hmm im out thurs/fri. carol?",
                    "carol: sure i'll take the csv one, probably tmrw",
                    "carol: @dan can you review 3312?",
                    "dan: approved 3312, left one nit about the timeout",
                ),
                1,
                0,
            ),
            2,
            1,
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Carol", "open"), ("Dan", "done")]


def test_watching_a_film_and_cooking_a_beat_are_pastimes_watching_a_deploy_is_work():
    assert extract_tasks(chat("carol: ok i'll watch it this weekend then", "bob: gonna make pasta and cry about the bear now")) == []
    assert extract_tasks(chat("bob: gonna cook something tonight, feeling a jersey club thing")) == []
    tasks = extract_tasks(chat("dan: i'll watch the deploy and ping you", "alice: @bob can you watch the match replay and note the fouls?"))
    assert [t.owner_name for t in tasks] == ["Dan", "Bob"]


def test_whose_turn_can_confirm_and_getting_someone_in():
    bins = extract_tasks(
        _reply(
            chat(
                "alice: whose week is bins?? the green one is overflowing", "bob: mine sorry, putting them out tonight", "bob: bins out 👍"
            ),
            1,
            0,
        )
    )
    assert [(t.owner_name, t.task, t.status) for t in bins] == [("Bob", "Do the bins", "done")]
    assert extract_tasks(chat("alice: the shower is leaking into the kitchen", "bob: can confirm, it dripped on my toast")) == []
    paint = extract_tasks(chat("dan: i'll get someone to paint over the patch in the kitchen once it's dry"))
    assert [(t.owner_name, t.task) for t in paint] == [("Dan", "Paint over the patch in the kitchen")]


def test_a_bare_promise_to_one_of_several_needs_is_not_the_need_it_does_not_name():
    records = _reply(
        chat("alice: need drivers, snacks both days, and someone to wash the away kit", "bob: i can drive! 3 spare seats"), 1, 0
    )
    # Driving is bob's own piece (drivers were asked for), not the kit.
    assert [(t.owner_name, t.task) for t in extract_tasks(records)] == [(None, "Wash the away kit"), ("Bob", "Drive")]
    review = _reply(chat("alice: can someone review my PR?", "bob: i can! give me 10"), 1, 0)
    assert [t.owner_name for t in extract_tasks(review)] == ["Bob"]


def test_an_owner_asking_someone_to_do_their_task_hands_it_on():
    tasks = extract_tasks(
        chat(
            "alice: @dan can you do the supplies order today? stores cut-off is 2pm",
            "dan: yep will do",
            "dan: ugh got pulled to help in resus. @bob can u send the supplies order?",
            "bob: np will send before 2",
            "bob: supplies order sent ✅",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "done")]
    # Sharing "the data room" does not make a different job the same one.
    other = extract_tasks(
        chat(
            "carol: i'll pull the churn numbers from stripe for the data room",
            "carol: @bob can you also record a demo video for the data room?",
        )
    )
    assert [t.owner_name for t in other] == ["Carol", "Bob"]
    # "nvm the falls sheets" -> "less paper, i'll take it": taking the news, not work.
    sheets = extract_tasks(
        chat(
            "alice: @dan could u print the falls sheets",
            "dan: sure",
            "alice: @dan nvm the falls sheets, they're electronic now",
            "dan: less paper, i'll take it",
        )
    )
    assert [(t.owner_name, t.status) for t in sheets] == [("Dan", "cancelled")]


def test_an_owner_who_cannot_do_it_gives_it_up_to_whoever_takes_it():
    tasks = extract_tasks(
        chat(
            "alice: @bob can you check the labels and fix them in asc before we resubmit",
            "bob: 👍",
            "bob: labels: we're missing 'crash data'. but i can't edit them, my asc role is only developer 😕",
            "alice: ah right. i'll update them myself then, send me the list",
            "alice: privacy labels updated in asc ✅",
        )
    )
    assert [(t.owner_name, t.status) for t in tasks] == [("Alice", "done")]


def test_results_in_short_forms_and_more_ways_of_calling_work_off():
    schedule = extract_tasks(
        chat("alice: i'll do the volunteer schedule", "bob: ty", "alice: schedule's up on signupgenius, 12 of 18 slots filled")
    )
    assert [t.status for t in schedule] == ["done"]
    radio = extract_tasks(
        chat(
            "alice: i'll complete the radio inventory by the 30th", "alice: we will not be doing the radio inventory this quarter after all"
        )
    )
    assert [t.status for t in radio] == ["cancelled"]
    carousel = extract_tasks(
        chat(
            "alice: @bob can you start building the testimonial carousel?",
            "bob: on it",
            "alice: they want to drop the section, so @bob you can bin the carousel",
        )
    )
    assert [t.status for t in carousel] == ["cancelled"]


def test_talking_about_a_deadline_is_not_reporting_the_work_done():
    tasks = extract_tasks(chat("alice: @bob can you do the mockups by friday?", "bob: mockups by friday morning is tight but ok 😬"))
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "open")]


def test_work_answering_a_message_that_names_its_day_is_due_that_day():
    records = chat("alice: ref sorted, phil wants $40 cash, he'll be there 2:30 sunday", "bob: i'll bring the cash for phil")
    records[1] = dataclasses.replace(records[1], reply_to_id=records[0].id)
    tasks = extract_tasks(records)
    assert [(t.owner_name, t.due.date() if t.due else None) for t in tasks] == [("Bob", datetime(2026, 5, 10).date())]
    # Without the reply, or about something else, the day stays the sentence's own.
    unrelated = chat("alice: ref sorted, phil wants $40 cash, he'll be there 2:30 sunday", "bob: i'll update the roster")
    unrelated[1] = dataclasses.replace(unrelated[1], reply_to_id=unrelated[0].id)
    assert [t.due for t in extract_tasks(unrelated)] == [None]


def test_minutes_list_of_who_does_what_assigns_each_person():
    tasks = extract_tasks(
        chat(
            "bob: hi all",
            "carol: evening",
            "dan: 👋",
            "alice: Main actions: 1) Bob to report the potholes on Elm Road to the council 2) Carol to book the church hall "
            "for the AGM on 8 March 3) Dan to put together the February newsletter",
        )
    )
    assert [(t.owner_name, t.task, t.due) for t in tasks] == [
        ("Bob", "Report the potholes on Elm Road to the council", None),
        # The hall is booked for the AGM on 8 March: that is the event's day, not the booking's deadline.
        ("Carol", "Book the church hall for the AGM on 8 March", None),
        ("Dan", "Put together the February newsletter", None),
    ]
    # "X to Y" is not an assignment without a list or a label.
    assert extract_tasks(chat("bob: hi", "alice: bob to the rescue lol")) == []


def test_dropping_ones_own_task_in_other_words():
    rope = extract_tasks(
        chat(
            "alice: who's bringing ropes? I have a 60m but it's getting fuzzy",
            "bob: I'll bring my 70m",
            "bob: bad news, my rope got core shot at the gym yesterday 😭 so no 70m from me, it's going in the bin",
        )
    )
    assert [(t.owner_name, t.status) for t in rope] == [("Bob", "cancelled")]
    # "no updates from me" names no task of the speaker's.
    notes = extract_tasks(chat("bob: I'll do the standup notes", "bob: no updates from me today"))
    assert [t.status for t in notes] == ["open"]


def test_a_task_given_up_that_nobody_takes_stays_the_givers_and_is_dropped():
    bulb = extract_tasks(
        chat(
            "bob: I can write a short piece on the bulb planting",
            "alice: yes please!",
            "bob: sorry alice, work's gone mad this week, I won't manage the bulb piece. maybe next issue",
            "alice: no problem at all",
        )
    )
    assert [(t.owner_name, t.status) for t in bulb] == [("Bob", "cancelled")]
    # Asking for a taker leaves it open and unowned, waiting for one.
    login = extract_tasks(
        chat("bob: I'll fix the login bug by friday", "bob: I won't get to the login bug before I'm off, can someone pick it up?")
    )
    assert [(t.owner_name, t.status) for t in login] == [(None, "open")]


def test_an_acceptance_that_names_the_work_and_then_promises_more_is_two_tasks():
    tasks = extract_tasks(
        chat(
            "alice: for this Thursday's session we will discuss Pearl. @bob would you be willing to present?",
            "bob: Yes, happy to present. I'll circulate slides the day before.",
        )
    )
    assert [(t.owner_name, t.task.split(" (re:")[0]) for t in tasks] == [("Bob", "Present"), ("Bob", "Circulate slides the day before")]


def test_a_name_alone_before_the_comma_addresses_the_ask_after_it():
    records = chat(
        "carol: Update on signage: they need print-ready files by March 20.",
        "alice: Fantastic news! Bob, would you be able to prepare the files, or should we ask a volunteer?",
        "bob: hmm",
    )
    records[1] = dataclasses.replace(records[1], reply_to_id=records[0].id)
    assert [(t.owner_name, t.task) for t in extract_tasks(records)] == [("Bob", "Prepare the files")]


def test_support_fixes_rooms_and_absences():
    fixed = extract_tasks(
        chat(
            "bob: @carol is BF25 excluded from gift sets on purpose?",
            "carol: no that's a mistake on my end, I'll fix the discount rules in shopify in a minute",
            "carol: should work now Greg, try again",
        )
    )
    assert [(t.owner_name, t.status) for t in fixed] == [("Carol", "done")]
    room = chat(
        "carol: Could someone book a room? our usual one (B3.12) is taken on Thursday for the open day",
        "dan: I will try to book B2.04, I have access to the room system",
        "dan: B2.04 is ours 14:00–15:30 🙂",
    )
    room[2] = dataclasses.replace(room[2], reply_to_id=room[0].id)
    assert [(t.owner_name, t.status) for t in extract_tasks(room)] == [("Dan", "done")]
    # The days the speaker is away are not the deadline; the day named for the work is.
    away = extract_tasks(
        chat(
            "carol: @bob can you add HS codes to the product sheet before the next intl order ships?",
            "bob: ok but I'm off wed-thu for thanksgiving, will do it friday",
        )
    )
    assert [(t.owner_name, t.due.date()) for t in away] == [("Bob", datetime(2026, 5, 8).date())]
    # Work under way, announced: "I'm writing the holiday shipping FAQ".
    faq = extract_tasks(chat("bob: heads up I'm writing a holiday shipping deadlines FAQ for the site, should be up by friday"))
    assert [(t.owner_name, t.task, t.due.date()) for t in faq] == [
        ("Bob", "Write a holiday shipping deadlines FAQ for the site", datetime(2026, 5, 8).date())
    ]


def test_an_event_called_off_cancels_what_was_for_it_and_a_rota_assigns_days():
    tasks = extract_tasks(
        chat(
            "alice: plan is a barrow party sat 10am. bring gloves",
            "bob: i'm in. i'll bring my barrow and the big fork",
            "carol: @dan could you pick up a new padlock? combination one so we don't need keys",
            "dan: yep",
            "alice: ok calling it: barrow party tomorrow is OFF. storm.",
            "bob: sensible. my barrow thanks you",
        )
    )
    # The padlock's own message saying "we don't need keys" calls nothing off; "my barrow thanks you" reports nothing.
    assert [(t.owner_name, t.status) for t in tasks] == [("Bob", "cancelled"), ("Dan", "open")]
    assert [t.status for t in extract_tasks(chat("bob: i'll do the slides", "bob: the alarm is off now"))] == ["open"]
    rota = extract_tasks(
        chat(
            "alice: hi", "bob: hi", "carol: hi", "dan: watering rota for the next week then: alice sun, bob tue, carol thu? polytunnel only"
        )
    )
    assert [(t.owner_name, t.due.date() if t.due else None) for t in rota] == [
        ("Alice", None),
        ("Bob", datetime(2026, 5, 5).date()),
        ("Carol", datetime(2026, 5, 7).date()),
    ]
    assert all("watering" in t.task.lower() for t in rota)


def test_incident_follow_ups_agreement_acceptance_and_a_later_day():
    records = chat(
        "alice: follow-ups:\n1. @bob move the s3 creds for the db hosts into vault so rotation can't break them\n"
        "2. @carol write a runbook for 'WAL disk full'\n3. i'll raise the disk alert thresholds with the platform team",
        "bob: vault thing is fine but we're mid-migration, realistically end of month?",
        "alice: end of month works",
        "carol: runbook: yep. should i also add a section on replica re-sync?",
        "dan: what about auto-expanding the WAL volume?",
        "bob: it'd hide the problem though. let's not",
        "alice: agree, parking that",
    )
    records[1] = dataclasses.replace(records[1], reply_to_id=records[0].id)
    records[2] = dataclasses.replace(records[2], reply_to_id=records[1].id)
    tasks = extract_tasks(records)
    assert [(t.owner_name, t.task, t.status) for t in tasks] == [
        # "so rotation can't break them" is the reason, not an "it" to explain.
        ("Bob", "Move the s3 creds for the db hosts into vault", "open"),
        ("Carol", "Write a runbook for 'WAL disk full'", "open"),  # "runbook: yep" takes it on
        ("Alice", "Raise the disk alert thresholds with the platform team", "open"),  # "parking that" is the WAL idea
    ]
    assert tasks[0].due is not None and tasks[0].due.date() == datetime(2026, 5, 31).date()


def test_translation_channel_promises_requests_and_who_asks():
    tasks = extract_tasks(
        chat(
            "alice: de is mine as usual",
            "bob: i'll do fr but can someone review after? last time nobody did",
            "carol: ja at 48%, that's probably it from me before fri, sorry",
            "alice: can someone else who knows japanese pick up the rest of ja? otherwise those strings fall back to english",
            "dan: fr review done by lucie, she fixed 4 things. we're good",
            "erin: ok so who's bringing snacks to the RC party 🎉",
        )
    )
    owners = {t.task: t.owner_name for t in tasks}
    assert owners["Do fr"] == "Bob"
    # Nobody took the rest of ja: neither a report about fr nor a question about snacks.
    assert owners["Pick up the rest of ja"] is None
    assert next(t for t in tasks if t.task == "Pick up the rest of ja").status == "open"


def test_whoever_asked_takes_a_refused_request_back_in_other_words():
    tasks = extract_tasks(
        chat(
            "alice: hi all",
            "bob: hey",
            "alice: bob could you book the dinner too? you're the one who knows galway",
            "bob: honestly i can't take on dinner as well, i'm drowning w the airbnb + money stuff. can someone else grab it?",
            "alice: ugh ok fine i'll do dinner. any preferences? no seafood for sinead",
        )
    )
    assert [(t.owner_name, t.task) for t in tasks] == [("Alice", "Book the dinner")]
    assert extract_tasks(chat("alice: i'll do dinner tonight")) == []  # cooking one's own dinner is not the group's work


def test_a_list_of_assignments_under_a_deadline_heading_and_chores_verbs():
    tasks = extract_tasks(
        chat(
            "bob: hi",
            "carol: hi",
            "alice: homework before wed:\n@bob watch our ascent VOD from sunday and note every round we lose mid control\n"
            "@carol go over the post-plant setups doc, learn the B ones",
        )
    )
    wednesday = datetime(2026, 5, 6).date()
    assert [(t.owner_name, t.due.date() if t.due else None) for t in tasks] == [("Bob", wednesday), ("Carol", wednesday)]
    assert tasks[0].task.startswith("Watch our ascent VOD from sunday")  # "from sunday" is where the VOD is from
    video = extract_tasks(
        chat(
            "alice: can someone compress the hero video, it's 48mb",
            "bob: the hero video, i can squash it w handbrake if nobody's on it",
            "alice: pls 🙏",
        )
    )
    assert [(t.owner_name, t.task) for t in video] == [("Bob", "Compress the hero video")]


def test_carpool_seats_ticks_claims_and_handing_on_named_work():
    tasks = extract_tasks(
        chat(
            "alice: need drivers, snacks both days, and someone to wash the away kit",
            "bob: same, i can take 2 + the goal bag and cones",
            "carol: can someone take sunday snacks pls 🙏",
            "dan: i got sunday snacks. no nuts obvs",
            "alice: #7 is ava, pretty sure she took them home. @bob can u remind her mom? ur neighbors",
            "bob: will do",
            "bob: ava's mom found the shorts, they're in her bag ✅",
        )
    )
    assert [(t.owner_name, t.task.split(" (re:")[0], t.status) for t in tasks] == [
        (None, "Wash the away kit", "open"),
        ("Bob", "Take 2 + the goal bag and cones", "open"),  # two passengers are not a thing to take
        ("Dan", "Take snacks", "open"),  # "i got sunday snacks" takes them on
        ("Bob", "Remind her mom", "done"),  # the tick confirms the shorts, not the goal bag
    ]
    notes = extract_tasks(
        chat(
            "alice: can someone own the staging seed refresh before the demo on thursday?",
            "bob: ok I take the seed refresh. wednesday latest",
            "alice: also I said I'd write the release notes draft for the demo but I'm stuck in hiring loops. @carol can you take that over?",
            "carol: sure, wednesday evening probably",
        )
    )
    assert [(t.owner_name, t.status) for t in notes] == [("Bob", "open"), ("Carol", "open")]


def test_zine_status_check_promises_worries_and_help():
    tasks = extract_tasks(
        chat(
            "alice: files go to the printer on the 15th. what's still missing:\n- the cover in 2 colour seps\n"
            "- final page count so I can confirm the quote",
            "bob: cover seps — i can do them but i've never done riso seps before?? is it just greyscale per colour",
            "carol: yeah each colour layer as its own greyscale file. I can walk u thru it thurs",
            "bob: ok ya pls 🙏",
            "dan: who's doing the insta post for the launch?",
            "bob: i can do it this weekend",
        )
    )
    assert [(t.owner_name, t.task.split(" (re:")[0]) for t in tasks] == [
        ("Bob", "Do them"),  # "so I can confirm the quote" says what the page count is for
        ("Carol", "Walk u thru it"),  # helping bob, not taking the seps over
        ("Bob", "Do the insta post for the launch"),
    ]
    assert tasks[0].task.endswith("(re: cover seps)")


def test_viewing_and_listening_plans_are_not_tasks_but_a_hail_carries_to_the_ask():
    assert extract_tasks(chat("bob: ep 1 was ok, I'll give it another episode before deciding")) == []
    assert extract_tasks(chat("bob: I'll listen to the geese thing later I guess. peer pressure")) == []
    # Asked of someone, reading it is work.
    assert len(extract_tasks(chat("alice: changelog draft is up. @bob can you give it a read?"))) == 1
    gear = chat(
        "alice: someone should make a gear list for the newbies",
        "bob: @alice since you brought it up… 😇 can you put one together?",
        "alice: fiiine. by friday",
        "alice: gear list → https://docs.google.com/document/d/1xYz-gearlist pls add if i missed anything",
    )
    gear[2] = dataclasses.replace(gear[2], reply_to_id=gear[1].id)
    gear[3] = dataclasses.replace(gear[3], reply_to_id=gear[1].id)
    tasks = extract_tasks(gear)
    assert [(t.owner_name, t.status, t.due.date() if t.due else None) for t in tasks] == [("Alice", "done", datetime(2026, 5, 8).date())]


def test_asks_by_mention_passing_on_with_a_habit_and_results_in_reply():
    handed = chat(
        "carol: hi",
        "alice: @bob also please recalibrate the plate reader before anyone runs ELISAs this week",
        "bob: I'm really slammed with the westerns today and tomorrow, could @carol do it? she did it last time",
        "carol: yeah i can do it wednesday morning while I wait for the mix",
    )
    handed[2] = dataclasses.replace(handed[2], reply_to_id=handed[1].id)
    # "she did it last time" is a habit, not this task done.
    assert [(t.owner_name, t.status) for t in extract_tasks(handed)] == [("Carol", "open")]
    assert [(t.owner_name, t.task) for t in extract_tasks(chat("carol: hi", "alice: hmm. so could @carol take the notes?"))] == [
        ("Carol", "Take the notes")
    ]
    domain = chat(
        "alice: btw company domain expires friday!! @bob can you renew it? the card on file is the old one",
        "bob: will do",
        "bob: domain's good till 2027 now 🎉 receipt forwarded to finance@",
    )
    domain[2] = dataclasses.replace(domain[2], reply_to_id=domain[0].id)
    assert [(t.owner_name, t.status) for t in extract_tasks(domain)] == [("Bob", "done")]


def test_work_under_way_said_with_its_day_and_a_task_skipped_when_asked_about():
    progress = extract_tasks(chat("bob: dbt models for the payments mart are 70% converted, will finish tomorrow"))
    assert [(t.owner_name, t.task, t.due.date()) for t in progress] == [
        ("Bob", "Finish the dbt models for the payments mart", datetime(2026, 5, 5).date())
    ]
    upload = extract_tasks(chat("alice: final cut is in the folder", "bob: legends. uploading everything to ink bureau at lunch"))
    # Said at 2pm, "at lunch" is tomorrow's.
    assert [(t.owner_name, t.task, t.due.date()) for t in upload] == [
        ("Bob", "Upload everything to ink bureau", datetime(2026, 5, 5).date())
    ]
    assert extract_tasks(chat("bob: watching the game tonight lol", "bob: heading to the gym tonight")) == []
    spleef = chat(
        "bob: I still need to build the spleef arena for the event btw, will do it this week",
        "alice: is spleef still on for saturday?",
        "bob: nah we'll skip it this month, too much going on with the crash stuff. maybe june",
    )
    spleef[2] = dataclasses.replace(spleef[2], reply_to_id=spleef[1].id)
    assert [(t.owner_name, t.status) for t in extract_tasks(spleef)] == [("Bob", "cancelled")]


def test_a_split_of_the_work_takes_the_deadline_its_author_gives_it_just_before_or_after():
    before = chat(
        "alice: we're in! submission closes sunday 12:00",
        "bob: rip sleep",
        "carol: lets gooo",
        "dan: 🎉",
        "alice: split: bob backend, carol frontend, dan the pitch deck. i'll do the devpost page",
    )
    sunday = datetime(2026, 5, 10).date()
    assert [(t.owner_name, t.due.date() if t.due else None) for t in extract_tasks(before)] == [
        ("Bob", sunday),
        ("Carol", sunday),
        ("Dan", sunday),
        ("Alice", sunday),
    ]
    after = chat(
        "bob: orgo midterm is next week 😭 we splitting the review slides?",
        "carol: yes pls",
        "dan: ya",
        "alice: ok proposal: i do ch6, bob ch8, carol ch9, dan ch10",
        "dan: fine",
        "alice: ok slides in the shared deck by saturday night so we can go over them sunday?",
    )
    assert {t.due.date() if t.due else None for t in extract_tasks(after)} == {datetime(2026, 5, 9).date()}
    # One ask and the asker's own promise are not a split: a later deadline about something else is not theirs.
    pair = chat(
        "bob: hi", "carol: hi", "alice: can you order it @carol? I'll pay you back", "bob: lol", "alice: need the guest list by friday"
    )
    assert [t.due for t in extract_tasks(pair)] == [None, None]


def test_a_deadline_said_in_the_askers_next_message_is_the_asks():
    tasks = extract_tasks(
        chat("alice: @bob the groomsmen STILL haven't sent their measurements. can you chase them?", "alice: need them by end of next week")
    )
    assert [(t.owner_name, t.due.date()) for t in tasks] == [("Bob", datetime(2026, 5, 15).date())]


def test_a_deadline_in_its_own_sentence_of_the_ask_and_moved_by_instead():
    ask = chat("carol: hi", "alice: could @carol take the timetable? draft to me by next wednesday", "carol: ok 👍")
    assert [(t.owner_name, t.due.date()) for t in extract_tasks(ask)] == [("Carol", datetime(2026, 5, 13).date())]
    moved = [
        *ask,
        *chat("alice: x", "alice: change of plan: rain, sports day moves. carol, timetable can come to me by fri 15th instead")[1:],
    ]
    moved[-1] = dataclasses.replace(moved[-1], id=2000, created_at=T0 + timedelta(hours=1))
    assert [(t.owner_name, t.due.date()) for t in extract_tasks(moved)] == [("Carol", datetime(2026, 5, 15).date())]
    # A list item's deadline is that item's, not the ask's.
    listed = extract_tasks(chat("bob: hi", "alice: @bob can you reply to the affected tickets?\n5. me: postmortem doc by friday"))
    assert [t.due for t in listed if t.owner_name == "Bob"] == [None]


def test_task_words_keep_a_day_that_names_the_thing_and_a_split_in_the_third_person_reads_as_an_instruction():
    notice = extract_tasks(chat("alice: parent volunteers: i'll put a notice in tomorrow's newsletter, we need ~12"))
    assert [(t.task, t.due.date()) for t in notice] == [("Put a notice in tomorrow's newsletter", datetime(2026, 5, 5).date())]
    plan = extract_tasks(
        chat("bob: hi", "carol: hi", "alice: Plan: @bob runs the 7B baseline, @carol drafts the response text, I do the final pass.")
    )
    assert [(t.owner_name, t.task) for t in plan] == [
        ("Bob", "Run the 7B baseline"),
        ("Carol", "Draft the response text"),
        ("Alice", "Do the final pass"),
    ]


def test_an_offer_of_other_work_is_not_a_result_and_we_dont_do_it_calls_off_what_the_update_was_about():
    lines = (
        "bob: hi",
        "carol: hi",
        "alice: Plan: @bob runs the 7B baseline, @carol drafts the response text, I do the final pass.",
        "bob: update: 7B with checkpointing runs but one epoch is 31h. so no way before wednesday",
        "alice: Ok then we don't do it. carol please write it as a budget limitation",
        "bob: I can instead run the 7B zero-shot, only inference, 2h. better than nothing?",
    )
    offer = extract_tasks(chat(*lines[:4], lines[5]))
    assert by_text(offer, "7b baseline").status == "open"
    called_off = chat(*lines)
    called_off[4] = dataclasses.replace(called_off[4], reply_to_id=called_off[3].id)
    assert by_text(extract_tasks(called_off), "7b baseline").status == "cancelled"


def test_viewing_a_game_queue_and_ones_own_errand_are_not_tasks():
    assert extract_tasks(chat("bob: ok gonna watch frieren ep1 now, muting this channel 🙉")) == []
    assert extract_tasks(chat("bob: streaming elden ring DLC at 9 if anyone wants to watch me die repeatedly")) == []
    assert extract_tasks(chat("alice: @bob can you carry me in ranked tonight, I'm hardstuck gold")) == []
    assert extract_tasks(chat("bob: gonna grab my dunks from the post office at lunch")) == []
    # Work stays work: a VOD to review when asked, parcels picked up for the group.
    kept = extract_tasks(
        chat(
            "alice: @bob can you watch our ascent VOD from sunday and note the rounds we lose?",
            "carol: i'll pick up the parcels for the stall",
        )
    )
    assert [t.owner_name for t in kept] == ["Bob", "Carol"]


def test_passed_on_by_name_and_skip_then_and_asked_again_about_it():
    passed = extract_tasks(
        chat(
            "carol: hi",
            "alice: we need an automod rule for invite links. @bob can you set it up?",
            "bob: im kinda useless with the regex stuff tbh. carol?",
            "carol: yea I'll do it tonight",
            "carol: invite link filter is live, tested with my alt",
        )
    )
    assert [(t.owner_name, t.status) for t in passed] == [("Carol", "done")]
    skipped = extract_tasks(
        chat(
            "bob: I'll dm the people who got caught in the ban by mistake",
            "carol: already went through the list, all 47 were created today. nobody to dm",
            "bob: oh nice, skip then",
        )
    )
    assert [t.status for t in skipped] == ["cancelled"]
    assert extract_tasks(chat("bob: Ya, Im getting a little worried.")) == []
    cup = chat(
        "bob: hi",
        "alice: the cup is sat the 16th, registration closes thursday. @bob ur captain, sign us up?",
        "bob: ya ya i'll do it this week",
        "alice: @bob did u sign us up yet? closes thu",
        "bob: yes yes i'll do it before thu 😭",
    )
    cup[2] = dataclasses.replace(cup[2], reply_to_id=cup[1].id)
    cup[4] = dataclasses.replace(cup[4], reply_to_id=cup[3].id)
    tasks = extract_tasks(cup)
    assert len(tasks) == 1 and "sign us up" in tasks[0].task and tasks[0].owner_name == "Bob"


def test_a_split_put_as_a_question_with_the_speakers_own_part_and_book_one_after_someone_should_book():
    split = extract_tasks(
        chat(
            "bob: hi", "carol: hi", "dan: hi", "alice: ok i'll do 2023 s1, @bob 2023 s2, @carol 2022 s1, @dan 2022 s2? solutions in the doc"
        )
    )
    assert [(t.owner_name, t.task) for t in split] == [
        ("Alice", "Do 2023 s1"),
        ("Bob", "Do 2023 s2"),
        ("Carol", "Do 2022 s1"),
        ("Dan", "Do 2022 s2"),
    ]
    # A proposal that is only a question stays one.
    assert extract_tasks(chat("bob: hi", "carol: hi", "alice: should @bob do 2023 s1, @carol 2023 s2?")) == []
    room = extract_tasks(
        chat(
            "alice: also someone should book a study room for monday",
            "bob: i'll book one, level 3 has whiteboards",
            "bob: booked room 3.14 monday 2-5pm",
        )
    )
    assert [(t.owner_name, t.task, t.status) for t in room] == [("Bob", "Book a study room for monday", "done")]


def test_a_refused_ask_is_taken_by_a_promise_that_names_it_not_by_other_work_sharing_a_word():
    lines = (
        "bob: hi",
        "alice: @bob could you build the garden bench for act 2? the old one wobbles",
        "bob: I can't this time, my back's been bad, sorry",
        "carol: and I'll rent the fog machine for the act 3 opening, the place on Main St has one for $35/wk",
    )
    tasks = extract_tasks(chat(*lines))
    assert [(t.owner_name, t.task) for t in tasks] == [("Carol", "Rent the fog machine for the act 3 opening")]
    taken = extract_tasks(chat(*lines[:3], "dan: I can do the garden bench, done a couple before"))
    assert [(t.owner_name, t.task) for t in taken] == [("Dan", "Build the garden bench for act 2")]


def test_a_promise_before_ok_and_i_take_it_after_a_refusal_that_passes_it_on():
    update = extract_tasks(chat("alice: hej admins. paper 1.21.8 build is out, i will update the server tonight after 22, ok?"))
    assert [(t.owner_name, t.task) for t in update] == [("Alice", "Update the server after 22")]
    farm = extract_tasks(
        chat(
            "bob: hi",
            "carol: hi",
            "alice: the big mob farm at spawn is killing tps. @bob can u remove it?",
            "bob: not this week, exams 😭 @carol u can?",
            "carol: ok i take it. i will tell Piotrek first",
            "carol: farm is in his base now, spawn tps 19.8",
        )
    )
    assert [(t.owner_name, t.status) for t in farm if "remove" in t.task.lower()] == [("Carol", "done")]
    # A question about other work is not passing this one on.
    other = extract_tasks(
        chat(
            "bob: hi",
            "alice: @bob could you go through the dependabot ones?",
            "bob: sorry, can't this week",
            "alice: no problem, I'll do them then",
            "alice: also @carol you're writing the migration guide right?",
            "carol: yep, will have it ready next sprint",
        )
    )
    assert [t.owner_name for t in other if "dependabot" in t.task.lower()] == ["Alice"]


def test_new_work_offered_as_a_question_is_the_offerers_once_someone_says_yes():
    chase = extract_tasks(
        chat(
            "bob: unrelated but the Pinecrest site invoice is 45 days overdue. want me to chase?",
            "alice: yes pls. polite but firm, cc me",
            "bob: on it",
        )
    )
    assert [(t.owner_name, t.status) for t in chase] == [("Bob", "open")] and "Pinecrest" in chase[0].task
    blurb = extract_tasks(
        chat(
            "bob: want me to write a short rationale blurb for the palette change?",
            "alice: yes, 100 words max, in the deck by thursday eod",
        )
    )
    assert [(t.owner_name, t.task, t.due.date()) for t in blurb] == [
        ("Bob", "Write a short rationale blurb for the palette change", datetime(2026, 5, 7).date())
    ]
    assert extract_tasks(chat("bob: should i order more cones?", "alice: nah we have enough")) == []
    # The yes takes the offer; an ask in the same message is read too.
    both = extract_tasks(chat("carol: hi", "bob: want me to chase the invoice?", "alice: yes pls. @carol can you book the room?"))
    assert [(t.owner_name, t.task) for t in both] == [("Bob", "Chase the invoice"), ("Carol", "Book the room")]
    # "should i also ...?" about the work just taken on is more of it, not another task.
    more = extract_tasks(
        chat(
            "alice: @bob write a runbook for 'WAL disk full'?",
            "bob: runbook: yep. should i also add a section on replica re-sync?",
            "alice: yes pls",
        )
    )
    assert len(more) == 1 and more[0].owner_name == "Bob"


def test_never_mind_then_done_a_stretch_of_days_and_a_name_then_you():
    page = extract_tasks(
        chat(
            "bob: should i update the eventbrite page? it still lists marisol",
            "alice: yes pls bob",
            "bob: oh wait nvm found it, updated. bea's name is on there now ✅",
        )
    )
    assert [(t.owner_name, t.status) for t in page] == [("Bob", "done")]
    villa = extract_tasks(chat("bob: good news, the villa is free. shall i book 5 nights 15-20 dec?", "alice: yes pls book it"))
    assert [(t.task, t.due) for t in villa] == [("Book 5 nights 15-20 dec", None)]
    solo = extract_tasks(chat("bob: hi", "alice: oh no, poor thing. bob you've sung it before — could you take the solo?"))
    assert [(t.owner_name, t.task) for t in solo] == [("Bob", "Take the solo")]


def test_numbers_pointing_at_a_list_a_problem_is_not_a_result_and_a_cancel_said_twice():
    lines = (
        "bob: hi",
        "carol: hi",
        "alice: 1) wordmark heavier 2) swap the teal for something warmer 3) menu board needs gluten-free icons 4) box mockup in kraft",
        "alice: @bob 1 and 2, @carol 3 and 4. they want to see v2 on the thursday call",
    )
    split = extract_tasks(chat(*lines))
    assert [(t.owner_name, t.task) for t in split] == [
        ("Bob", "Do wordmark heavier"),
        ("Bob", "Swap the teal for something warmer"),
        ("Carol", "Do menu board needs gluten-free icons"),
        ("Carol", "Do box mockup in kraft"),
    ]
    later = extract_tasks(
        chat(
            *lines,
            "carol: kraft box mockup is a pain, the texture looks fake on the render",
            "alice: we have a kraft box in the supply closet no? shoot it on the lightbox",
            "carol: oh true. will shoot it this arvo",
            "alice: they've dropped the menu board from this round, they're rewriting the menu first. so @carol park the board + icons",
        )
    )
    assert [(t.task, t.status) for t in later if t.owner_name == "Carol"] == [
        ("Do menu board needs gluten-free icons", "cancelled"),
        ("Do box mockup in kraft", "open"),
    ]


def test_replies_to_a_checklist_take_their_own_item_and_a_day_asked_for_is_agreed():
    lines = [
        "bob: hi",
        "carol: hi",
        "dan: hi",
        "alice: launch checklist for Fieldnote 2.0, tues 6/30:\n1. @bob landing page copy final by thurs\n2. @carol social calendar for launch week",
        "bob: on it 👍",
        "carol: social calendar: can I push it to monday? the release is eating my week",
        "alice: monday's fine",
        "dan: ok I'll take the demo video. 60s cut by friday, I'll need screen recordings",
    ]
    records = chat(*lines)
    for position in (4, 5, 7):
        records[position] = dataclasses.replace(records[position], reply_to_id=records[3].id)
    tasks = {t.owner_name: t for t in extract_tasks(records)}
    assert records[4].id in tasks["Bob"].source_message_ids and tasks["Bob"].due.date() == datetime(2026, 5, 7).date()
    # The checklist's header names the launch, not a deadline; carol's item moves to next monday.
    assert tasks["Carol"].task == "Do social calendar for launch week" and tasks["Carol"].due.date() == datetime(2026, 5, 11).date()
    assert tasks["Dan"].task == "Take the demo video" and tasks["Dan"].due.date() == datetime(2026, 5, 8).date()


def test_no_pizza_then_and_dropping_him_call_work_off_but_not_an_idea_or_a_drop_off():
    pizza = extract_tasks(
        chat("bob: I'll order pizza for everyone on the day", "alice: my mum is cooking for us all", "bob: say less. no pizza then 😂")
    )
    assert [t.status for t in pizza] == ["cancelled"]
    balloons = extract_tasks(
        chat("bob: also I'll get balloons, the gold ones", "bob: bad news, the venue doesn't allow helium. so no balloons")
    )
    assert [t.status for t in balloons] == ["cancelled"]
    guest = extract_tasks(
        chat(
            "bob: I'll reach out to the guy who wrote the tokio book",
            "bob: he's booked out until october. dropping him for now, we'll find someone else",
        )
    )
    assert [t.status for t in guest] == ["cancelled"]
    kept = extract_tasks(
        chat("bob: i'll scan the albums this weekend", "alice: idk i kinda want the aisle moment", "carol: ok fair, no first look then 🥲")
    )
    assert [t.status for t in kept] == ["open"]
    assert extract_tasks(chat("bob: i'll drop the albums at yours", "bob: dropping them off first thing tmrw"))[0].status == "open"


def test_it_after_the_speakers_own_question_and_youre_up_for():
    room = extract_tasks(
        chat(
            "alice: can someone also put a line in the team wiki about the three weird weeks?",
            "bob: do we still want the big room in the NY office on thursdays? I'll book it for noon if so",
        )
    )
    assert [(t.owner_name, "wiki" in t.task) for t in room] == [(None, True), ("Bob", False)]
    jc = extract_tasks(
        chat("bob: hi", "carol: who's presenting at JC this week?", "alice: bob you're up for JC thursday. something on spatial pls")
    )
    assert [(t.owner_name, t.task) for t in jc] == [("Bob", "Present at JC")]


def test_let_me_do_it_takes_it_over_and_a_link_posted_alone_is_the_page():
    post = extract_tasks(
        chat(
            "bob: hi",
            "alice: @bob can u screenshot the total? and i'll do the thank-you post",
            "bob: alice let me do the thank-you post, it's literally my job lol",
            "alice: fair, all yours",
            "bob: thank-you post is up on all 3",
        )
    )
    assert [(t.owner_name, t.task, t.status) for t in post if "post" in t.task] == [("Bob", "Do the thank-you post", "done")]
    assert [t.task for t in extract_tasks(chat("bob: let me check the logs"))] == ["Check the logs"]
    page = extract_tasks(
        chat(
            "bob: hi",
            "alice: @bob can you do the donation page?",
            "bob: donation page up tonight, doing it on justgiving",
            "bob: justgiving.com/page/gamesoc-24h-mind target £1000",
        )
    )
    assert [t.status for t in page] == ["done"]


def test_an_unlisted_verb_said_to_someone_and_a_refusal_that_hands_the_work_on():
    clip = extract_tasks(chat("bob: hi", "alice: vod review wed. @bob clip the 3 B retakes we lost on bind", "bob: bet"))
    assert [(t.owner_name, t.task.split(" (re:")[0]) for t in clip] == [("Bob", "Clip the 3 B retakes we lost on bind")]
    # Not an ask: "@bob once the map is less ugly can you record ..." is found by the request rules, once.
    capture = extract_tasks(chat("bob: hi", "alice: @bob once the map is less ugly can you record a 30s screen capture for the deck?"))
    assert [(t.owner_name, t.task) for t in capture] == [("Bob", "Record a 30s screen capture for the deck")]
    handed = extract_tasks(
        chat(
            "bob: hi",
            "carol: hi",
            "alice: @bob u do the util breakdown for ironclad's A exec, also for wed. screenshots are fine",
            "bob: cant this week fr, moving apartment. carol can u take it",
            "carol: ye i got it",
            "carol: A exec util breakdown up, 14 screenshots, same folder",
        )
    )
    assert [(t.owner_name, t.task, t.status) for t in handed] == [("Carol", "Do the util breakdown for ironclad's A exec", "done")]
    # Asked by whoever wants it done, "can you take that?" is a new ask, not a hand-over.
    readme = extract_tasks(
        chat("bob: hi", "alice: @bob can you record the demo?", "alice: judges want a README with setup steps. @carol can you take that?")
    )
    assert [t.owner_name for t in readme] == ["Bob", "Carol"]


def test_lineup_moves_in_a_fantasy_league_are_not_tasks():
    league = chat(
        "alice: week 10 lets gooo who y'all starting at flex",
        "bob: i'm benching chase brown, he's been a ghost",
        "carol: waiver wire is thin this week",
        "bob: i'll bench mixon too honestly, the ankle thing scares me",
    )
    assert extract_tasks(league) == []
    # Elsewhere "start" is work.
    assert [t.task for t in extract_tasks(chat("bob: i'll start the migration tonight"))] == ["Start the migration"]


def test_either_day_a_drop_off_would_you_mind_doing_and_so_no_x_thursday():
    timer = extract_tasks(chat("alice: clocks go back sunday. @bob could you reset the tap timer on Sunday or Monday?", "bob: Will do"))
    assert [(t.task, t.due.date()) for t in timer] == [("Reset the tap timer", datetime(2026, 5, 10).date())]
    mulcher = extract_tasks(
        chat(
            "alice: we need someone to book the mulcher for the working bee",
            "bob: I'll ring them Monday, I know the fella there",
            "bob: Mulcher's booked for the 18th, $95, they'll drop it off Friday arvo",
        )
    )
    assert [t.status for t in mulcher] == ["done"]
    spray = extract_tasks(chat("bob: hi", "alice: @bob would you mind doing the mildew spray on plot 7?"))
    assert [t.task for t in spray] == ["Do the mildew spray on plot 7"]
    announcement = extract_tasks(
        chat(
            "bob: hi",
            "alice: @bob pls post the playtest announcement in #testers on thursday",
            "alice: ok we're pushing the playtest to after the review clears",
            "bob: so no announcement thursday, got it.",
        )
    )
    assert [t.status for t in announcement] == ["cancelled"]


def test_counts_under_the_tasks_name_and_done_together_with_whoever_asked():
    shed = chat("alice: @bob can you do an inventory of the shed this week?", "bob: yep i'll do it thursday at lunch")
    counted = extract_tasks([*shed, *chat("x: x", "x: x", "bob: shed inventory: 34 cones (need 60), 8 batons")[2:]])
    assert [t.status for t in counted] == ["done"]
    partial = extract_tasks([*shed, *chat("x: x", "x: x", "bob: shed inventory: 14 of 22 shelves counted, 2 boxes")[2:]])
    assert [t.status for t in partial] == ["open"]
    walk = extract_tasks(
        chat(
            "bob: hi",
            "alice: bob, walk the 2nd floor w me at 7 tmrw before the inspector",
            "bob: 👍",
            "alice: walked it w bob, 3 nail plates missing",
        )
    )
    assert [(t.owner_name, t.status) for t in walk] == [("Bob", "done")]


def test_a_laugh_after_the_promise_progress_mine_colon_and_a_nudge():
    take = extract_tasks(chat("bob: i'll take #415, i already wrote a sed-ish script for the admonitions last year lol"))
    assert [(t.owner_name, t.task) for t in take] == [("Bob", "Take #415")]
    assert extract_tasks(chat("bob: i'll fight anyone who says candy corn is good lol")) == []
    assert extract_tasks(chat("bob: i'll die on this hill lmao")) == []
    garage = extract_tasks(
        chat(
            "bob: sorry was at work. i'll take the garage, thats gonna be the worst part",
            "bob: garage day 1: 3 piles. the dump pile is HUGE",
        )
    )
    assert [t.status for t in garage] == ["open"]
    signs = extract_tasks(
        chat("bob: I can make the signs and price tags", "bob: Signs are coming along, the glitter situation is out of control ✨")
    )
    assert [t.status for t in signs] == ["open"]
    sidebar = extract_tasks(chat("alice: sub-issues: #413 sidebar, #414 redirects", "carol: mine: #413 sidebar"))
    assert [(t.owner_name, t.task) for t in sidebar] == [("Carol", "Do #413 sidebar")]
    assert extract_tasks(chat("bob: hi", "alice: @bob ping 👀")) == []


def test_letting_someone_in_is_work_done_when_they_came_and_one_result_finishes_one_task():
    lines = (
        "carol: the boiler is making the clanking noise again. landlord says the engineer can come tuesday between 8 and 12",
        "bob: I'm home tuesday morning, I'll let them in",
        "carol: cleaning rota for november: bob kitchen, dan bathroom, me hoovering, swap weekly",
        "bob: 👍",
        "bob: engineer came, replaced the pump. boiler's fixed, no charge to us",
    )
    tasks = {t.task.split(" (re:")[0]: t for t in extract_tasks(chat("dan: hi", *lines))}
    assert tasks["Let them in"].owner_name == "Bob" and tasks["Let them in"].status == "done"
    assert tasks["Let them in"].due.date() == datetime(2026, 5, 5).date()
    assert tasks["Do kitchen"].status == "open" and "Do hoovering" in tasks
    assert extract_tasks(chat("bob: i'll let you know")) == []


def test_other_work_on_someones_task_a_given_up_task_claimed_and_news_of_a_finished_one():
    # "i'll pay it" in reply to "i'll send the invoice tonight" is the payer's own work, not a take-over.
    invoice = extract_tasks(
        _reply(chat("alice: i'll send the invoice tonight", "bob: i'll pay it as soon as it comes thru"), 1, 0), timezone="UTC"
    )
    assert [(t.owner_name, t.task.split(" (re:")[0]) for t in invoice] == [("Alice", "Send the invoice"), ("Bob", "Pay it")]
    # A task its owner gave up, claimed with "I got it" in reply to the give-up.
    session = extract_tasks(
        _reply(
            chat(
                "dan: I can run the review session sunday 2-4",
                "dan: my advisor just moved my qual to sunday, can someone take the review session?",
                "bob: I got it",
            ),
            2,
            1,
        )
    )
    assert [(t.owner_name, t.task) for t in session] == [("Bob", "Run the review session 2-4")]
    # The message replied to asks for more work: not the speaker's existing task.
    heaps = chat(
        "bob: I can run the review session sunday 2-4",
        "erin: One more: I'd like two extra problems on heaps for the review. Bob, since you're running it now?",
        "bob: yeah I'll write them this weekend",
    )
    assert len(extract_tasks(_reply(heaps, 2, 1))) == 2
    # "next: cover." names a topic; "cover files are in the drive" is news of the chase already done.
    cover = chat(
        "alice: next: cover. tomás sent the draft but still no final files. @carol can you chase him?",
        "carol: yep will email him tonight",
        "alice: can someone draft the acknowledgements page?",
        "carol: mine, i'll do it after my two stories",
        "carol: tomás replied, final files + spine by thursday",
        "carol: cover files are in the drive 🎨 spine is 18mm",
    )
    tasks = extract_tasks(_reply(_reply(cover, 1, 0), 3, 2))
    assert [(t.owner_name, t.task.split(" (re:")[0], t.status) for t in tasks] == [
        ("Carol", "Chase him", "done"),
        ("Carol", "Draft the acknowledgements page", "open"),
    ]
    # Someone away is not a finished thing; "you should have X now" reports access granted.
    kai = chat(
        "alice: @carol can you raise the aws billing w kai?", "carol: ya will ping kai", "carol: kai's out til monday so it has to wait"
    )
    assert [t.status for t in extract_tasks(_reply(_reply(kai, 1, 0), 2, 0))] == ["open"]
    access = chat(
        "alice: @bob can you set up jira admin for dan?",
        "bob: sure",
        "bob: @dan you should have jira admin now, try logging out and back in",
    )
    assert [(t.owner_name, t.status) for t in extract_tasks(_reply(access, 1, 0))] == [("Bob", "done")]


def test_tickets_by_number_swapped_finished_by_an_integration_bot_and_given_a_deadline_later():
    lines = [
        "bob: y: finished the rate limiter spike\nt: starting PAY-412 (refund webhook retries)\nb: none",
        "carol: yday: PAY-398 csv export, got most of it\ntoday: wrap up 398\nblockers: none",
        "alice: reminder that PAY-412 needs to land before the thursday demo",
        "bob: hmm 412 touches the invoice serializer. @carol want to just swap?",
        "carol: honestly yes. I take 412, you take 415?",
        "bob: deal, reassigning both in jira",
        "carol: y: PAY-398 csv export merged 🎉, picked up 412 from bob\nt: retries w/ exponential backoff for 412\nb: none",
        "dan: t: pairing w carol on the 412 queue test",
        "bob: 415 merged ✅",
        "github: Pull request merged: #2236 PAY-412 webhook retries with exponential backoff",
    ]
    records = _reply(_reply(chat(*lines, bots=("github",)), 4, 3), 5, 4)
    tasks = extract_tasks(records, timezone="UTC", bot_ids=(records[-1].author_id,))
    by_owner = {(t.owner_name, t.task): t for t in tasks}
    pay412 = by_owner[("Carol", "Start PAY-412")]  # swapped to carol; her later stand-up line is the same ticket
    assert pay412.status == "done" and pay412.due.date() == datetime(2026, 5, 7).date()  # Thursday, the demo
    assert pay412.changes[-1].message_id == records[-1].id  # finished by the bot's merge event
    assert by_owner[("Carol", "Wrap up 398")].status == "done"  # "398 merged", not 412 picked up
    assert by_owner[("Bob", "Take 415")].status == "done"
    assert by_owner[("Dan", "Pair w carol on the 412 queue test")].owner_name == "Dan"  # helping, not a take-over
    assert len([t for t in tasks if ticket_numbers(t.task) & {"412"}]) == 2
    # "t:" in a stand-up is today.
    reviews = extract_tasks(chat("bob: y: out sick\nt: catching up on reviews, I owe carol two\nb: -"), timezone="UTC")
    assert [t.due.date() for t in reviews] == [T0.date()]
    # A bot's "opened" is not "merged"; a person's "412 touches the serializer" is not a result.
    opened = chat("bob: i'll fix PAY-77 today", "github: Pull request opened: #12 PAY-77 fix", "bob: 77 touches the serializer")
    assert [t.status for t in extract_tasks(opened, bot_ids=(opened[1].author_id,))] == ["open"]


def test_a_study_split_typed_fast_pinned_with_pipes_and_finished_by_posting_files():
    lines = [
        "dan: hi",
        "erin: im in. dibs on nmr/ir spectroscopy, i actually like it lol",
        "carol: ill do the aromatic stuff, ch 17-18 (EAS, directing groups)",
        "bob: sorry was at work. ill take amines. enolates is pain, can someone else take it",
        "erin: ugh fine i’ll do enolates too, spectroscopy is short",
        "alice: 📌 SPLIT: erin — spectroscopy + ch22 enolates | carol — ch17-18 | bob — ch21 amines. summary + 5 qs each, due thu may 7",
        "bob: im dropping the course, sorry to bail",
        "alice: take care of urself fr. ok so amines is up for grabs",
        "dan: i can take amines, my notes are good",
        "erin: spectroscopy summary + qs ⬇️ enolates will be late tho",
        "carol: 17-18 posted. amines tomorrow",
        "alice: @bob u alive? amines ch 21 and enolates ch 22 left",
        "dan: amines ✅",
    ]
    records = chat(*lines)
    files = {9: "spectro_summary_qs.pdf", 10: "ch17_18_aromatics.pdf", 12: "ch21_amines.pdf"}
    records = [dataclasses.replace(m, attachments=(files[i],)) if i in files else m for i, m in enumerate(records)]
    tasks = {(t.owner_name, t.task): t for t in extract_tasks(_reply(records, 8, 7), timezone="UTC")}
    assert set(tasks) == {
        ("Erin", "Do nmr/ir spectroscopy"),
        ("Carol", "Do the aromatic stuff"),
        ("Dan", "Take amines"),  # bob's, up for grabs, taken by dan
        ("Erin", "Do enolates"),  # "can someone else take it": the enolates bob named, not his amines
    }
    assert {k: t.status for k, t in tasks.items()} == {
        ("Erin", "Do nmr/ir spectroscopy"): "done",  # the file, its name first
        ("Carol", "Do the aromatic stuff"): "done",  # "17-18 posted": the numbers of the promise
        ("Dan", "Take amines"): "done",
        ("Erin", "Do enolates"): "open",
    }
    assert tasks[("Carol", "Do the aromatic stuff")].due.date() == datetime(2026, 5, 7).date()  # the pinned split's "due thu"
    # Typed fast: "ill" before a verb of work is "I'll"; "feeling ill" is not a promise.
    assert extract_tasks(chat("bob: i'm ill today, staying home")) == []
    assert [t.task for t in extract_tasks(chat("bob: ill book the room tonight"))] == ["Book the room"]
    assert extract_tasks(chat("bob: dibs on the couch")) == []
    # Asked, and answered with the asked person's own way of doing it.
    lumen = chat("alice: @bob can u move lumen to fri same time or find a sub", "bob: ill ask lumen, if they cant we grab moku's duo")
    assert [(t.owner_name, t.task) for t in extract_tasks(lumen)] == [("Bob", "Move lumen to same time or find a sub")]


def test_a_calendar_thread_wishes_then_promises_owed_work_pins_and_numbers_in_a_deck():
    lines = [
        "bob: ok, decision: the sync is at 16:30 berlin / 11:30 ET. I'll update the calendar series today",
        "bob: fair. I'll edit the three occurrences in the main series instead",
        "dan: @bob could you also pin the times somewhere? I will have forgotten by tuesday",
        "bob: sure",
        "bob: 📌 sync times — Mar 10/17/24: 16:30 Berlin · 11:30 New York",
        "erin: note to self and you all: I owe you the EMEA churn figures before tuesday's call, sending them tonight",
        "erin: EMEA churn deck https://docs.google.com/presentation/d/1eMEAchurnQ1x",
        "dan: for the 24th I'd like 15 min to present the iberia partner update, I'll prepare it",
        "erin: I'll update the numbers with march before I leave tomorrow",
        "erin: deck has the march numbers now, over to you carol 🏖️",
        "carol: yeah ID source is still catching up, I'll rerun the 15th on monday",
    ]
    tasks = [(t.owner_name, t.task.split(" (re:")[0], t.status) for t in extract_tasks(_reply(chat(*lines), 3, 2), timezone="UTC")]
    assert tasks == [
        ("Bob", "Update the calendar series", "open"),  # "update the series" is work, not a show; "edit ... instead" is it
        ("Bob", "Pin the times somewhere", "done"),  # no "Have forgotten" for dan
        ("Erin", "Do the EMEA churn figures before tuesday's call", "done"),
        ("Dan", "Prepare it", "open"),
        ("Erin", "Update the numbers with march", "done"),
        ("Carol", "Rerun the 15th", "open"),  # "ID" is not "I'd"
    ]
    assert extract_tasks(chat("bob: i owe you a beer for that")) == []
    assert extract_tasks(chat("bob: I'd do it if I had time, so I'd rather wait")) == []


def test_a_trip_split_in_the_third_person_money_owed_and_the_couch():
    lines = [
        "bob: in",
        "carol: in!!!",
        "alice: ok splitting chores: i'll find the airbnb, bob does flights since u have the points card, carol car rental?",
        "carol: ya i got the car. suv or we all die on i-70",
        "bob: i'll look at flights tonight. ORD→DEN thursday evening, back monday morning?",
        "erin: breck one. i'll take the couch if needed",
        "dan: so i owe everyone 648 😭 the 15th i swear",
        "erin: oh shoot i still owe bob for the flight, sending tonight",
    ]
    tasks = [(t.owner_name, t.task, t.status) for t in extract_tasks(_reply(chat(*lines), 3, 2), timezone="UTC")]
    assert tasks == [
        ("Alice", "Find the airbnb", "open"),
        ("Bob", "Do flights", "open"),  # his later "i'll look at flights tonight" is the same piece
        ("Carol", "Do car rental", "open"),  # "ya i got the car" takes it on; it is not done
        ("Dan", "Pay everyone 648", "open"),
        ("Erin", "Pay bob for the flight", "open"),
    ]
    # A member's own topic line: "tables: ... i'll ask st mark's if we can borrow 2" is how ben does "tables".
    tables = chat(
        "carol: hi",
        "alice: jobs: carol flyers, bob tables, i'll do the soup",
        "bob: tables: we've got 8 round ones in the shed, need 10. i'll ask st mark's if we can borrow 2",
    )
    assert [(t.owner_name, t.task) for t in extract_tasks(tables)] == [
        ("Carol", "Do flyers"),
        ("Bob", "Do tables"),
        ("Alice", "Do the soup"),
    ]


def test_drivers_asked_for_offered_withdrawn_and_asked_for_again():
    lines = [
        "alice: field trip is friday. I'll also need 4-5 parent drivers for the way there",
        "bob: yay! I can collect the permission slips from the classroom bin and get them to the front office by friday",
        "carol: I can drive. minivan, room for 4 kids + my own",
        "dan: I can drive too, have room for 3",
        "dan: Ugh, sorry all. Just got told I have to be in Sacramento that Friday for work. I have to back out of driving 😞",
        "alice: Thanks for letting us know early, Dan. Can someone else drive? We need one more car to fit everyone",
        "bob: All 26 slips in!! Dropped the stack with Mrs. Dominguez at the front desk 🎉",
    ]
    tasks = [(t.owner_name, t.task, t.status) for t in extract_tasks(chat(*lines), timezone="UTC")]
    assert tasks == [
        ("Bob", "Collect the permission slips from the classroom bin and get them to the front office", "done"),
        ("Carol", "Drive", "open"),
        ("Dan", "Drive", "cancelled"),
        (None, "Drive", "open"),
    ]
    assert extract_tasks(chat("bob: gotta drive home now, ttyl")) == []
    # "i can't drive anymore" gives the driving back; whoever takes it over has it.
    lift = chat(
        "alice: need drivers, snacks both days",
        "bob: i can drive! 3 spare seats in the subaru",
        "bob: work just put me on saturday. i can't drive anymore 😞 maya can still come if someone has a seat",
        "carol: i'll drive maya, i have the minivan, plenty of room",
    )
    assert [(t.owner_name, t.status) for t in extract_tasks(_reply(_reply(lift, 1, 0), 3, 2))] == [("Carol", "open")]


def test_work_handed_off_me_its_day_asked_for_an_agency_no_and_a_park_it():
    lines = [
        "bob: re the icons, I'll redraw the menu ones after the hero stuff, softer line style to match the new logo",
        "bob: I can start brochure mockups once priya's copy lands, probably early next week",
        "alice: random one but could you guys do our instagram templates too? our intern has been making them in canva 😬",
        "carol: honestly we can't fit that in this month, sorry! happy to quote it for april though",
        "bob: bit of a snag, I'm getting pulled onto the Halden pitch 😩 @erin you around? could you take the menu icons off me? "
        'it\'s the 6 in the "menu" frame',
        "erin: hey! yeah I've got capacity this week. same line weight as the new logo? when do you need them by",
        "bob: 1.5px stroke, rounded caps. next tuesday would be great",
        "alice: finance says no to the brochure this quarter 😕 let's park it, maybe autumn",
        "carol: no worries at all, I've already taken it off the estimate. @bob no brochure mockups then",
    ]
    records = _reply(_reply(_reply(chat(*lines), 3, 2), 5, 4), 8, 7)
    tasks = [(t.owner_name, t.task, t.status, t.due and t.due.date()) for t in extract_tasks(records, timezone="UTC")]
    assert tasks == [
        ("Erin", "Redraw the menu ones after the hero stuff", "open", datetime(2026, 5, 12).date()),  # handed on, its day asked
        ("Bob", "Start brochure mockups", "cancelled", None),  # "let's park it" after naming the brochure
    ]  # and the instagram templates the agency declined are no task


def test_numbers_pointing_at_a_list_a_page_that_is_yours_and_running_late():
    lines = [
        "alice: a few things though:\n1. hero photo feels too dark, can we try the latte art one?\n2. logo needs to be bigger in the nav\n"
        "3. about page copy is way too long",
        "carol: thanks, super clear. @bob can you take 1 and 2? ideally revised comps by wednesday",
        "bob: yep on it, wednesday works",
        "carol: @dan the about page is yours, can we get it down to ~120 words?",
        "dan: can do, shorter version by thursday eod",
        "bob: revised hero + bigger logo are up, frame 3 onwards: https://www.figma.com/file/nwc",
        "dan: heads up, about page is running a bit late, it's taking longer to keep the garage story short 😅 "
        "I'll have it to you tomorrow morning",
        "erin: hi",
        "alice: erin, supplementary is yours - methods table S2 and the raw counts on zenodo",
    ]
    records = _reply(_reply(_reply(_reply(chat(*lines), 1, 0), 2, 1), 4, 3), 6, 3)
    tasks = [(t.owner_name, t.task, t.status, t.due and t.due.date()) for t in extract_tasks(records, timezone="UTC")]
    assert tasks == [
        (
            "Bob",
            "Take 1 and 2 (re: hero photo feels too dark, can we try; logo needs to be bigger in the nav)",
            "done",
            datetime(2026, 5, 6).date(),
        ),
        ("Dan", "Do the about page", "open", datetime(2026, 5, 5).date()),  # late, not done; the new day
        ("Erin", "Do supplementary with methods table S2 and the raw counts on zenodo", "open", None),
    ]


def test_a_market_and_a_transfer_chat_hold_no_tasks():
    market = [
        f"alice: {t}" if i % 2 else f"bob: {t}"
        for i, t in enumerate(
            [
                "NVDA ripping again",
                "my puts are toast",
                "stocks only go up",
                "bought the dip at 118",
                "portfolio is red",
                "earnings after close",
                "calls printing",
                "sold half my position",
            ]
        )
    ]
    assert extract_tasks(chat(*market, "carol: im gonna grab some calls before close, feeling lucky")) == []
    assert extract_tasks(chat("bob: can anyone explain the 'loan with obligation to buy' thing? is it an obligation or not lol")) == []
    assert extract_tasks(chat("bob: can't, working 😩 i'll be refreshing the app in the loading bay")) == []
    # Work in the same words stays work.
    assert [t.task for t in extract_tasks(chat("bob: i'll refresh the staging db tonight"))] == ["Refresh the staging db"]


def test_an_update_that_makes_the_plan_unnecessary_calls_it_off():
    hose = chat(
        "bob: i'll buy a new hose for the back beds tmrw, the old one's split at the end",
        "bob: update on the hose: found the old spare under the potting bench, just needed a new click fitting. not buying one",
    )
    assert [t.status for t in extract_tasks(hose)] == ["cancelled"]
    flag = chat(
        "bob: the leaderboard was timing out all morning, i'll turn off the leaderboard flag for this release",
        "bob: update on leaderboard: bad index on the scores table. fixed on staging. so i'm NOT turning it off, flag stays on",
    )
    assert [t.status for t in extract_tasks(flag)] == ["cancelled"]
    ticket = chat(
        "bob: i'll open a ticket with discord trust & safety with the account list",
        "bob: update: discord already took the accounts down on their side, so no point in a ticket. skipping it",
    )
    assert [t.status for t in extract_tasks(ticket)] == ["cancelled"]
    late = chat(
        "bob: i'll finish the dbt models for the payments mart", "bob: found a timezone bug in the legacy model 🫠 not finishing today"
    )
    assert [t.status for t in extract_tasks(late)] != ["cancelled"]  # late, not off


def test_a_choice_named_before_the_ask_and_i_wont_ask_him():
    lines = [
        "bob: also what if we did a band instead of the dj? my cousin kieran's band does covers",
        "bob: i'm just saying they're good. fine. i'll ask kieran if they're free for the after party at least",
        "alice: there is no after party. we are 34 🙃",
        "bob: ok ok i won't ask him",
        "carol: quotes: kingsway coaches £690 for a 33 seater return, cotswold minis £540 but they can only do one run",
        "alice: kingsway then. @carol can you book it? we'll transfer you the deposit",
        "carol: yep will book it tomorrow",
        "carol: kingsway's sorted: 33 seater, pickups 14:25 and 15:55 from the station",
    ]
    tasks = [(t.owner_name, t.task, t.status) for t in extract_tasks(_reply(chat(*lines), 6, 5))]
    assert tasks == [
        ("Bob", "Ask kieran if they're free for the after party at least", "cancelled"),
        ("Carol", "Book it (re: kingsway)", "done"),
    ]
    assert [t.status for t in extract_tasks(chat("bob: i'll bring the cake", "bob: i won't be late this time"))] == ["open"]


def test_paying_someone_back_who_holds_the_kitty_and_two_mornings():
    lines = [
        "carol: got the hinge, 100mm galvanised, $18.50. receipt pic",
        "alice: who's got the kitty these days?",
        "bob: me, @carol i'll transfer you when i'm back monday",
        "bob: home! transferred $18.50 to carol ✅",
        "dan: hey all, new here (plot 14!). i can take saturday and sunday mornings if that helps",
    ]
    tasks = [(t.owner_name, t.task.split(" when")[0], t.status) for t in extract_tasks(_reply(chat(*lines), 2, 1), timezone="UTC")]
    assert tasks == [("Bob", "Transfer Carol", "done"), ("Dan", "Take saturday and sunday mornings", "open")]


def test_incident_roles_a_follow_up_restating_an_ask_and_live_but_too_noisy():
    lines = [
        "alice: declaring SEV2, I'm IC. @bob ops lead, @carol comms. keep this channel for the incident only pls",
        "alice: @dan can you check whether any payments got captured without an order being created?",
        "dan: yes, will query ledger vs orders for 13:55–14:20",
        "alice: ok, calling it resolved. follow-ups, owners please ack:\n1. @bob alert on pool wait time, not just 5xx — by friday\n"
        "2. @dan reconcile captured payments vs orders for the window (already in progress)",
        "bob: 1 ack, friday should be fine",
        "bob: pool wait alert is live in staging but way too noisy, need to tune the threshold before prod. realistically monday",
    ]
    tasks = [(t.owner_name, t.task, t.status) for t in extract_tasks(_reply(_reply(chat(*lines), 2, 1), 4, 3))]
    assert tasks == [
        ("Dan", "Check whether any payments got captured without an order being created", "open"),  # item 2 is the same
        ("Bob", "Do alert on pool wait time", "open"),  # live in staging, not done
    ]  # and no "Do ops lead" / "Do comms"


def test_now_in_an_ask_is_today():
    tasks = extract_tasks(chat("alice: @bob roll back to 2.40 now, don't wait on root cause"), timezone="UTC")
    assert [(t.task, t.due and t.due.date()) for t in tasks] == [("Roll back to 2.40", T0.date())]
    later = extract_tasks(chat("alice: @bob can you park the refactor for now and look at the import bug"), timezone="UTC")
    assert all(t.due is None for t in later)


def test_a_support_thread_diagnostics_and_an_offered_pull_request():
    asked = chat("alice: @bob can you run `docker exec pinwheel-server pinwheel db:check` and paste the output?")
    assert extract_tasks(asked) == []  # information asked of a user, not work
    offer = chat(
        "bob: would you take a PR for the cpu fallback? I have time this weekend",
        "alice: absolutely, it's yours then",
    )
    assert [(t.owner_name, t.task) for t in extract_tasks(_reply(offer, 1, 0))] == [("Bob", "Do the cpu fallback")]


def test_a_split_where_one_member_keeps_their_part_and_a_date_before_and():
    lines = ("bob: hi", "carol: hi", "alice: yusuf you're a hero. bob does the costco pickup with the box truck, carol stays on sorting")
    assert [(t.owner_name, t.task) for t in extract_tasks(chat(*lines))] == [("Bob", "Do the costco pickup with the box truck")]
    draw = extract_tasks(chat("alice: i'll run the draw on dec 6 and DM everyone their person"), timezone="UTC")
    assert [t.task for t in draw] == ["Run the draw and DM everyone their person"]


def test_work_taken_off_someones_plate_is_the_speakers():
    lines = (
        "carol: @bob fyi the docs link for the android backup setting 404s https://docs.pinwheel.app/mobile/backup",
        "bob: thanks, I'll fix the link this weekend",
        "alice: took the docs link one off bob's plate, the page had been renamed. PR merged, link works",
    )
    tasks = extract_tasks(_reply(chat(*lines), 1, 0))
    assert [(t.owner_name, t.task, t.status) for t in tasks] == [("Alice", "Fix the link", "done")]


def test_a_collection_under_way_is_not_finished():
    money = chat(
        "bob: I can handle the money. venmo or cash please by next wednesday", "bob: money update: 17 paid so far ($255). thanks everyone!"
    )
    assert [t.status for t in extract_tasks(money)] == ["open"]
    guests = chat("bob: i'll make a guest list", "bob: guest list: 22 so far, tia gloria is still a maybe")
    guests[-1] = dataclasses.replace(guests[-1], attachments=("guest_list.xlsx",))
    assert [t.status for t in extract_tasks(guests)] == ["done"]  # the list itself is made


def test_a_numbered_thing_described_is_not_an_imperative():
    lines = ("alice: @bob Figure 3 still uses the old normalization. Can you regenerate it with the corrected one?",)
    assert [t.task.split(" (re:")[0] for t in extract_tasks(chat(*lines))] == ["Regenerate it with the corrected one"]
