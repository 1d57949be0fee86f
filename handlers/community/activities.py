"""Community activities in the chat: /activities lists what is coming (residents sign up or
cancel; staff see who comes), /activity creates one; the new activity, the place freed, the
reminder and the rating arrive as notices; /notifications turns the notices of new
activities off or on (a resident's own setting, beside /language)."""

from __future__ import annotations

from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    allowed,
    answer,
    callback_args,
    clear_buttons,
    handles,
    int_arg,
    keyboard,
    kick,
    picker,
)
from handlers.i18n import Tr
from handlers.routes import routes
from storage.community.activities import Activity
from workflow import dates, roles
from workflow.community import activities
from workflow.tickets import Refusal


def line(tr: Tr, activity: Activity, taken: int) -> str:
    left = max(activity.capacity - taken, 0)
    if left == 0:
        return tr("{title}: {when} at {place}; full, with a waiting list", title=activity.title,
                  when=tr.datetime(activity.starts_at), place=activity.place)
    return tr("{title}: {when} at {place}; {left} of {capacity} places left", title=activity.title,
              when=tr.datetime(activity.starts_at), place=activity.place, left=left,
              capacity=activity.capacity)


@handles("activities.list")
async def listing(turn: Turn, context: Context, who: Asker) -> None:
    tr, d = who.tr, context.desk
    found = await activities.coming(d.db, d.now())
    if not found:
        await answer(turn, tr("No activity is planned yet."))
        return
    for activity, taken in found:
        buttons = [(tr("Attendees"), f"ac:l:{activity.id}")] \
            if roles.can_dispatch(who.role) else \
            [(tr("Sign up"), f"ac:j:{activity.id}"), (tr("Cancel my places"),
                                                      f"ac:x:{activity.id}")]
        await answer(turn, line(tr, activity, taken), keyboard([buttons]))


@handles("activities.create")
async def create(turn: Turn, context: Context, who: Asker) -> None:
    """/activity 2026-12-12 14:00 | 40 | 4 | Clubhouse | Christmas crafts"""
    tr, d = who.tr, context.desk
    parts = [p.strip() for p in " ".join(context.args or []).split("|")]
    try:
        when = dates.moment(parts[0], d.settings.tz)
        capacity = int(parts[1])
        per_unit = None if parts[2] in ("", "-") else int(parts[2])
        place, title = parts[3], parts[4]
        if not place or not title or len(title) > 200 or len(place) > 200:
            raise ValueError(title)
        activity = await activities.create(d.db, who.user_id, title, place, when, capacity,
                                           per_unit, d.now(), d.settings)
    except (IndexError, ValueError, Refusal) as exc:
        if isinstance(exc, Refusal) and exc.reason == Refusal.FORBIDDEN:
            raise
        await answer(turn, tr("Please write: /activity date time | places | per unit (or -) "
                                "| place | title, for example: /activity 2026-12-12 14:00 | 40 "
                                "| 4 | Clubhouse | Christmas crafts"))
        return
    await answer(turn, tr("Planned: {line}. Residents sign up with /activities.",
                            line=line(tr, activity, 0)))


def _activity_args(turn: Turn) -> tuple[int, list[str]]:
    """An activity button's activity and its arguments (that id first); a forged id is
    refused before anything is looked up."""
    args = callback_args(turn)
    return int_arg(args, 0), args


@handles("button.per_action")
async def attendees(turn: Turn, context: Context, who: Asker) -> None:
    activity_id, _ = _activity_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "activities.attendees")
    activity, found = await activities.attendees(d.db, activity_id, who.user_id)
    coming = [f"· {name} ({unit}) × {s.people}" for s, name, unit in found
              if s.state == activities.IN]
    waiting = [f"· {name} ({unit}) × {s.people}" for s, name, unit in found
               if s.state == activities.WAITING]
    await answer(turn, "\n".join([activity.title, tr("Coming: {n} people", n=sum(
        s.people for s, _, _ in found if s.state == activities.IN)), *coming] +
        ([tr("Waiting list:"), *waiting] if waiting else [])))


@handles("button.per_action")
async def notices_switched(turn: Turn, context: Context, who: Asker) -> None:
    """The notices' switch, set as the button says (a second tap: same)."""
    _, args = _activity_args(turn)
    d, tr = context.desk, who.tr
    await allowed(context, who, "activities.notifications")
    on = await activities.set_notices(d.db, who.user_id, int_arg(args, 1) == 1, d.now())
    await clear_buttons(turn)
    if await activities.stopped_by_request(d.db, who.user_id):
        await answer(turn, _stopped(tr))
        return
    await answer(turn, *_notices(tr, on))


async def _joining(turn: Turn, context: Context, who: Asker) -> tuple[int, list[str]]:
    found = _activity_args(turn)
    await allowed(context, who, "activities.join")
    return found


@handles("button.per_action")
async def join(turn: Turn, context: Context, who: Asker) -> None:
    activity_id, _ = await _joining(turn, context, who)
    d, tr = context.desk, who.tr
    activity = await activities.of(d.db, activity_id)
    await answer(turn, tr("How many people will come?"), picker(tr, [[
        (str(n), f"ac:n:{activity.id}:{n}") for n in range(1, activities.most(activity) + 1)
    ]]))


@handles("button.per_action")
async def people_chosen(turn: Turn, context: Context, who: Asker) -> None:
    activity_id, args = await _joining(turn, context, who)
    d, tr = context.desk, who.tr
    signup = await activities.sign_up(d.db, activity_id, who.user_id, int_arg(args, 1),
                                      d.now())
    await clear_buttons(turn)
    kick(context)
    if signup.state == activities.IN:
        await answer(turn, tr.plural("You are signed up for {n} person. See you there!",
                                       "You are signed up for {n} people. See you there!",
                                       signup.people))
        return
    left = next((max(a.capacity - t, 0) for a, t in await activities.coming(d.db, d.now())
                 if a.id == activity_id), 0)
    await answer(turn, tr.plural(
        "It is full: you are on the waiting list for {n} person; we tell you if places "
        "free up.", "It is full: you are on the waiting list for {n} people; we tell you "
        "if places free up.", signup.people) if left == 0
                 else tr("Places left: {left}, fewer than your {n}: you are on the "
                         "waiting list; we tell you if places free up.", left=left,
                         n=signup.people))


@handles("button.per_action")
async def cancel_places(turn: Turn, context: Context, who: Asker) -> None:
    activity_id, _ = await _joining(turn, context, who)
    d, tr = context.desk, who.tr
    done = await activities.cancel(d.db, activity_id, who.user_id, d.now())
    kick(context)
    await answer(turn, tr("Your places are cancelled.") if done else
                 tr("You have no places to cancel."))


@handles("button.per_action")
async def rated(turn: Turn, context: Context, who: Asker) -> None:
    activity_id, args = await _joining(turn, context, who)
    d, tr = context.desk, who.tr
    first = await activities.rate(d.db, activity_id, who.user_id, int_arg(args, 1), d.now())
    await clear_buttons(turn)
    await answer(turn, tr("Thank you for your rating.") if first else
                 tr("You have already rated this one. Thank you!"))


@handles("button.per_action")
async def unknown_activity_button(turn: Turn, context: Context, who: Asker) -> None:
    """Another ac: button (forged, or from an old version): refused after the same checks as
    before."""
    await _joining(turn, context, who)
    raise Refusal(Refusal.INVALID)


@handles("activities.notifications")
async def notifications(turn: Turn, context: Context, who: Asker) -> None:
    """/notifications: whether new activities are told, with the switch."""
    on = await activities.notices_on(context.desk.db, who.user_id)
    if await activities.stopped_by_request(context.desk.db, who.user_id):
        await answer(turn, _stopped(who.tr))
        return
    await answer(turn, *_notices(who.tr, on))


def _stopped(tr: Tr) -> str:
    return tr("Notices of new activities: off. The desk stopped using your data, as you "
              "asked; to hear of activities again, ask the office.")


def _notices(tr: Tr, on: bool):
    return (tr("Notices of new activities: on. You hear of each new activity.") if on else
            tr("Notices of new activities: off. See what is coming with /activities."),
            keyboard([[(tr("Turn them off") if on else tr("Turn them on"),
                        f"ac:nt:0:{0 if on else 1}")]]))



ROUTES = routes(
    commands={"notifications": notifications, "activities": listing, "activity": create},
    buttons=[
        (r"^ac:l(:|$)", attendees),
        (r"^ac:nt(:|$)", notices_switched),
        (r"^ac:j(:|$)", join),
        (r"^ac:n(:|$)", people_chosen),
        (r"^ac:x(:|$)", cancel_places),
        (r"^ac:r(:|$)", rated),
        (r"^ac:", unknown_activity_button),  # the last of ac:
    ],
)
