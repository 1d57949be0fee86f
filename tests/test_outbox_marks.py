"""What the outbox's delivery asks of the database: what is due is read with its recipients
in one query (claimed on PostgreSQL, where several workers send; nothing to claim on SQLite),
the messages of chats done together are marked sent in one statement, and no mark waits on
Telegram's answer to another message, for a crash meanwhile would send it twice."""

import asyncio

from storage import accounts, counts, outbox
from workflow import delivery

PEOPLE = (7201, 7202, 7203)


async def replies(desk, *recipients: int) -> None:
    async with desk.db.transaction() as conn:
        for n, person in enumerate(recipients):
            await outbox.add_to_chat(conn, accounts.telegram(person), delivery.REPLY,
                                     desk.clock(), payload={"text": f"Reply {n}",
                                                            "markup": None})


def texts_to(desk, person: int) -> list[str]:
    return [c.text for c in desk.api.calls if c.chat_id == person]


async def test_three_peoples_messages_are_read_in_one_query_and_marked_in_one_statement(
        desk, monkeypatch):
    await replies(desk, *PEOPLE)
    marked: list[list[int]] = []
    mark = outbox.mark_all_sent

    async def spied(conn, message_ids, now):
        marked.append(list(message_ids))
        await mark(conn, message_ids, now)

    monkeypatch.setattr(outbox, "mark_all_sent", spied)
    before = counts.now()
    assert await desk.deliver() == 3
    used = counts.now() - before
    assert all(texts_to(desk, p) for p in PEOPLE)
    assert await desk.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    assert sorted(i for ids in marked for i in ids) == [1, 2, 3]  # each marked once
    if not desk.db.shared:  # SQLite: one read, one transaction (the marks); nothing claimed
        assert [sorted(ids) for ids in marked] == [[1, 2, 3]]
        assert (used.statements, used.transactions) == (2, 1)
    # (PostgreSQL: the chats finish as their claims' renewals come back; those done while
    # a mark is under way are marked together)


async def test_a_sent_message_is_marked_before_the_next_one_waits_for_telegram(desk):
    person = PEOPLE[0]
    await replies(desk, person, person)
    waiting, answer, sends = asyncio.Event(), asyncio.Event(), 0
    answered = desk.api.do_request

    async def slow_second(url, *args, **kwargs):
        nonlocal sends
        if url.endswith("/sendMessage"):
            sends += 1
            if sends == 2:
                waiting.set()
                await answer.wait()  # Telegram has not answered the second one yet
        return await answered(url, *args, **kwargs)

    desk.api.do_request = slow_second
    delivering = asyncio.create_task(desk.deliver())
    await asyncio.wait_for(waiting.wait(), 30)
    assert await desk.query("SELECT id FROM outbox WHERE sent_at IS NOT NULL") == [(1,)]
    answer.set()
    assert await delivering == 2
    assert texts_to(desk, person) == ["Reply 0", "Reply 1"]
    assert await desk.query("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
