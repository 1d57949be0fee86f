"""What the community's notices say: a new activity, a place freed, a reminder, a rating."""

from __future__ import annotations

from handlers.common import keyboard
from handlers.renderers import Notice, renders
from workflow.community import activities


@renders("activity_place", "activity_reminder", "activity_rating", "activity_new", plain=True)
async def _activity_notice(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    activity = await activities.of(n.d.db, n.payload["activity"])
    when = tr.datetime(activity.starts_at)
    if kind == "activity_new":
        await n.send(tr("A new community activity: {title}, {when} at {place}. Sign up with "
                        "the button or /activities. (Turn these notices off with "
                        "/notifications.)", title=activity.title, when=when,
                        place=activity.place),
                     keyboard([[(tr("Sign up"), f"ac:j:{activity.id}")]]))
        return
    if kind == "activity_place":
        await n.send(tr("Good news: places freed up, and you are in for {title} on {when} at "
                        "{place}.", title=activity.title, when=when, place=activity.place))
    elif kind == "activity_reminder":
        await n.send(tr("A reminder: {title} is on {when} at {place}. If you cannot come, "
                        "cancel with /activities so that others can.", title=activity.title,
                        when=when, place=activity.place))
    else:
        await n.send(tr("How was {title}? Please rate it from 1 to 5.", title=activity.title),
                     keyboard([[(f"{r}★", f"ac:r:{activity.id}:{r}") for r in range(1, 6)]]))
