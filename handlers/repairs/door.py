"""The repairs' front door: what the area answers, the steps of its conversations."""

from handlers.repairs import (
    dispatch,
    merge,
    notices,
    onsite,
    photo_first,
    signoffs,
    unit_jobs,
    visits,
)
from handlers.repairs import report as repair_report
from handlers.routes import Door
from workflow.repairs import onsite as work
from workflow.repairs import photo_first as photo_first_flow
from workflow.repairs import report
from workflow.repairs import signoffs as signoff_flow
from workflow.repairs import unit_jobs as unit_job_flow

DOOR = Door(
    "repairs",
    routes=[module.ROUTES for module in (repair_report, photo_first, dispatch, merge, signoffs,
                                         onsite, unit_jobs, visits)],
    steps={
        report.FLOW: repair_report.on_message,
        photo_first_flow.FLOW: photo_first.on_message,
        work.COMPLETE_FLOW: onsite.on_completion_message,
        work.NOT_FIXED_FLOW: onsite.on_reason,
        unit_job_flow.DECLINE_FLOW: unit_jobs.on_reason,
        signoff_flow.QUERY_FLOW: signoffs.on_query_reason,
        signoff_flow.PAPER_FLOW: signoffs.on_paper_name,
        signoff_flow.ANSWER_FLOW: signoffs.on_query_answer,
    },
    notices=[notices],
)
