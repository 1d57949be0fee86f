"""Personal data's front door: the privacy notice, /mydata and the requests it offers; the
access log's retention sweep."""

from handlers.routes import Door
from workflow.privacy import access as access_log

DOOR = Door(
    "privacy",
    routes=[],
    timers=[access_log.sweep],
)
