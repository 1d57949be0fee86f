"""The complaints' front door: what the area answers, the steps of its conversations (a
complaint, a department's reply, a resident's addendum to a ticket)."""

from handlers.complaints import complaints
from handlers.routes import Door
from workflow.complaints import complaints as complaint_flow
from workflow.repairs import addenda

DOOR = Door(
    "complaints",
    routes=[complaints.ROUTES],
    steps={
        complaint_flow.FLOW: complaints.on_message,
        complaint_flow.REPLY_FLOW: complaints.on_reply_message,
        addenda.FLOW: complaints.on_addendum,
    },
)
