"""The office's front door: what the area answers, the steps of its conversations."""

from handlers.office import documents, materials, measuring, payers
from handlers.routes import Door
from workflow.office import measurement, settlement
from workflow.office import payers as payer_flow

DOOR = Door(
    "office",
    routes=[module.ROUTES for module in (materials, measuring, payers, documents)],
    steps={
        measurement.CORRECT_FLOW: measuring.on_correction,
        measurement.OUTSIDE_FLOW: materials.on_outside_reason,
        payer_flow.QUOTE_FLOW: payers.on_quote,
        settlement.PAPER_FLOW: documents.on_paper_signer,
    },
)
