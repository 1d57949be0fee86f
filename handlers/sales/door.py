"""The sales' front door: what the area answers, the steps of its conversations, its
timers (buyers' reminders, the reservations' daily report)."""

from handlers.routes import Door
from handlers.sales import buyers, handover, notices, units
from workflow.sales import buyers as buyer_flow
from workflow.sales import handover as handover_flow
from workflow.sales import reservations

DOOR = Door(
    "sales",
    routes=[module.ROUTES for module in (buyers, handover, units)],
    steps={
        buyer_flow.WISH_FLOW: buyers.on_wish,
        handover_flow.FLOW: handover.on_message,
    },
    timers=[buyer_flow.sweep, reservations.daily_report],
    notices=[notices],
)
