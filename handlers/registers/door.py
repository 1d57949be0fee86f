"""The registers' front door: what the area answers, the steps of its conversations, its
timers (keys not back, archive records out too long)."""

from handlers.registers import archives, keys, notices, renovations
from handlers.routes import Door
from workflow.registers import archives as archive_flow
from workflow.registers import keys as key_flow
from workflow.registers import renovations as renovation_flow

DOOR = Door(
    "registers",
    routes=[module.ROUTES for module in (keys, archives, renovations)],
    steps={
        archive_flow.CHECK_FLOW: archives.on_check,
        archive_flow.REFUSE_FLOW: archives.on_refusal,
        renovation_flow.FLOW: renovations.on_message,
        renovation_flow.INSPECT_FLOW: renovations.on_staff_text,
        renovation_flow.PAY_FLOW: renovations.on_staff_text,
        renovation_flow.REVIEW_FLOW: renovations.on_staff_text,
        renovation_flow.REFUND_FLOW: renovations.on_staff_text,
        renovation_flow.AMEND_FLOW: renovations.on_amendment,
    },
    timers=[
        lambda db, settings, now: key_flow.overdue(db, now),
        lambda db, settings, now: archive_flow.sweep(db, now),
    ],
    notices=[notices],
)
