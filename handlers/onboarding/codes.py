"""Joining by the code on the office's sheet (workflow/onboarding/unit_codes.py): asked for
after 'I accept' on an app with no phone to share (LINE), with 'I have no code' leading to
the unit typed for a clerk to approve; typed instead of sharing the phone on one that has
(Telegram). A stranger who types a code is shown the privacy notice first; its 'I accept'
carries the code."""

from __future__ import annotations

from handlers.channels.content import ASKED, Choices
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    clear_buttons,
    handles,
    keyboard,
    main_menu,
    set_menus_of,
)
from handlers.i18n import N_, Tr
from handlers.privacy import notice
from handlers.routes import routes
from storage.records import Draft
from workflow import roles, views
from workflow.onboarding import unit_codes
from workflow.onboarding.unit_codes import Outcome

NO_CODE = "uc:none"
CARRIED = "+"  # an accept button's code that is a unit's, not a staff invitation's

REFUSED = {
    Outcome.NOT_A_CODE: N_("That is not a code. The code on the office's sheet has 8 letters "
                           "and digits, for example K7QM-3WXT: please type it."),
    Outcome.UNKNOWN: N_("This code is unknown. Please check it against the office's sheet "
                        "and type it again."),
    Outcome.REPLACED: N_("This code was replaced by a newer one for the unit. Please type "
                         "the code of the newest sheet, or ask the office."),
    Outcome.EXPIRED: N_("This code has expired. Please ask the office for a new one for your "
                        "unit."),
    Outcome.USED_UP: N_("This code has been used by as many people as it admits. Please ask "
                        "the office for a new one for your unit."),
    Outcome.THROTTLED: N_("Too many wrong codes were tried from this account. Please try "
                          "again in an hour, or ask the office."),
}


def _no_code(tr: Tr, turn: Turn) -> Choices | None:
    """'I have no code', where the app has no phone share to join by instead."""
    return None if turn.channel.limits.contact else keyboard([[(tr("I have no code"),
                                                                  NO_CODE)]])


def asked(turn: Turn) -> bool:
    """Whether the person joins by a code rather than by sharing a phone number."""
    return not turn.channel.limits.contact


async def ask(turn: Turn, context: Context, who: Asker, thanks: bool = True) -> None:
    """A person with no unit yet, on an app with no phone share: the code, or 'I have no
    code'."""
    d = context.desk
    await unit_codes.ask(d.db, who.user_id, d.now())
    text = who.tr("Thank you. To report repairs, please type the code for your unit from "
                  "the office's sheet (for example K7QM-3WXT). If you have none, tap 'I have "
                  "no code'.") if thanks else \
        who.tr("To report repairs, please type the code for your unit from the office's "
               "sheet (for example K7QM-3WXT). If you have none, tap 'I have no code'.")
    await answer(turn, text, _no_code(who.tr, turn))


async def typed(turn: Turn, context: Context, who: Asker, text: str) -> None:
    """A code typed where the desk asked for a phone or a code (or by a stranger: the
    notice first, its 'I accept' carrying the code)."""
    if who.person is None:
        code = unit_codes.normal(text)
        await notice.offer(turn, context, who, f"{CARRIED}{code}" if code else None,
                           None if code else who.tr.language)
        return
    d = context.desk
    done = await unit_codes.redeem(d.db, who.user_id, who.account, text, d.now())
    if done.outcome in REFUSED:
        await answer(turn, who.tr(REFUSED[done.outcome]), _no_code(who.tr, turn))
        return
    assert done.unit is not None
    who.person = await views.person(d.db, who.user_id)
    if done.outcome is Outcome.ALREADY:
        await answer(turn, who.tr("You are already linked to unit {unit}.",
                                  unit=done.unit.label), main_menu(who))
        return
    await set_menus_of(context, who.user_id, who.tr, who.role or roles.RESIDENT, True)
    await answer(turn, who.tr("Thank you. You are linked to unit {unit}.",
                              unit=done.unit.label), asking=ASKED)
    await answer(turn, who.tr("What would you like to do?"), main_menu(who))


async def on_code(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The step where the code is expected (a sticker, a photo or a long text: not one)."""
    await typed(turn, context, who, turn.text or "")


@handles("onboarding.no_code")
async def no_code(turn: Turn, context: Context, who: Asker) -> None:
    """'I have no code': the unit typed instead, for a clerk to approve."""
    d = context.desk
    await clear_buttons(turn)
    if who.person is None or not await unit_codes.no_code(d.db, who.user_id, d.now()):
        await answer(turn, who.tr("That is no longer asked. Nothing was changed."),
                     main_menu(who))
        return
    await answer(turn, who.tr(
        "Please type your building and unit, for example: A 12F-3. A clerk will check and "
        "approve it."))


ROUTES = routes(buttons=[(rf"^{NO_CODE}$", no_code)])
