"""LINE's webhook front: LINE posts signed events; the desk checks the signature before
anything else, takes each event once (by its webhookEventId), answers inside the event's
reply, keeps at once what people send (LINE deletes it), refuses a group politely, and
answers 503 while its database cannot be reached, so LINE delivers the events again."""

from __future__ import annotations

import pytest

from handlers.channels.line.front import lock_key
from storage.channels import media as kept
from tests.line_front_fakes import (
    FakeLineApi,
    LineUser,
    body_of,
    build,
    signature,
    user_id,
)
from workflow import admin, roles

MAY, CLERK, STRANGER = user_id(1), user_id(2), user_id(3)
PHOTO = b"\xff\xd8\xff\xe0" + b"the leak under the sink" * 40


@pytest.fixture
def line_api():
    with FakeLineApi() as api:
        api.profiles[MAY] = {"displayName": "May", "language": "en"}
        api.profiles[CLERK] = {"displayName": "Clerk Chen", "language": "en"}
        api.profiles[STRANGER] = {"displayName": "陳小姐", "language": "zh-TW"}
        yield api


@pytest.fixture
async def line(desk, line_api):
    front, channel = build(desk, line_api)
    yield front, channel
    await front.client.close()


def person(line, external_id: str, name: str) -> LineUser:
    front, channel = line
    return LineUser(front, channel, external_id, name)


async def counts(desk) -> tuple:
    found = []
    for table in ("people", "channel_accounts", "seen_updates", "media"):
        found.append((await desk.query(f"SELECT count(*) FROM {table}"))[0][0])
    return tuple(found)


async def hire_clerk(desk, line) -> LineUser:
    clerk = person(line, CLERK, "Clerk Chen")
    code = await admin.invite(desk.db, roles.CLERK, "Desk clerk", desk.clock())
    assert await clerk.send(f"/start {code}") == 200
    assert await clerk.tap("I accept") == 200  # a postback: the choice's token
    assert "registered as clerk" in clerk.last_text
    return clerk


async def test_a_forged_signature_is_refused_and_nothing_is_stored(desk, line):
    front, channel = line
    may = person(line, MAY, "May")
    before = await counts(desk)
    body = body_of(may.event("follow", follow={"isUnblocked": False}))
    assert await front.handle(body, signature(body, secret="someone-else's")) == 401
    assert await front.handle(body, "") == 401
    tampered = body.replace(b"follow", b"unfollow", 1)
    assert await front.handle(tampered, signature(body)) == 401
    assert await counts(desk) == before
    assert channel.chats == {} and channel.replies == []
    assert await front.handle(b"not json at all", signature(b"not json at all")) == 400


async def test_following_the_account_shows_the_privacy_notice_in_the_persons_language(
        desk, line):
    may = person(line, MAY, "May")
    assert await may.follow() == 200
    assert "Privacy notice" in may.last_text  # her LINE profile's language: English
    front, channel = line
    assert channel.replies[-1][0].startswith("reply-")  # answered in the event's reply
    assert await desk.query("SELECT count(*) FROM people") == [(0,)]  # not accepted yet


async def test_a_stranger_who_writes_is_answered_in_the_language_of_their_profile(desk, line):
    stranger = person(line, STRANGER, "陳小姐")
    assert await stranger.send("你好") == 200
    assert stranger.last_text == "請傳送 /start 開始使用。"


async def test_a_tapped_choice_comes_back_as_its_token_and_a_replayed_event_counts_once(
        desk, line):
    clerk = await hire_clerk(desk, line)
    registered = len([t for t in clerk.texts() if "registered as clerk" in t])
    assert await clerk.again() == 200  # LINE delivers the tap again
    assert len([t for t in clerk.texts() if "registered as clerk" in t]) == registered
    assert await desk.query("SELECT role, name FROM people") == [("clerk", "Desk clerk")]
    assert await desk.query("SELECT channel, external_id FROM channel_accounts") == [
        ("line", CLERK)]


async def test_a_photo_is_fetched_from_line_at_once_and_kept_once(desk, line, line_api):
    line_api.contents["m-photo-1"] = (PHOTO, "image/jpeg")
    clerk = await hire_clerk(desk, line)
    assert await clerk.send_image("m-photo-1") == 200
    assert await desk.query("SELECT channel, external_id, content_type, size FROM media") == [
        ("line", CLERK, "image/jpeg", len(PHOTO))]
    assert await clerk.again() == 200  # delivered again: not fetched, not kept twice
    assert line_api.fetched == ["m-photo-1"]
    assert await desk.query("SELECT count(*) FROM media") == [(1,)]
    telegram = desk.app.bot_data.outboxes["telegram"]
    assert await telegram.fetch(kept.ref_of(1)) == PHOTO  # a technician on Telegram gets it


async def test_a_strangers_photo_is_not_kept_before_they_accept_the_notice(desk, line,
                                                                           line_api):
    line_api.contents["m-photo-2"] = (PHOTO, "image/jpeg")
    may = person(line, MAY, "May")
    assert await may.send_image("m-photo-2") == 200
    assert may.last_text == "Please send /start to begin."
    assert line_api.fetched == [] and await counts(desk) == (0, 0, 0, 0)


async def test_a_photo_line_no_longer_has_is_asked_for_again_and_nothing_is_kept(desk, line,
                                                                              line_api):
    clerk = await hire_clerk(desk, line)
    before = await counts(desk)
    assert await clerk.send_image("m-gone") == 200
    assert clerk.last_text == "Sorry, the photo could not be received. Please send it again."
    assert await counts(desk) == before


async def test_a_group_gets_one_polite_line_and_nothing_is_stored(desk, line):
    front, channel = line
    may = person(line, MAY, "May")
    in_group = may.event("message", message={"type": "text", "id": "m-g", "quoteToken": "q",
                                             "text": "/start"})
    in_group["source"] = {"type": "group", "groupId": "Cgroup1", "userId": MAY}
    assert await may.post(in_group) == 200
    assert [s.text for s in channel.chats["Cgroup1"]] == [
        "本服務台只在一對一聊天中服務：請直接傳訊息給這個帳號，不要在群組中。"]
    assert await counts(desk) == (0, 0, 0, 0)


async def test_an_event_the_desk_does_not_take_is_answered_and_changes_nothing(desk, line):
    """LINE adds events and message types over time; an unsend, a video watched to the end
    or a kind of message not known yet is taken (200) and changes nothing."""
    may = person(line, MAY, "May")
    assert await may.post(may.event("unsend", unsend={"messageId": "m-1"}),
                          may.event("hologram"),
                          may.event("message", message={"type": "hologram", "id": "m-2"})) == 200
    assert may.shown == [] and await counts(desk) == (0, 0, 0, 0)


async def test_unfollowing_marks_the_person_unreachable(desk, line):
    clerk = await hire_clerk(desk, line)
    assert await clerk.unfollow() == 200
    assert await desk.query("SELECT count(*) FROM people WHERE unreachable_at IS NOT NULL") \
        == [(1,)]
    await clerk.send("/help")  # back again: reachable
    assert await desk.query("SELECT count(*) FROM people WHERE unreachable_at IS NULL") == [
        (1,)]


async def test_the_database_down_answers_503_and_the_event_is_handled_once_it_is_back(
        desk, line):
    may = person(line, MAY, "May")
    await desk.db.close()
    event = may.event("follow", follow={"isUnblocked": False})
    assert await may.post(event) == 503
    assert may.shown == []
    await desk.db.open()
    assert await may.again() == 200  # LINE delivers it again
    assert "Privacy notice" in may.last_text


def test_a_persons_lock_is_a_stable_number_of_63_bits():
    assert lock_key(MAY) == lock_key(MAY) != lock_key(CLERK)
    assert 0 <= lock_key(MAY) < 2 ** 63
