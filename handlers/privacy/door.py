"""Personal data's front door: the privacy notice, /mydata and the requests it offers; the
retention sweep (workflow/privacy/retention.py)."""

from handlers.routes import Door
from workflow.privacy import retention

DOOR = Door(
    "privacy",
    routes=[],
    timers=[retention.sweep],
)
