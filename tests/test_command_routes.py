"""A command reaches its area as PTB's own CommandHandler would hand it (the desk's routes
are one PTB handler, handlers/channels/telegram/routes.py): by its name in any case, with
its words after it, addressed to this bot or to none; a command for another bot, an edited
message and a command typed in a group are not taken."""

from tests.stories import resident_of_a12


async def test_a_command_in_capitals_or_for_this_bot_is_taken_and_another_bots_is_not(desk):
    resident = await resident_of_a12(desk)
    me = (await desk.app.bot.get_me()).username
    for text in ("/mytickets", "/MyTickets", f"/mytickets@{me}", f"/mytickets@{me.upper()}",
                 "/mytickets please"):
        await resident.send(text)
        assert resident.new_texts()[-1].startswith("You have no tickets yet"), text
    for text in ("/mytickets@SomeOtherBot", "/mytickets@", "/nosuchcommand"):
        await resident.send(text)
        assert resident.new_texts() == [
            "I do not know that command. /help shows what you can do."], text


async def test_an_edited_command_and_a_command_in_a_group_are_not_answered(desk):
    resident = await resident_of_a12(desk)
    resident.new_texts()
    entities = [{"type": "bot_command", "offset": 0, "length": 10}]
    await desk.feed({"edited_message": {**resident._message(text="/mytickets",
                                                           entities=entities),
                                        "edit_date": desk.api.now}})
    group = {"id": -100777, "type": "supergroup", "title": "Neighbours"}
    await desk.feed({"message": {**resident._message(text="/mytickets", entities=entities),
                                 "chat": group}})
    assert resident.new_texts() == []
    assert [c for c in desk.api.calls if c.chat_id == -100777] == []


async def test_a_service_message_is_not_taken_for_an_answer_but_a_sticker_is(desk):
    """A pinned message's notice is no message of the person's: nothing answers it; a
    sticker is, and gets the pointer to the menu."""
    resident = await resident_of_a12(desk)
    resident.new_texts()
    pinned = resident._message(text="Please read the house rules.")
    await desk.feed({"message": resident._message(pinned_message=pinned)})
    assert resident.new_texts() == []
    await resident.send_sticker()
    assert resident.new_texts() != []
