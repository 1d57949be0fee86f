"""/link: a second chat account for the same person. `/link` shows a one-time code; typed as
`/link 123456` from the other account it links that account, and the person chooses, with
buttons, which account hears the desk's notices (workflow/linking.py)."""

from __future__ import annotations

from handlers.channels.content import ASKED
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    button_data,
    clear_buttons,
    handles,
    keyboard,
    set_menus_of,
)
from handlers.i18n import Tr
from handlers.renderers import Notice, renders
from handlers.routes import routes
from storage import accounts
from storage.records import Account
from workflow import access, views
from workflow.onboarding import linking
from workflow.tickets import Refusal

# A channel's own name, the same in every language
CHANNEL_NAMES = {accounts.TELEGRAM: "Telegram", "line": "LINE"}
CHOOSE = "lk:ch:"  # + channel:external id (a LINE id is 33 characters: within Telegram's 64)


def _choices(tr: Tr, here: Account, linked) -> list[list[tuple[str, str]]]:
    rows = []
    for found in linked:
        if found.account == here:
            label = tr("This account")
        else:
            label = tr("{channel} account, since {date}",
                       channel=CHANNEL_NAMES.get(found.account.channel, found.account.channel),
                       date=tr.datetime(found.linked_at))
        if found.chosen:
            label = f"✓ {label}"
        rows.append([(label, f"{CHOOSE}{found.account.channel}:{found.account.external_id}")])
    return rows


@handles("linking.use")
async def link(turn: Turn, context: Context, who: Asker) -> None:
    """`/link`: a code to type in the other account; `/link <code>`: typed there."""
    if context.args:
        await use(turn, context, who, context.args[0][:32])
        return
    d = context.desk
    if not access.may("linking.code", who.person):
        await answer(turn, who.tr("Please send /start and share your phone number first, "
                                    "so we know which unit is yours."))
        return
    code, until = await linking.new_code(d.db, who.user_id, d.now())
    await answer(turn, who.tr(
        "Your link code: {code}\n\nFrom your other account, send the bot: /link {code}\n"
        "It works once, until {time}. Do not pass it on: whoever types it acts as you at "
        "the desk.", code=code, time=who.tr.datetime(until)))
    linked = await linking.accounts_of(d.db, who.user_id)
    if len(linked) > 1:
        await answer(turn, who.tr("Which account should get the desk's notices?"),
                     keyboard(_choices(who.tr, who.account, linked)))


async def use(turn: Turn, context: Context, who: Asker, code: str) -> None:
    """A link code typed in the account to link (after /link, or alone by a newcomer)."""
    d = context.desk
    done = await linking.link(d.db, who.account, code, d.now())
    if done.outcome is linking.Outcome.THROTTLED:
        await answer(turn, who.tr("Too many wrong link codes were tried from this account. "
                                    "Please try again in an hour."))
        return
    if done.outcome is linking.Outcome.WRONG:
        await answer(turn, who.tr("This link code is unknown, has expired or has already "
                                    "been used. On your other account, send /link for a new "
                                    "one."))
        return
    if done.outcome is linking.Outcome.TAKEN:
        await answer(turn, who.tr("This account already has its own records at the desk (a "
                                    "unit, a role or reports), so it cannot be linked to "
                                    "another person. Please ask the office."))
        return
    assert done.person_id is not None
    person = await views.person(d.db, done.person_id)
    assert person is not None
    tr = d.tr(person.language)
    if done.outcome is linking.Outcome.ALREADY:
        await answer(turn, tr("This account is already yours at the desk."))
        return
    await set_menus_of(context, person.user_id, tr, person.role, person.lives_here)
    await answer(turn, tr("This account is now linked: you can use the desk from here as "
                          "from your other account."), asking=ASKED)  # no phone to share
    await answer(turn, tr("Which account should get the desk's notices?"),
                 keyboard(_choices(tr, who.account, done.linked)))


@handles("linking.choose")
async def choose(turn: Turn, context: Context, who: Asker) -> None:
    channel, _, external_id = button_data(turn)[len(CHOOSE):].partition(":")
    if not external_id:
        raise Refusal(Refusal.INVALID)
    chosen = Account(channel, external_id)
    d = context.desk
    changed = await linking.choose(d.db, who.user_id, chosen)
    await clear_buttons(turn)
    name = CHANNEL_NAMES.get(channel, channel)
    if chosen == who.account:
        text = who.tr("From now on the desk's notices come to this account.") if changed else \
            who.tr("The desk's notices already come to this account.")
    elif changed:
        text = who.tr("From now on the desk's notices come to your other {channel} account.",
                      channel=name)
    else:
        text = who.tr("The desk's notices already come to your other {channel} account.",
                      channel=name)
    await answer(turn, text)


@renders(linking.LINKED_NOTICE, plain=True)
async def _linked(n: Notice) -> None:
    await n.send(n.tr("A {channel} account was just linked to you at the desk. If it was not "
                      "you, please tell the office at once.",
                      channel=CHANNEL_NAMES.get(n.payload.get("channel", ""), "?")))


ROUTES = routes(
    commands={"link": link},
    buttons=[(rf"^{CHOOSE}", choose)],
)
