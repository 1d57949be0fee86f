"""Personal data's front door: the privacy notice, /mydata and the requests it offers; the
breach drill's clock (its timer) and notices."""

from handlers.privacy import notices
from handlers.routes import Door
from workflow.privacy import breach

DOOR = Door(
    "privacy",
    routes=[],
    timers=[breach.sweep],
    notices=[notices],
)
