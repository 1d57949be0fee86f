"""Messages that are not commands: each belongs to the conversation the sender has in
progress (stored in the database), or gets a pointer to the menu."""

from __future__ import annotations

from handlers import complaints, escalation, labels, onboarding, surveys
from handlers import intake as intake_desk
from handlers.channels.turns import Turn
from handlers.common import (
    Asker,
    Context,
    answer,
    clear_buttons,
    handles,
    main_menu,
)
from handlers.community import announcements as announcement_desk
from handlers.office import documents, materials, measuring
from handlers.office import payers as payer_desk
from handlers.registers import archives as archive_desk
from handlers.registers import renovations as renovation_desk
from handlers.repairs import onsite, photo_first, repair_report, signoffs, unit_jobs
from handlers.routes import ANY, COMMAND, routes
from handlers.sales import buyers as buyer_desk
from handlers.sales import handover as handover_desk
from workflow import complaints as complaint_flow
from workflow import conversations, intake, roles, sla, views
from workflow import onboarding as joining
from workflow import surveys as survey_flow
from workflow.community import announcements as announcement_flow
from workflow.office import measurement, payers, settlement
from workflow.registers import archives as archive_flow
from workflow.registers import renovations as renovation_flow
from workflow.repairs import addenda, report
from workflow.repairs import onsite as work
from workflow.repairs import photo_first as photo_first_flow
from workflow.repairs import signoff as signoff_flow
from workflow.repairs import unit_jobs as unit_job_flow
from workflow.sales import buyers as sales_flow
from workflow.sales import handover as handover_flow
from workflow.tickets import Refusal

FLOWS = {
    report.FLOW: repair_report.on_message,
    work.COMPLETE_FLOW: onsite.on_completion_message,
    work.NOT_FIXED_FLOW: onsite.on_reason,
    joining.CLAIM_FLOW: onboarding.on_claim,
    sla.PAUSE_FLOW: escalation.on_reason,
    sla.EXTEND_FLOW: escalation.on_reason,
    complaint_flow.FLOW: complaints.on_message,
    complaint_flow.REPLY_FLOW: complaints.on_reply_message,
    addenda.FLOW: complaints.on_addendum,
    intake.FLOW: intake_desk.on_message,
    survey_flow.COMMENT_FLOW: surveys.on_comment,
    survey_flow.CALL_FLOW: surveys.on_call_note,
    photo_first_flow.FLOW: photo_first.on_message,
    unit_job_flow.DECLINE_FLOW: unit_jobs.on_reason,
    handover_flow.FLOW: handover_desk.on_message,
    signoff_flow.QUERY_FLOW: signoffs.on_query_reason,
    signoff_flow.PAPER_FLOW: signoffs.on_paper_name,
    signoff_flow.ANSWER_FLOW: signoffs.on_query_answer,
    measurement.CORRECT_FLOW: measuring.on_correction,
    measurement.OUTSIDE_FLOW: materials.on_outside_reason,
    settlement.PAPER_FLOW: documents.on_paper_signer,
    payers.QUOTE_FLOW: payer_desk.on_quote,
    archive_flow.CHECK_FLOW: archive_desk.on_check,
    archive_flow.REFUSE_FLOW: archive_desk.on_refusal,
    renovation_flow.FLOW: renovation_desk.on_message,
    announcement_flow.FLOW: announcement_desk.on_message,
    renovation_flow.INSPECT_FLOW: renovation_desk.on_staff_text,
    renovation_flow.PAY_FLOW: renovation_desk.on_staff_text,
    renovation_flow.REVIEW_FLOW: renovation_desk.on_staff_text,
    renovation_flow.REFUND_FLOW: renovation_desk.on_staff_text,
    renovation_flow.AMEND_FLOW: renovation_desk.on_amendment,
    sales_flow.WISH_FLOW: buyer_desk.on_wish,
}


@handles("router.message")
async def route(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    draft = await views.draft_as_left(d.db, who.user_id)
    if draft is not None and conversations.expired(draft, d.now()):
        await views.drop_draft(d.db, who.user_id)
        await answer(turn, who.tr(
            "What you started ({what}) has expired: it was left for more than a day. Nothing "
            "was changed; please start again from the menu.",
            what=labels.of(who.tr, labels.CONVERSATIONS, draft.flow)), main_menu(who))
        return
    if draft is not None and conversations.moved_by(draft, turn.event):
        # Delivered again after a crash lost its replay mark: its answer is taken already.
        await answer(turn, who.tr("This was already recorded."))
        return
    if draft is not None and draft.flow in FLOWS:
        await FLOWS[draft.flow](turn, context, who, draft)
        return
    if turn.photos and who.may((roles.RESIDENT,)):  # a photo of the leak, alone
        await photo_first.offer(turn, context, who)
        return
    if who.role is None:
        await answer(turn, who.tr("Please send /start to begin."))
        return
    await answer(turn, who.tr("I did not understand that. Please choose from the menu."),
                 main_menu(who))


@handles("router.unknown_command")
async def unknown_command(turn: Turn, context: Context, who: Asker) -> None:
    await answer(turn, who.tr("I do not know that command. /help shows what you can do."))


@handles("router.close_picker")
async def close_picker(turn: Turn, context: Context, who: Asker) -> None:
    """A picker closed: its buttons go, nothing else changes."""
    await clear_buttons(turn)


@handles("router.unknown_button")
async def unknown_button(turn: Turn, context: Context, who: Asker) -> None:
    """A button no handler knows (from an old version of the bot, or forged): its spinner
    stops with a short message."""
    raise Refusal(Refusal.INVALID)


# Last: only what no other handler took arrives here.
ROUTES = routes(
    buttons=[
        (r"^x:close$", close_picker),
        (None, unknown_button),
    ],
    messages=[
        (ANY, route),
        (COMMAND, unknown_command),
    ],
)
