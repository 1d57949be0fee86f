"""/start, sharing a phone number, joining as staff, /language and /help."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from handlers import labels, menus
from handlers.buttons import Buttons
from handlers.common import (
    PRIVATE,
    Asker,
    Context,
    answer,
    callback_args,
    chat_of,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    main_menu,
    message_of,
    picker,
)
from handlers.i18n import LANGUAGE_NAMES
from handlers.sales import buyers as buyer_desk
from storage.records import Draft, Person
from workflow import onboarding, roles, views
from workflow.settings import LANGUAGES
from workflow.text import person_name
from workflow.tickets import Refusal


def _share_phone(who: Asker) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(who.tr("Share my phone number"), request_contact=True)]],
        resize_keyboard=True, one_time_keyboard=True)


def _name(update: Update) -> str:
    user = update.effective_user
    return person_name(user.first_name, user.last_name)[:100] if user else ""


@handles("onboarding.start")
async def start(update: Update, context: Context, who: Asker) -> None:
    d = context.desk
    if who.person is None:
        who.person = await _register(update, context, who)
    if context.args:
        await _join_as_staff(update, context, who, context.args[0])
        return
    if who.role is None:
        await answer(update, who.tr(
            "Welcome to the {estate} service desk. To report repairs, please share your phone "
            "number with the button below: we use it to find your unit on the owner roster.",
            estate=d.settings.estate_name), _share_phone(who))
        return
    await answer(update, who.tr("Welcome back, {name}. What would you like to do?",
                                name=who.person.name), main_menu(who))


async def _register(update: Update, context: Context, who: Asker) -> Person:
    """A stranger's account becomes a person (their id: storage/accounts.py)."""
    d = context.desk
    person = await onboarding.register(d.db, who.account, who.tr.language, _name(update),
                                       d.now())
    who.user_id = person.user_id
    return person


async def _join_as_staff(update: Update, context: Context, who: Asker, code: str) -> None:
    d = context.desk
    role = await onboarding.accept_invitation(d.db, who.user_id, code[:64], _name(update), d.now())
    if role == onboarding.THROTTLED:
        await answer(update, who.tr("Too many wrong invitation codes were tried from this "
                                    "account. Please try again in an hour, or ask the office."))
        return
    if role is None:
        await answer(update, who.tr("This invitation code is unknown, has expired or has already "
                                    "been used. Please ask the office for a new one."))
        return
    who.person = await views.person(d.db, who.user_id)
    lives_here = who.person is not None and who.person.lives_here
    await menus.set_for_chat(context.bot, chat_of(update), who.tr, role, lives_here)
    text = who.tr("Welcome to the team. You are now registered as {role}.",
                  role=labels.of(who.tr, labels.ROLES, role))
    if lives_here:
        text += "\n" + who.tr("Your flat stays linked: /repair and /mytickets work as before.")
    await answer(update, text, main_menu(who))


@handles("onboarding.contact")
async def contact(update: Update, context: Context, who: Asker) -> None:
    shared = message_of(update).contact
    if shared is None or str(shared.user_id) != who.account.external_id:
        await answer(update, who.tr("Please share your own phone number with the button, not "
                                    "someone else's contact."), _share_phone(who))
        return
    d = context.desk
    if who.person is None:
        who.person = await _register(update, context, who)
    outcome = await onboarding.contact_shared(d.db, who.user_id, shared.phone_number, d.now())
    if outcome.linked:
        who.person = await views.person(d.db, who.user_id)
        await menus.set_for_chat(context.bot, chat_of(update), who.tr, roles.RESIDENT)
        await answer(update, who.tr("Thank you. You are linked to unit {unit}.",
                                    unit=outcome.linked[0].label), ReplyKeyboardRemove())
        await answer(update, who.tr("What would you like to do?"), main_menu(who))
    elif outcome.contracts and not outcome.choices:  # a buyer, before the handover
        who.person = await views.person(d.db, who.user_id)
        await menus.set_for_chat(context.bot, chat_of(update), who.tr, roles.RESIDENT)
        await answer(update, who.tr("Thank you. You are the buyer under this contract; we will "
                                    "remind you of each date here. /contract shows it any "
                                    "time."), ReplyKeyboardRemove())
    for contract in outcome.contracts:
        await answer(update, buyer_desk.contract_text(who.tr, contract, d.now()))
    if outcome.linked or outcome.contracts and not outcome.choices:
        return
    if outcome.choices:
        rows = [[(u.label, f"o:unit:{u.id}")] for u in outcome.choices]
        rows.append([(who.tr("All of them"), "o:unit:all")])
        await answer(update, who.tr("Thank you. Your number is registered for several units. "
                                    "Which one do you live in?"), ReplyKeyboardRemove())
        await answer(update, who.tr("Choose a unit:"), keyboard(rows))
    else:
        await answer(update, who.tr(
            "Your number is not on the owner roster yet. Please type your building and unit, "
            "for example: A 12F-3. A clerk will check and approve it."), ReplyKeyboardRemove())


@handles("onboarding.pick_unit")
async def pick_unit(update: Update, context: Context, who: Asker) -> None:
    args = callback_args(update)
    unit_id = None if args[:1] == ["all"] else int_arg(args, 0)
    d = context.desk
    linked = await onboarding.pick_unit(d.db, who.user_id, unit_id, d.now())
    who.person = await views.person(d.db, who.user_id)
    await menus.set_for_chat(context.bot, chat_of(update), who.tr, roles.RESIDENT)
    await clear_buttons(update)
    await answer(update, who.tr("You are linked to: {units}.",
                                units=who.tr.join(u.label for u in linked)), main_menu(who))


async def on_claim(update: Update, context: Context, who: Asker, draft: Draft) -> None:
    """The typed unit of a resident not on the roster (a step of the router)."""
    text = message_of(update).text
    parsed = onboarding.parse_claim(text) if text else None
    if parsed is None:
        await answer(update, who.tr("Please type the building and the unit separated by a space, "
                                    "for example: A 12F-3."))
        return
    d = context.desk
    await onboarding.claim_unit(d.db, who.user_id, " ".join(parsed), d.now())
    await answer(update, who.tr("Thank you. A clerk will confirm your unit soon; we will "
                                "message you here."))


@handles("onboarding.decide")
async def decide_join(update: Update, context: Context, who: Asker) -> None:
    args = callback_args(update)
    approve = args[:1] == ["a"]
    request_id = int_arg(args, 1)
    d = context.desk
    request, unit = await onboarding.decide(d.db, request_id, who.user_id, approve, d.now())
    await clear_buttons(update)
    if approve:
        resident = await views.person(d.db, request.user_id)
        if resident is not None:
            await menus.set_for_person(context.bot, d.db, request.user_id,
                                       d.tr(resident.language), roles.RESIDENT)
        await answer(update, who.tr("Approved: {unit}.", unit=unit.label if unit else ""))
    else:
        await answer(update, who.tr("Rejected: {unit}.", unit=request.claimed_unit))


@handles("onboarding.language")
async def language(update: Update, context: Context, who: Asker) -> None:
    rows = [[(LANGUAGE_NAMES[code], f"o:lang:{code}")] for code in LANGUAGES
            if code in context.desk.settings.languages]
    await answer(update, who.tr("Choose your language:"), picker(who.tr, rows))


@handles("onboarding.language")
async def set_language(update: Update, context: Context, who: Asker) -> None:
    code = callback_args(update)[:1]
    d = context.desk
    if not code or code[0] not in d.settings.languages:
        raise Refusal(Refusal.INVALID)
    if who.person is None:  # not joined: nothing is stored; told how to, in their choice
        tr = d.tr(code[0])
        await answer(update, tr("Please send /start and share your phone number first, so we "
                                "know which unit is yours."))
        return
    await onboarding.set_language(d.db, who.user_id, code[0])
    who.tr = d.tr(code[0])
    await menus.set_for_chat(context.bot, chat_of(update), who.tr, who.role,
                             bool(who.person and who.person.lives_here))
    await clear_buttons(update)
    await answer(update, who.tr("I will speak English with you from now on."), main_menu(who))


@handles("onboarding.help")
async def help_(update: Update, context: Context, who: Asker) -> None:
    await answer(update, menus.help_text(who.tr, who.role), main_menu(who))


def register(app) -> None:
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    app.add_handler(CommandHandler("language", language, filters=PRIVATE))
    app.add_handler(CommandHandler("help", help_, filters=PRIVATE))
    app.add_handler(MessageHandler(PRIVATE & filters.CONTACT, contact))
    app.add_handler(Buttons(pick_unit, pattern=r"^o:unit:"))
    app.add_handler(Buttons(set_language, pattern=r"^o:lang:"))
    app.add_handler(Buttons(decide_join, pattern=r"^o:join:"))
    app.add_handler(Buttons(language, pattern=r"^m:language$"))
    app.add_handler(Buttons(help_, pattern=r"^m:help$"))
