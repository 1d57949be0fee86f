"""The ticket core's front door: /intake, /mytickets and a ticket's card, deadlines and
/overdue, "I phoned them", /stats; the steps of an intake and of a deadline's reason; the
timers of every ticket's deadlines (workflow/alerts.py)."""

from handlers import renderers, stats
from handlers.routes import Door
from handlers.tickets import escalation, intake, phoning, view
from workflow import alerts, sla
from workflow import intake as intake_flow

DOOR = Door(
    "tickets",
    routes=[intake.ROUTES, view.ROUTES, escalation.ROUTES, phoning.ROUTES,
            stats.ROUTES],  # /stats counts tickets and surveys; its module stays at the top
    steps={
        intake_flow.FLOW: intake.on_message,
        sla.PAUSE_FLOW: escalation.on_reason,
        sla.EXTEND_FLOW: escalation.on_reason,
    },
    timers=[alerts.sweep],
    notices=[renderers],  # the ticket core's notices live beside the registry
)
