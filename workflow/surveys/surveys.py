"""The callback survey (回訪) after every job: sent by the sweep at the set time, answered
with buttons in the chat, reminded once, closed as 'no response' after that; a low rating
alerts the supervisors, who can open a follow-up complaint with one tap. Staff who call a
resident record the result, which counts toward the callback rate like an answer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from storage import drafts, outbox, people, roster, tickets
from storage.db import Database
from storage.privacy import requests as privacy_requests
from storage.records import Draft, Person, Survey, Ticket, Unit
from storage.repairs import followers
from storage.surveys import surveys
from workflow import access, conversations, sla, told
from workflow import tickets as machine
from workflow.complaints import complaints
from workflow.privacy import access as access_log
from workflow.settings import EstateSettings
from workflow.tickets import Kind

COMMENT_FLOW = "survey_comment"
CALL_FLOW = "phone_callback"
MAX_COMMENT = 1000
LOW_ALERT_WAIT = sla.LOW_ALERT_WAIT
RATINGS = range(1, 6)


def chips(settings: EstateSettings, rating: int, kind: str = Kind.REPAIR) -> tuple[str, ...]:
    """The reason chips fitting a rating: praise for 4-5, what to improve for 1-3; a
    complaint's survey has its own."""
    if kind == Kind.COMPLAINT:
        found = settings.complaint_praise_chips if rating >= 4 else settings.complaint_fault_chips
    else:
        found = settings.praise_chips if rating >= 4 else settings.fault_chips
    return tuple(c.key for c in found)


needs_alert = sla.needs_alert


async def fire(conn, settings: EstateSettings, ticket: Ticket, kind: str,
               now: datetime) -> None:
    """A survey timer fell due (called by the sweep inside its transaction): each resident
    of the ticket (its reporter and those who followed it) has a survey of their own."""
    if kind == sla.SURVEY_SEND:
        if ticket.status != machine.CLOSED:
            return
        residents = await machine.residents(conn, ticket)
        stopped = await privacy_requests.stopped(conn, residents)  # asked us to stop (Art. 11)
        for resident_id in residents:
            if resident_id not in stopped and \
                    await surveys.open_for(conn, ticket.id, resident_id, now):
                await outbox.add(conn, resident_id, "survey", now, ticket.id)
        await sla.arm(conn, settings, ticket.id, now)  # the reminder, then 'no response'
        return
    for survey in await surveys.of_ticket(conn, ticket.id):
        who = survey.resident_id
        if kind == sla.SURVEY_LOW:  # rated low, but the comment never came: alert without it
            if needs_alert(settings, survey) and survey.comment is None:
                await _alert_low(conn, settings, ticket, who, now)
        elif survey.answered_at is not None:
            continue
        elif kind == sla.SURVEY_REMIND and await surveys.mark(conn, ticket.id, who,
                                                              "reminded_at", now):
            await outbox.add(conn, who, "survey_reminder", now, ticket.id)
        elif kind == sla.SURVEY_EXPIRE:
            await surveys.mark(conn, ticket.id, who, "expired_at", now)


async def _own_survey(conn, ticket_id: int, resident_id: int) -> tuple[Ticket, Survey]:
    """The resident's own survey of the ticket: nobody answers another's."""
    ticket = await machine.load(conn, ticket_id)
    await access.require(conn, "surveys.answer", resident_id, ticket.id)
    survey = await surveys.get(conn, ticket_id, resident_id)
    assert survey is not None  # the table's rule: theirs to answer
    return ticket, survey


async def rate(db: Database, settings: EstateSettings, ticket_id: int, resident_id: int,
               rating: int, now: datetime) -> Survey | None:
    """The resident's rating; None when the survey was already answered (a second tap).
    An answer after the survey closed as 'no response' is still recorded, as late."""
    if rating not in RATINGS:
        raise machine.Refusal(machine.Refusal.INVALID)
    async with db.transaction() as conn:
        _, survey = await _own_survey(conn, ticket_id, resident_id)
        if not await surveys.rate(conn, ticket_id, resident_id, rating, "bot", now,
                                  late=survey.expired_at is not None):
            return None
        await sla.arm(conn, settings, ticket_id, now)  # answered: no reminder; low: alert
        await conversations.begin_if_free(conn, Draft(resident_id, COMMENT_FLOW, "chips",
                                     {"ticket_id": ticket_id}), now)
        return await surveys.get(conn, ticket_id, resident_id)


async def toggle_chip(db: Database, settings: EstateSettings, ticket_id: int, resident_id: int,
                      chip: str, now: datetime) -> Survey:
    async with db.transaction() as conn:
        _, survey = await _own_survey(conn, ticket_id, resident_id)
        if survey.rating is None or survey.comment is not None:
            raise machine.Refusal(machine.Refusal.STALE)
        if chip not in chips(settings, survey.rating, survey.kind):
            raise machine.Refusal(machine.Refusal.INVALID)
        chosen = [c for c in survey.reasons if c != chip]
        if chip not in survey.reasons:
            chosen.append(chip)
        await surveys.set_reasons(conn, ticket_id, resident_id, chosen)
        await sla.arm(conn, settings, ticket_id, now)  # an alerting chip: alerted even if
        # the survey is never finished
        _, survey = await _own_survey(conn, ticket_id, resident_id)
        return survey


async def ask_comment(db: Database, ticket_id: int, resident_id: int, now: datetime) -> None:
    async with db.transaction() as conn:
        await _own_survey(conn, ticket_id, resident_id)
        await conversations.begin(conn, Draft(resident_id, COMMENT_FLOW, "comment",
                                     {"ticket_id": ticket_id}), now)


async def finish(db: Database, settings: EstateSettings, resident_id: int,
                 comment: str | None, now: datetime,
                 ticket_id: int | None = None) -> Survey | None:
    """The comment (or none): the survey is complete; a low rating alerts the supervisors."""
    async with db.transaction() as conn:
        draft = await drafts.get(conn, resident_id)
        if ticket_id is None:
            if draft is None or draft.flow != COMMENT_FLOW:
                return None
            ticket_id = draft.data["ticket_id"]
        if draft is not None and draft.flow == COMMENT_FLOW:
            await drafts.delete(conn, resident_id)
        ticket, survey = await _own_survey(conn, ticket_id, resident_id)
        if survey.comment is not None:
            return None
        await surveys.set_comment(conn, ticket_id, resident_id, comment or "")
        if needs_alert(settings, survey):
            await _alert_low(conn, settings, ticket, resident_id, now)
        return await surveys.get(conn, ticket_id, resident_id)


async def _alert_low(conn, settings: EstateSettings, ticket: Ticket, resident_id: int,
                     now: datetime) -> None:
    """The alert names whose survey it is (its actor), as a ticket may have several."""
    if await surveys.mark_low_alerted(conn, ticket.id, resident_id):
        await told.tell(conn, settings, "low_rating", ticket, now, actor_id=resident_id)


@dataclass(frozen=True)
class Callee:
    """A resident of a ticket the desk may phone: a follower of a public-area job with their
    own unit; `survey` tells whether they already answered in the chat."""
    user_id: int
    person: Person | None
    unit: Unit
    follower: bool
    survey: Survey | None

    @property
    def answered_online(self) -> bool:
        return self.survey is not None and self.survey.answered_at is not None


@dataclass(frozen=True)
class Rater:
    """Whose answer it is (in the chat, or taken by phone by `by_phone`)."""
    ticket: Ticket
    survey: Survey
    person: Person | None
    unit: Unit
    follower: bool
    by_phone: Person | None = None


async def _callee(conn, ticket: Ticket, resident_id: int) -> Callee:
    unit_id = dict(await followers.of_ticket(conn, ticket.id)).get(resident_id) \
        if resident_id != ticket.resident_id else None
    unit = (await roster.get_unit(conn, unit_id) if unit_id else None) or ticket.unit
    return Callee(resident_id, await people.get(conn, resident_id), unit,
                  resident_id != ticket.resident_id,
                  await surveys.get(conn, ticket.id, resident_id))


async def _answer(conn, ticket: Ticket, resident_id: int | None,
                  call_id: int | None) -> tuple[Survey, surveys.PhoneCall | None] | None:
    """The resident's answer: their survey, or what they said on a phone call (the survey
    itself keeps only their own answer in the chat)."""
    call = await surveys.call(conn, call_id) if call_id is not None else None
    if call_id is not None and (call is None or call.ticket_id != ticket.id):
        raise machine.Refusal(machine.Refusal.INVALID)
    if call is not None:
        resident_id = call.resident_id
    resident_id = ticket.resident_id if resident_id is None else resident_id
    survey = await surveys.get(conn, ticket.id, resident_id)
    if survey is None:
        return None
    if call is not None:
        survey = replace(survey, rating=call.rating, reasons=call.reasons, comment=call.note)
    return survey, call


async def rater(db: Database, ticket_id: int, resident_id: int | None,
                call_id: int | None = None) -> Rater | None:
    async with db.reading() as conn:
        ticket = await machine.load(conn, ticket_id)
        found = await _answer(conn, ticket, resident_id, call_id)
        if found is None:
            return None
        survey, call = found
        who = await _callee(conn, ticket, survey.resident_id)
        return Rater(ticket, survey, who.person, who.unit, who.follower,
                     await people.get(conn, call.staff_id) if call else None)


async def open_follow_up(db: Database, settings: EstateSettings, ticket_id: int,
                         resident_id: int | None, actor_id: int, now: datetime,
                         quote: str | None = None, call_id: int | None = None
                         ) -> Ticket | None:
    """One tap on a low-rating alert: a complaint for that resident (None: the reporter),
    linked to the original ticket, filed by the desk (`actor_id`) quoting the resident
    (`quote`, written by the handler in the actor's words). None when someone already
    opened it."""
    async with db.transaction() as conn:
        await access.require(conn, "surveys.follow_up", actor_id)
        original = await machine.load(conn, ticket_id)
        found = await _answer(conn, original, resident_id, call_id)
        if found is None or not needs_alert(settings, found[0]):
            raise machine.Refusal(machine.Refusal.STALE)
        survey = found[0]
        resident_id = survey.resident_id
        if survey.followup_ticket_id is not None:
            return None
        text = quote or f"{original.ref} ★{survey.rating}" + (
            f": {survey.comment}" if survey.comment else "")
        followup_id = await complaints.follow_up(conn, settings, original, resident_id, text,
                                                 now, filed_by=actor_id)
        await surveys.set_followup(conn, ticket_id, resident_id, followup_id)
        await tickets.add_event(conn, original.id, now, actor_id, "follow_up_opened",
                                original.status, original.status)
        return await machine.load(conn, followup_id)


async def start_call(db: Database, ref: str, actor_id: int, now: datetime
                     ) -> tuple[Ticket, list[Callee]]:
    """/callback <reference>: staff who phoned a resident record the result. A public-area
    job has several residents: the caller picks whom they phoned first."""
    async with db.transaction() as conn:
        await access.require(conn, "surveys.call", actor_id)
        ticket = await tickets.by_ref(conn, ref.strip().upper())
        if ticket is None:
            raise machine.Refusal(machine.Refusal.NOT_FOUND)
        if ticket.status != machine.CLOSED:
            raise machine.Refusal(machine.Refusal.STALE)
        callees = [await _callee(conn, ticket, r) for r in await machine.residents(conn, ticket)]
        # the caller is shown their names and phones: the access log's
        await access_log.record_in(conn, actor_id, [c.user_id for c in callees],
                                   access_log.TICKET, ticket.ref, f"/callback {ticket.ref}", now)
        data: dict = {"ticket_id": ticket.id, "kind": ticket.kind}
        if len(callees) == 1:
            data["resident_id"] = callees[0].user_id
        await conversations.begin(conn, Draft(actor_id, CALL_FLOW, "reached" if len(callees)
                                              == 1 else "pick", data), now)
        return ticket, callees


async def pick_callee(db: Database, actor_id: int, ticket_id: int, resident_id: int,
                      now: datetime) -> tuple[Ticket, Callee]:
    """The resident phoned, of a job with several."""
    async with db.transaction() as conn:
        draft = await drafts.get(conn, actor_id)
        if draft is None or draft.flow != CALL_FLOW or draft.data["ticket_id"] != ticket_id:
            raise machine.Refusal(machine.Refusal.STALE)
        ticket = await machine.load(conn, ticket_id)
        if resident_id not in await machine.residents(conn, ticket):
            raise machine.Refusal(machine.Refusal.INVALID)
        await drafts.put(conn, Draft(actor_id, CALL_FLOW, "reached",
                                      {**draft.data, "resident_id": resident_id}), now)
        return ticket, await _callee(conn, ticket, resident_id)


async def record_call(db: Database, settings: EstateSettings, actor_id: int, note: str,
                      now: datetime) -> tuple[Ticket, bool] | None:
    """The call recorded, and whether it alerted: a low rating or an alerting chip taken by
    phone alerts the supervisors as one given in the chat does (once per resident)."""
    async with db.transaction() as conn:
        draft = await drafts.get(conn, actor_id)
        if draft is None or draft.flow != CALL_FLOW or "reached" not in draft.data:
            return None
        await drafts.delete(conn, actor_id)
        await access.require(conn, "surveys.call", actor_id)
        ticket = await machine.load(conn, draft.data["ticket_id"])
        resident_id = draft.data.get("resident_id", ticket.resident_id)
        rating = draft.data.get("rating")
        reasons = tuple(draft.data.get("reasons", ()))
        call_id = await surveys.record_call(conn, ticket.id, resident_id,
                                            draft.data["reached"], rating, note, actor_id, now,
                                            reasons)
        await tickets.add_event(conn, ticket.id, now, actor_id, "called_back", ticket.status,
                                ticket.status, note)
        survey = await surveys.get(conn, ticket.id, resident_id)
        assert survey is not None  # opened by the call
        answer = replace(survey, rating=rating, reasons=reasons)
        if draft.data["reached"] and rating is not None and needs_alert(settings, answer) \
                and await surveys.mark_low_alerted(conn, ticket.id, resident_id):
            await told.tell(conn, settings, "low_rating", ticket, now, actor_id=resident_id,
                            payload={"call": call_id})
            return ticket, True
        return ticket, False


async def survey_of(db: Database, ticket_id: int, resident_id: int) -> Survey | None:
    async with db.reading() as conn:
        return await surveys.get(conn, ticket_id, resident_id)
