"""The desk records a report that came by phone, at the counter or in writing: /intake finds
the unit and the person, then the clerk writes the report with the resident's own steps."""

from __future__ import annotations

from handlers import cards, labels
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
    text_answer,
)
from handlers.complaints import complaints as complaint_report
from handlers.repairs import report as repair_report
from handlers.routes import routes
from storage.records import Draft
from workflow import intake
from workflow.tickets import Kind, Refusal


def _cancel(who: Asker) -> list[tuple[str, str]]:
    return [(who.tr("Cancel"), "r:x")]


async def _ask_unit(turn: Turn, who: Asker) -> None:
    await answer(turn, who.tr("A report taken by phone, at the counter or in writing. Which "
                                "unit? Type the building and unit (for example A 12F-3), or the "
                                "caller's phone number."), keyboard([_cancel(who)]))


@handles("intake.take")
async def begin(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    await intake.start(d.db, who.user_id, d.now())
    await _ask_unit(turn, who)


async def on_message(turn: Turn, context: Context, who: Asker, draft: Draft) -> None:
    """What the clerk types during the intake (a step of the router)."""
    d, tr = context.desk, who.tr
    if draft.step == "find":
        text = await text_answer(turn, who, intake.MAX_QUERY)
        if text is None:
            return
        units, close = await intake.find(d.db, who.user_id, text, d.now())
        if not units:
            rows = [[(u.label, f"i:u:{u.id}")] for u in close]
            await answer(turn, tr("No unit on the roster matches '{text}'. Please type the "
                                    "building and unit as on the roster (A 12F-3), or the "
                                    "caller's number.", text=text) + (
                "\n" + tr("Closest on the roster:") if close else ""),
                keyboard(rows + [_cancel(who)]))
        elif len(units) == 1:
            await _unit_chosen(turn, context, who, units[0].id)
        else:
            rows = [[(u.label, f"i:u:{u.id}")] for u in units]
            await answer(turn, tr("This number is on the roster for several units. Which "
                                    "one?"), keyboard(rows + [_cancel(who)]))
    elif draft.step == "caller":
        text = await text_answer(turn, who, intake.MAX_CALLER)
        if text is None:
            return
        await intake.set_caller(d.db, who.user_id, text, d.now())
        await _ask_kind(turn, who)
    else:
        await answer(turn, tr("Please use the buttons above, or /cancel to stop."))


async def _unit_chosen(turn: Turn, context: Context, who: Asker, unit_id: int) -> None:
    d, tr = context.desk, who.tr
    unit, found = await intake.choose_unit(d.db, who.user_id, unit_id, d.now())
    if not found:
        await answer(turn, tr("{unit} has nobody on the roster yet. Add the owner to the "
                                "roster first (estatedesk roster import).", unit=unit.label),
                     keyboard([_cancel(who)]))
        return
    rows = [[(f"{c.name} {cards.phone(c.phone)}" + ("" if c.on_telegram else " ☎"),
              f"i:p:{c.key}")] for c in found]
    await answer(turn, tr("{unit}: whose report is it? (☎: does not use the bot; the desk "
                            "will be asked to phone them with news)", unit=unit.label),
                 keyboard(rows + [_cancel(who)]))


async def _ask_kind(turn: Turn, who: Asker) -> None:
    tr = who.tr
    await answer(turn, tr("A repair or a complaint?"), keyboard([
        [(tr("Repair"), "i:k:R"), (tr("Complaint"), "i:k:C")], _cancel(who)]))


def _value(turn: Turn) -> str:
    """The choice an intake button carries ("" if none)."""
    args = callback_args(turn)
    return args[0] if args else ""


@handles("intake.take")
async def unit_chosen(turn: Turn, context: Context, who: Asker) -> None:
    if not _value(turn).isdigit():
        raise Refusal(Refusal.INVALID)
    await clear_buttons(turn)
    await _unit_chosen(turn, context, who, int_arg(callback_args(turn), 0))


@handles("intake.take")
async def person_chosen(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await intake.choose_person(d.db, d.settings, who.user_id, _value(turn), d.now())
    await clear_buttons(turn)
    rows = [[(labels.of(tr, labels.CHANNELS, c), f"i:ch:{c}")] for c in intake.CHANNELS]
    await answer(turn, tr("How did the report come in?"), keyboard(rows + [_cancel(who)]))


@handles("intake.take")
async def channel_chosen(turn: Turn, context: Context, who: Asker) -> None:
    d, tr = context.desk, who.tr
    await intake.choose_channel(d.db, who.user_id, _value(turn), d.now())
    await clear_buttons(turn)
    await answer(turn, tr("Who called or came? Type the name and number (for example "
                            "陳大文 0912-345-678), or tap below if it is the resident."),
                 keyboard([[(tr("The resident themselves"), "i:self")], _cancel(who)]))


@handles("intake.take")
async def resident_themselves(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    await intake.set_caller(d.db, who.user_id, None, d.now())
    await clear_buttons(turn)
    await _ask_kind(turn, who)


@handles("intake.take")
async def kind_chosen(turn: Turn, context: Context, who: Asker) -> None:
    d, value = context.desk, _value(turn)
    new = await intake.choose_kind(d.db, who.user_id, value, d.now())
    await clear_buttons(turn)
    flow = repair_report if value == Kind.REPAIR else complaint_report
    await flow.prompt(turn, context, who, new)


@handles("intake.take")
async def unknown_intake_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another i: button (forged, or from an old version)."""
    raise Refusal(Refusal.INVALID)



ROUTES = routes(
    commands={"intake": begin},
    buttons=[
        (r"^m:intake$", begin),
        (r"^i:u(:|$)", unit_chosen),
        (r"^i:p(:|$)", person_chosen),
        (r"^i:ch(:|$)", channel_chosen),
        (r"^i:self(:|$)", resident_themselves),
        (r"^i:k(:|$)", kind_chosen),
        (r"^i:", unknown_intake_button),  # the last of i:
    ],
)
