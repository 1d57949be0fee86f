"""The community's front door: what the area answers, the steps of its conversations, its
timer (activities' reminders)."""

from handlers.community import activities, announcements, notices
from handlers.routes import Door
from workflow.community import activities as activity_flow
from workflow.community import announcements as announcement_flow

DOOR = Door(
    "community",
    routes=[activities.ROUTES, announcements.ROUTES],
    steps={announcement_flow.FLOW: announcements.on_message},
    timers=[lambda db, settings, now: activity_flow.sweep(db, now)],
    notices=[notices],
)
