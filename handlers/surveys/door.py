"""The surveys' front door: the rating and call-back buttons, /callback, and the steps of a
comment and of a call's note."""

from handlers.routes import Door
from handlers.surveys import surveys
from workflow.surveys import surveys as survey_flow

DOOR = Door(
    "surveys",
    routes=[surveys.ROUTES],
    steps={
        survey_flow.COMMENT_FLOW: surveys.on_comment,
        survey_flow.CALL_FLOW: surveys.on_call_note,
    },
)
