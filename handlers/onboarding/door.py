"""Onboarding's front door: /start, a shared contact, /language, /help, and the step of
claiming one's unit."""

from handlers.onboarding import onboarding
from handlers.routes import Door
from workflow.onboarding import onboarding as joining

DOOR = Door("onboarding", routes=[onboarding.ROUTES],
            steps={joining.CLAIM_FLOW: onboarding.on_claim})
