"""Personal data's front door: the privacy notice, /mydata and the requests it offers; the
access log's retention, the requests' clocks, the breach drill's clock and notices, and the
retention sweep (workflow/privacy/retention.py)."""

from handlers.privacy import mydata, notice, notices, requests
from handlers.routes import Door
from workflow.privacy import access as access_log
from workflow.privacy import breach, retention
from workflow.privacy import requests as request_flow

DOOR = Door(
    "privacy",
    routes=[notice.ROUTES, mydata.ROUTES, requests.ROUTES],
    steps={
        request_flow.CORRECT_FLOW: requests.on_correction,
        request_flow.REFUSE_FLOW: requests.on_staff_text,
        request_flow.EXTEND_FLOW: requests.on_staff_text,
        request_flow.NOTE_FLOW: requests.on_staff_text,
    },
    timers=[access_log.sweep, lambda db, settings, now: request_flow.sweep(db, now),
            breach.sweep, retention.sweep],
    notices=[requests, notices],
)
