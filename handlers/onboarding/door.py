"""Onboarding's front door: /start, a shared contact or a unit's code, /language, /help, the
steps of typing the code and claiming one's unit, and /link (a second chat account for the
same person)."""

from handlers.onboarding import codes, linking, onboarding
from handlers.routes import Door
from workflow.onboarding import onboarding as joining
from workflow.onboarding import unit_codes

DOOR = Door("onboarding", routes=[onboarding.ROUTES, codes.ROUTES, linking.ROUTES],
            steps={joining.CLAIM_FLOW: onboarding.on_claim,
                   unit_codes.CODE_FLOW: codes.on_code},
            notices=[linking])  # /link's notice lives beside it
