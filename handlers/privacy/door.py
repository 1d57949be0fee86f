"""Personal data's front door: the privacy notice, /mydata and the requests it offers."""

from handlers.privacy import notice
from handlers.routes import Door

DOOR = Door(
    "privacy",
    routes=[notice.ROUTES],
)
