"""Onboarding's front door: /start, a shared contact, /language, /help, the step of
claiming one's unit, and /link (a second chat account for the same person)."""

from handlers.onboarding import linking, onboarding
from handlers.routes import Door
from workflow.onboarding import onboarding as joining

DOOR = Door("onboarding", routes=[onboarding.ROUTES, linking.ROUTES],
            steps={joining.CLAIM_FLOW: onboarding.on_claim},
            notices=[linking])  # /link's notice lives beside it
