"""The fees' front door: what the area answers, its timer (collection's reminders)."""

from handlers.fees import desk, notices
from handlers.routes import Door
from workflow.fees import collection

DOOR = Door("fees", routes=[desk.ROUTES], timers=[collection.sweep], notices=[notices])
