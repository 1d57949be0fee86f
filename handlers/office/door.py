"""The office's front door: what the area answers, the steps of its conversations."""

from handlers.office import documents, materials, measurement, notices, payers
from handlers.routes import Door
from workflow.office import measurement as measurement_flow
from workflow.office import payers as payer_flow
from workflow.office import settlement

DOOR = Door(
    "office",
    routes=[module.ROUTES for module in (materials, measurement, payers, documents)],
    steps={
        measurement_flow.CORRECT_FLOW: measurement.on_correction,
        measurement_flow.OUTSIDE_FLOW: materials.on_outside_reason,
        payer_flow.QUOTE_FLOW: payers.on_quote,
        settlement.PAPER_FLOW: documents.on_paper_signer,
    },
    notices=[notices],
)
