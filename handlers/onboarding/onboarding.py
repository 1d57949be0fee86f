"""/start, sharing a phone number, joining as staff, /language and /help."""

from __future__ import annotations

import re

from handlers import labels, menus
from handlers.channels.content import ASKED, Ask, Asking
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    main_menu,
    picker,
    set_menus_of,
)
from handlers.i18n import LANGUAGE_NAMES
from handlers.onboarding import codes
from handlers.privacy import notice
from handlers.routes import CONTACT, routes
from handlers.sales import buyers as buyer_desk
from storage.records import Draft, Person
from workflow import roles, views
from workflow.onboarding import onboarding, unit_codes
from workflow.privacy import notice as privacy
from workflow.settings import LANGUAGES
from workflow.text import person_name
from workflow.tickets import Refusal

INVITATION = re.compile(r"[A-Za-z0-9_-]{1,40}")  # the shape of an invitation code (admin.py)


def _share_phone(who: Asker) -> Asking:
    return Asking(Ask.CONTACT, who.tr("Share my phone number"))


def _name(turn: Turn) -> str:
    return person_name(turn.first_name, turn.last_name)[:100]


@handles("onboarding.start")
async def start(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    if who.person is None:  # the privacy notice first: nothing is kept until it is accepted
        code = context.args[0] if context.args else None
        if code is not None and not INVITATION.fullmatch(code):
            await _unknown_code(turn, who)  # no invitation looks so: nothing to accept
            return
        await notice.offer(turn, context, who, code)
        return
    if context.args:
        await _join_as_staff(turn, context, who, context.args[0])
        return
    if who.role is None and codes.asked(turn):  # no phone to share here: a unit's code
        await codes.ask(turn, context, who, thanks=False)
        return
    if who.role is None:
        await answer(turn, who.tr(
            "Welcome to the {estate} service desk. To report repairs, please share your phone "
            "number with the button below: we use it to find your unit on the owner roster.",
            estate=d.settings.estate_name), asking=_share_phone(who))
        return
    await answer(turn, who.tr("Welcome back, {name}. What would you like to do?",
                                name=who.person.name), main_menu(who))


async def _register(turn: Turn, context: Context, who: Asker, version: str) -> Person:
    """A stranger's account becomes a person (their id: storage/accounts.py) as they accept
    this version of the privacy notice."""
    d = context.desk
    person = await privacy.join(d.db, d.settings, who.account, version, who.tr.language,
                                _name(turn), d.now())
    who.user_id = person.user_id
    return person


@handles("privacy.accept")
async def accept(turn: Turn, context: Context, who: Asker) -> None:
    """'I accept' under the notice (pn:ok:<version>[:<code>]): the person is made, the
    acceptance recorded, and the joining goes on as it came: a staff invitation's, a unit's
    code typed before, else the phone number asked for (on an app with no phone share, the
    unit's code)."""
    d, args = context.desk, callback_args(turn)
    version, carried, language = notice.accepting(args, d.settings)
    code, unit_code = carried, None
    if carried is not None and carried.startswith(notice.UNIT_CODE):
        code, unit_code = None, unit_codes.normal(carried[1:])
        if unit_code is None:
            raise Refusal(Refusal.INVALID)  # forged: nothing is kept
    if len(args) > 2 or code is not None and not INVITATION.fullmatch(code):
        raise Refusal(Refusal.INVALID)  # forged: nothing is kept
    if who.person is None:
        if version != privacy.current(d.settings):
            await notice.out_of_date(turn, context, who, carried, language)
            return
        if language is not None:  # chosen before joining: kept with the person from now
            who.tr = d.tr(language)
        who.person = await _register(turn, context, who, version)
    elif version == privacy.current(d.settings):  # a second tap, or one after a link
        await privacy.acknowledge(d.db, d.settings, who.user_id, version, who.account, d.now())
    elif carried is None:  # a person's tap on an older notice: the current one to read
        await notice.read_again(turn, context, who)
        return
    await clear_buttons(turn)
    if code is not None:
        await _join_as_staff(turn, context, who, code)
        return
    if unit_code is not None:
        await codes.typed(turn, context, who, unit_code)
        return
    if who.role is None and not who.member.phone and codes.asked(turn):
        await codes.ask(turn, context, who)
        return
    if who.role is None and not who.member.phone:
        await answer(turn, who.tr(
            "Thank you. To report repairs, please share your phone number with the button "
            "below: we use it to find your unit on the owner roster."),
            asking=_share_phone(who))
        return
    await answer(turn, who.tr("Thank you. /privacy shows the notice again at any time."),
                 main_menu(who))


@handles("privacy.decline")
async def decline(turn: Turn, context: Context, who: Asker) -> None:
    await clear_buttons(turn)
    if who.person is not None:  # joined already: declining now is a request to the office
        await answer(turn, who.tr("You have already joined. To stop the use of your data or "
                                  "delete it, send /mydata."))
        return
    await answer(turn, who.tr("You did not accept the notice, so nothing about you was "
                              "stored. Send /start whenever you wish to join."))


async def _unknown_code(turn: Turn, who: Asker) -> None:
    await answer(turn, who.tr("This invitation code is unknown, has expired or has already "
                              "been used. Please ask the office for a new one."))


async def _join_as_staff(turn: Turn, context: Context, who: Asker, code: str) -> None:
    d = context.desk
    role = await onboarding.accept_invitation(d.db, who.user_id, code[:64], _name(turn), d.now())
    if role == onboarding.THROTTLED:
        await answer(turn, who.tr("Too many wrong invitation codes were tried from this "
                                    "account. Please try again in an hour, or ask the office."))
        return
    if role is None:
        await _unknown_code(turn, who)
        return
    who.person = await views.person(d.db, who.user_id)
    lives_here = who.person is not None and who.person.lives_here
    await set_menus_of(context, who.user_id, who.tr, role, lives_here)
    text = who.tr("Welcome to the team. You are now registered as {role}.",
                  role=labels.of(who.tr, labels.ROLES, role))
    if lives_here:
        text += "\n" + who.tr("Your flat stays linked: /repair and /mytickets work as before.")
    await answer(turn, text, main_menu(who))


@handles("onboarding.contact")
async def contact(turn: Turn, context: Context, who: Asker) -> None:
    shared = turn.contact
    if shared is None or shared.account != who.account.external_id:
        await answer(turn, who.tr("Please share your own phone number with the button, not "
                                  "someone else's contact."),
                     asking=_share_phone(who) if who.person else notice.accept_and_share(who.tr))
        return
    d = context.desk
    if who.person is None:  # the button said so: sharing accepts the notice it came with
        who.person = await _register(turn, context, who, privacy.current(d.settings))
    outcome = await onboarding.contact_shared(d.db, who.user_id, shared.phone, d.now())
    if outcome.linked:
        who.person = await views.person(d.db, who.user_id)
        await set_menus_of(context, who.user_id, who.tr, roles.RESIDENT)
        await answer(turn, who.tr("Thank you. You are linked to unit {unit}.",
                                    unit=outcome.linked[0].label), asking=ASKED)
        await answer(turn, who.tr("What would you like to do?"), main_menu(who))
    elif outcome.contracts and not outcome.choices:  # a buyer, before the handover
        who.person = await views.person(d.db, who.user_id)
        await set_menus_of(context, who.user_id, who.tr, roles.RESIDENT)
        await answer(turn, who.tr("Thank you. You are the buyer under this contract; we will "
                                    "remind you of each date here. /contract shows it any "
                                    "time."), asking=ASKED)
    for contract in outcome.contracts:
        await answer(turn, buyer_desk.contract_text(who.tr, contract, d.now()))
    if outcome.linked or outcome.contracts and not outcome.choices:
        return
    if outcome.choices:
        rows = [[(u.label, f"o:unit:{u.id}")] for u in outcome.choices]
        rows.append([(who.tr("All of them"), "o:unit:all")])
        await answer(turn, who.tr("Thank you. Your number is registered for several units. "
                                    "Which one do you live in?"), asking=ASKED)
        await answer(turn, who.tr("Choose a unit:"), keyboard(rows))
    else:
        await answer(turn, who.tr(
            "Your number is not on the owner roster yet. Please type your building and unit, "
            "for example: A 12F-3. A clerk will check and approve it."), asking=ASKED)


@handles("onboarding.pick_unit")
async def pick_unit(turn: Turn, context: Context, who: Asker) -> None:
    args = callback_args(turn)
    unit_id = None if args[:1] == ["all"] else int_arg(args, 0)
    d = context.desk
    linked = await onboarding.pick_unit(d.db, who.user_id, unit_id, d.now())
    who.person = await views.person(d.db, who.user_id)
    await set_menus_of(context, who.user_id, who.tr, roles.RESIDENT)
    await clear_buttons(turn)
    await answer(turn, who.tr("You are linked to: {units}.",
                                units=who.tr.join(u.label for u in linked)), main_menu(who))


async def on_claim(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """The typed unit of a resident not on the roster (a step of the router); the code of
    the office's sheet, typed here, joins them at once."""
    text = turn.text
    if unit_codes.normal(text) is not None:
        await codes.typed(turn, context, who, text or "")
        return
    parsed = onboarding.parse_claim(text) if text else None
    if parsed is None:
        await answer(turn, who.tr("Please type the building and the unit separated by a space, "
                                    "for example: A 12F-3."))
        return
    d = context.desk
    await onboarding.claim_unit(d.db, who.user_id, " ".join(parsed), d.now())
    await answer(turn, who.tr("Thank you. A clerk will confirm your unit soon; we will "
                                "message you here."))


@handles("onboarding.decide")
async def decide_join(turn: Turn, context: Context, who: Asker) -> None:
    args = callback_args(turn)
    approve = args[:1] == ["a"]
    request_id = int_arg(args, 1)
    d = context.desk
    request, unit = await onboarding.decide(d.db, request_id, who.user_id, approve, d.now())
    await clear_buttons(turn)
    if approve:
        resident = await views.person(d.db, request.user_id)
        if resident is not None:
            await set_menus_of(context, request.user_id, d.tr(resident.language),
                               roles.RESIDENT)
        await answer(turn, who.tr("Approved: {unit}.", unit=unit.label if unit else ""))
    else:
        await answer(turn, who.tr("Rejected: {unit}.", unit=request.claimed_unit))


@handles("onboarding.language")
async def language(turn: Turn, context: Context, who: Asker) -> None:
    rows = [[(LANGUAGE_NAMES[code], f"o:lang:{code}")] for code in LANGUAGES
            if code in context.desk.settings.languages]
    await answer(turn, who.tr("Choose your language:"), picker(who.tr, rows))


@handles("onboarding.language")
async def set_language(turn: Turn, context: Context, who: Asker) -> None:
    code = callback_args(turn)[:1]
    d = context.desk
    if not code or code[0] not in d.settings.languages:
        raise Refusal(Refusal.INVALID)
    if who.person is None:  # not joined: nothing is stored; the notice, in their choice
        await clear_buttons(turn)
        await notice.offer(turn, context, who, language=code[0])
        return
    await onboarding.set_language(d.db, who.user_id, code[0])
    who.tr = d.tr(code[0])
    await set_menus_of(context, who.user_id, who.tr, who.role,
                             bool(who.person and who.person.lives_here))
    await clear_buttons(turn)
    await answer(turn, who.tr("I will speak English with you from now on."), main_menu(who))


@handles("onboarding.help")
async def help_(turn: Turn, context: Context, who: Asker) -> None:
    await answer(turn, menus.help_text(who.tr, who.role), main_menu(who))



ROUTES = routes(
    commands={"start": start, "language": language, "help": help_},
    buttons=[
        (r"^o:unit:", pick_unit),
        (r"^o:lang:", set_language),
        (r"^o:join:", decide_join),
        (r"^pn:ok(:|$)", accept),
        (r"^pn:no$", decline),
        (r"^m:start$", start),
        (r"^m:language$", language),
        (r"^m:help$", help_),
    ],
    messages=[
        (CONTACT, contact),
    ],
)
