"""What each notice says: one renderer per kind of outbox message, in the recipient's
language at the time of sending. A renderer sends the text (and the photos, once) through
its `Notice`; handlers/notices.py delivers and records the outcome."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from handlers import cards, labels
from handlers.channels.content import Choices, restored
from handlers.channels.outcomes import Verdict
from handlers.channels.turns import Channel
from handlers.channels.turns import Voice as Recording
from handlers.common import Desk, fit, keyboard, menu_of, office
from handlers.i18n import N_, Tr, clause
from handlers.repairs.actions import desk_buttons, worker_buttons
from handlers.surveys import surveys as surveys_ui
from storage.db import db_time
from storage.records import OutboxMessage, Person, Voice
from workflow import delivery, roles, sla, views
from workflow.privacy import access as access_log
from workflow.privacy.need_to_know import Sight
from workflow.tickets import Kind
from workflow.views import TicketFile

log = logging.getLogger(__name__)
SURVEY_NOTICES = ("survey", "survey_reminder", "low_rating")


class UnknownNotice(Exception):
    """An outbox message no renderer knows (written by a newer version, or damaged): it is
    marked failed, never retried."""


@dataclass
class Notice:
    """One outbox message on its way: to whom (their address on the channel that delivers
    it), in which language, about which ticket."""
    channel: Channel
    address: Any
    d: Desk
    tr: Tr
    message: OutboxMessage
    recipient: Person
    file: TicketFile | None = None

    @property
    def payload(self) -> dict:
        return self.message.payload

    @property
    def ticket_file(self) -> TicketFile:
        assert self.file is not None, "a ticket's notice without its ticket"
        return self.file

    def card_buttons(self) -> Choices:
        """The ticket's buttons for this recipient: the desk's, or the worker's."""
        if roles.can_dispatch(self.recipient.role):
            return keyboard(desk_buttons(self.tr, self.ticket_file, self.recipient))
        return keyboard(worker_buttons(self.tr, self.ticket_file, self.recipient))

    def staff_card(self, sight: Sight | None = None) -> str:
        """The card as the recipient may read it (need_to_know: a unit's offer, or a job
        closed, shows the unit, not the resident's name and phone); whose contact it shows is
        logged with the sent mark."""
        file = self.ticket_file
        self.opened(access_log.on_card(self.recipient, file, sight), access_log.TICKET,
                    file.ticket.ref)
        return cards.summary(self.tr, self.d.settings, file, staff=True,
                             viewer=self.recipient, sight=sight)

    def opened(self, person_ids: list[int], what: str, reference: str) -> None:
        """This notice shows staff these people's data (the access log): why is the notice
        and its job ("task_assigned R-12")."""
        access_log.delivered(self.d.db, self.message.id, self.recipient, person_ids, what,
                             reference, access_log.why_of_ticket(reference, self.message.kind),
                             self.d.now())

    def opened_person(self) -> None:
        """A notice naming the person of its payload with their phone (to call them)."""
        person = self.payload.get("person")
        if isinstance(person, int):
            self.opened([person], access_log.RECORD, self.file.ticket.ref
                        if self.file is not None else f"person {person}")

    async def send(self, text: str, choices: Choices | None = None) -> None:
        """Cut to what the channel takes, as it counts: never refused as too long."""
        await self.channel.send(self.address, fit(text, self.channel.limits.text), choices)

    async def photos(self, file_ids: list[str], caption: str | None = None) -> bool:
        """The message's photos, once: False when the app refused them (the text still
        goes, saying so). A message matters more than its pictures."""
        if not file_ids or "photos" in self.message.progress:
            return True
        if caption is None:  # the album's first photo names the ticket
            caption = self.ticket_file.ticket.ref
        try:
            await self.channel.send_photos(self.address, file_ids,
                                           fit(caption, self.channel.limits.caption))
        except Exception as exc:
            fault = self.channel.classify(exc)
            if fault is None or fault.verdict is not Verdict.REFUSED:
                raise
            log.warning("outbox %s: photos refused: %s", self.message.id, fault.error)
            return False
        await delivery.progressed(self.d.db, self.message, "photos")
        return True

    async def with_photos(self, file_ids: list[str], text: str, choices: Choices | None = None,
                          caption: str | None = None) -> None:
        """The photos first, then the text (saying so if the photos could not be shown)."""
        if not await self.photos(file_ids, caption):
            text += "\n" + self.tr("(A photo could not be shown here.)")
        await self.send(text, choices)

    async def card(self, head: str, sight: Sight | None = None) -> None:
        """A ticket's card for staff: the report's photos, the card with its buttons, and the
        resident's voice note right after it. Each part goes once, even when a later part
        fails and the message is tried again."""
        file = self.ticket_file
        if "card" not in self.message.progress:
            await self.with_photos(file.report_photos, head + "\n" + self.staff_card(sight),
                                   self.card_buttons())
            if file.voice is None:
                return
            await delivery.progressed(self.d.db, self.message, "card")
        if file.voice is not None:
            await self.recording(file.voice)

    async def recording(self, voice: Voice) -> None:
        """A voice note, an audio file or a round video, once, as the resident sent it."""
        if "voice" in self.message.progress:
            return
        # Its caption names the job: a recording forwarded or met alone still says whose it is.
        caption = self.tr("{ref}: voice note, {length}", ref=self.ticket_file.ticket.ref,
                          length=cards.clock_length(voice.seconds))
        await self.channel.send_recording(
            self.address, Recording(voice.kind, voice.file_id, voice.seconds), caption)
        await delivery.progressed(self.d.db, self.message, "voice")

    async def document(self, ref: str) -> None:
        """A file the app keeps (its reference), as it was sent."""
        await self.channel.send_document(self.address, ref)


Renderer = Callable[[Notice], Awaitable[None]]
ABOUT_A_TICKET: dict[str, Renderer] = {}
PLAIN: dict[str, Renderer] = {}


def renders(*kinds: str, plain: bool = False):
    """Registers the renderer of these kinds (about a ticket, or plain): one each, so a
    second renderer of a kind fails at import instead of silently replacing the first."""
    def register(func: Renderer) -> Renderer:
        table = PLAIN if plain else ABOUT_A_TICKET
        for kind in kinds:
            if kind in table:
                raise ValueError(f"{kind!r} has a renderer already: {table[kind].__qualname__}")
            table[kind] = func
        return func
    return register


async def render(notice: Notice) -> None:
    table = PLAIN if notice.file is None else ABOUT_A_TICKET
    renderer = table.get(notice.message.kind)
    if renderer is None:
        raise UnknownNotice(notice.message.kind)
    await renderer(notice)


@renders("dispatch")
async def _new_report(n: Notice) -> None:
    tr, t = n.tr, n.ticket_file.ticket
    head = tr("New complaint") if t.kind == Kind.COMPLAINT else tr("New repair report")
    if t.linked_ticket_id:
        head = tr("Follow-up complaint, opened after a low rating")
    await n.card(head)


@renders("task_assigned", "task_reopened", "desk_reopened", "complaint_routed", "unit_job")
async def _new_task(n: Notice) -> None:
    tr, t = n.tr, n.ticket_file.ticket
    if n.message.kind == "task_assigned":
        head = tr("New task for you")
    elif n.message.kind == "unit_job" and n.payload.get("ruling"):
        head = tr("The desk sends {ref} back to your unit: {ruling}. You had declined it: "
                  "{declined}. The first of you to accept holds it.", ref=t.ref,
                  ruling=labels.of(tr, labels.RULINGS, n.payload["ruling"]),
                  declined=clause(n.payload.get("declined", "")))
    elif n.message.kind == "unit_job":
        head = tr("A job for your unit: the first of you to accept holds it. Decline it with a "
                  "reason if it is not yours (not under warranty, not your work).")
    elif n.message.kind in ("task_reopened", "desk_reopened"):
        head = tr("Reopened: the resident says it is not resolved: {reason}",
                  reason=n.payload.get("reason", ""))
    elif n.recipient.department == t.department:
        head = tr("A complaint for your department")
    else:
        head = tr("A complaint for {department}, which has no head here: please see to it.",
                  department=labels.department(tr, n.d.settings, t.department or ""))
    await n.card(head)


@renders("complaint_reply")
async def _complaint_reply(n: Notice) -> None:
    tr, t = n.tr, n.ticket_file.ticket
    await n.send(resident_text(tr, n.d, n.ticket_file, n.message.kind, n.payload),
                 keyboard([[(tr("Resolved"), f"s:ok:{t.id}"),
                            (tr("Not resolved"), f"s:no:{t.id}")]]))


@renders("complaint_acknowledged", "complaint_with_department", "resident_assigned",
         "resident_en_route", "resident_arrived", "resident_visit_reminder", "auto_confirmed",
         "owner_informed", "owner_completed")
async def _resident_update(n: Notice) -> None:
    await n.send(resident_text(n.tr, n.d, n.ticket_file, n.message.kind, n.payload))


@renders("filed_for_you")
async def _filed_for_you(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(resident_text(n.tr, n.d, n.ticket_file, n.message.kind, n.payload),
                 keyboard([[(n.tr("Open {ref}", ref=t.ref), f"t:v:{t.id}")]]))


@renders("resident_added")
async def _resident_added(n: Notice) -> None:
    photo, voice = n.payload.get("photo"), n.payload.get("voice")
    text = cards.spoken_description(n.tr, n.payload.get("text") or "", voice) or "-"
    if "card" not in n.message.progress:
        await n.with_photos([photo] if photo else [], n.tr(
            "{ref}: the resident added: {text}", ref=n.ticket_file.ticket.ref, text=text),
            n.card_buttons())
        if voice:
            await delivery.progressed(n.d.db, n.message, "card")
    if voice:
        await n.recording(Voice(voice["kind"], voice["file_id"], voice["seconds"]))


@renders("signoff_request")
async def _signoff_request(n: Notice) -> None:
    tr, t = n.tr, n.ticket_file.ticket
    await n.with_photos(n.ticket_file.after_photos,
                        resident_text(tr, n.d, n.ticket_file, n.message.kind, n.payload),
                        keyboard([[(tr("Confirm, it is fixed"), f"s:ok:{t.id}"),
                                   (tr("Not fixed"), f"s:no:{t.id}")]]))


@renders("task_confirmed")
async def _task_confirmed(n: Notice) -> None:
    await n.send(n.tr("{ref}: the resident confirmed the repair. Thank you.",
                      ref=n.ticket_file.ticket.ref))


@renders("sla_warning", "overdue_alert", "visit_reminder")
async def _alert(n: Notice) -> None:
    await n.send(alert_text(n.tr, n.d, n.ticket_file, n.message) + "\n\n" + n.staff_card(),
                 n.card_buttons())


@renders(*SURVEY_NOTICES)
async def _survey(n: Notice) -> None:
    await surveys_ui.send(n.channel, n.d, n.tr, n.address, n.message.kind, n.ticket_file,
                          n.message.actor_id, n.payload.get("call"))


@renders("deadline_extended")
async def _deadline_extended(n: Notice) -> None:
    t = n.ticket_file.ticket
    await n.send(n.tr("{ref}: the deadline is now {deadline}. Reason: {reason}", ref=t.ref,
                      deadline=n.tr.datetime(t.deadline_at), reason=n.payload.get("reason", "")))


@renders(delivery.UNREACHABLE)
async def _unreachable(n: Notice) -> None:
    n.opened_person()
    text = await _unreachable_text(n.tr, n.d, n.message, n.ticket_file)
    request = n.payload.get("request")
    if request is None:
        await n.send(text, n.card_buttons())
        return
    # a resident without Telegram: one person phones, and records it so nobody phones twice
    calls = await delivery.calls_to(n.d.db, n.ticket_file.ticket.id, n.payload["person"])
    if calls:
        text += "\n" + n.tr("Already phoned about this job: {calls}.", calls=n.tr.join(
            n.tr("{name} at {time}", name=n.ticket_file.names.get(c.staff_id) or "?",
                 time=n.tr.datetime(c.at)) for c in calls))
    buttons = desk_buttons(n.tr, n.ticket_file, n.recipient) \
        if roles.can_dispatch(n.recipient.role) else \
        worker_buttons(n.tr, n.ticket_file, n.recipient)
    p, t = n.payload, n.ticket_file.ticket
    if p.get("about") == "visit_proposed" and p.get("day") and roles.can_dispatch(
            n.recipient.role):  # their answer, recorded by the desk that phoned
        buttons = [[(n.tr("Resident agreed by phone"),
                     f"vp:{t.id}:{p['day']}:{p.get('slot', '')}")], *buttons]
    await n.send(text, keyboard([[(n.tr("I phoned them"), f"pr:{request}")], *buttons]))


@renders("join_request", plain=True)
async def _join_request(n: Notice) -> None:
    tr = n.tr
    request, person, listed = await views.join_request(n.d.db, n.payload["request_id"])
    n.opened([person.user_id], access_log.RECORD, f"#{request.id}")
    text = tr("Please confirm a resident: {name}, phone {phone}, says they live in {unit}.",
              name=person.name, phone=cards.phone(request.phone), unit=request.claimed_unit) \
        if request.phone else tr(  # an app with no phone share (LINE), and no code
            "Please confirm a resident: {name}, who joined without a phone number, says they "
            "live in {unit}.", name=person.name or "?", unit=request.claimed_unit)
    text += "\n" + (tr("The roster has for this unit: {people}", people=tr.join(
        f"{e.name} {cards.phone(e.phone)}" for e in listed))
        if listed else tr("This unit is not on the roster."))
    await n.send(text, keyboard([[(tr("Approve"), f"o:join:a:{request.id}"),
                                  (tr("Reject"), f"o:join:r:{request.id}")]]))


@renders("digest", plain=True)
async def _digest(n: Notice) -> None:
    await n.send(await digest_text(n.tr, n.d, n.payload))


@renders("weekly", plain=True)
async def _weekly(n: Notice) -> None:
    await n.send(await weekly_text(n.tr, n.d, n.payload))


@renders(delivery.UNREACHABLE, plain=True)
async def _unreachable_plain(n: Notice) -> None:
    n.opened_person()
    await n.send(await _unreachable_text(n.tr, n.d, n.message))


@renders(delivery.UNDELIVERABLE)
async def _undeliverable(n: Notice) -> None:
    n.opened_person()
    await n.send(await _undeliverable_text(n.tr, n.d, n.message, n.ticket_file),
                 n.card_buttons())


@renders(delivery.UNDELIVERABLE, plain=True)
async def _undeliverable_plain(n: Notice) -> None:
    n.opened_person()
    await n.send(await _undeliverable_text(n.tr, n.d, n.message))


async def _undeliverable_text(tr: Tr, d: Desk, message: OutboxMessage, file=None) -> str:
    """What was given up and for whom: the desk tells them another way."""
    person = await views.person(d.db, message.payload["person"])
    name = person.name if person else "?"
    phone = cards.phone(person.phone) if person and person.phone else tr("no number on file")
    what = message.payload.get("about", "")
    if file is not None:
        what = f"{file.ticket.ref}, {what}"
    return tr("A message for {name} ({what}) could not be sent, even after several tries, and "
              "was given up. Please tell them another way; their phone: {phone}. (Outbox "
              "message {number}: the log says why.)", name=name, what=what, phone=phone,
              number=message.payload.get("message", ""))


async def send_reply(channel: Channel, address: Any, message: OutboxMessage) -> None:
    """A direct reply the app could not take at once, as it was written (in the person's
    language; to someone the desk may not know yet, such as a newcomer)."""
    payload = message.payload
    text = fit(payload["text"], channel.limits.text)
    stored = payload.get("markup")  # written before replies were kept as content
    if stored:
        await channel.send_stored(address, text, stored)
        return
    found, asking = restored(payload)
    await channel.send(address, text, found, asking)


@renders("join_approved", plain=True)
async def _join_approved(n: Notice) -> None:
    await n.send(n.tr("Your unit {unit} is confirmed. What would you like to do?",
                      unit=n.payload["unit"]),
                 menu_of(n.tr, n.recipient.role, n.recipient.lives_here))


@renders("join_rejected", plain=True)
async def _join_rejected(n: Notice) -> None:
    await n.send(n.tr("We could not confirm unit {unit}. Please contact {office}.",
                      unit=n.payload["unit"], office=office(n.tr, n.d.settings)))


def resident_text(tr: Tr, d: Desk, file, kind: str, payload: dict) -> str:
    """What a resident is told; also what the desk reads out to one without Telegram."""
    t = file.ticket
    ref = t.ref
    if kind == "resident_assigned":
        return tr("{ref}: {name} will take care of your repair. Preferred visit: {visit}. "
                  "Deadline: {deadline}.", ref=ref, name=cards.holder(tr, file),
                  visit=cards.visit(tr, t.visit_date, t.visit_slot),
                  deadline=tr.datetime(t.deadline_at))
    if kind == "resident_en_route":
        return tr("{ref}: the technician is on the way.", ref=ref)
    if kind == "resident_arrived":
        return tr("{ref}: the technician has arrived.", ref=ref)
    if kind == "signoff_request":
        return tr("{ref} is reported as repaired: {note}\nIs it fixed? Without an answer "
                  "within {days} it will be confirmed automatically.", ref=ref,
                  note=t.work_note or "", days=tr.plural("{n} day", "{n} days",
                                                         d.settings.auto_confirm_days))
    if kind == "resident_visit_reminder" and cards.holder(tr, file) is None:  # back with the desk
        return tr("Reminder: for {ref}, your visit is {visit}; the desk will tell you who comes. "
                  "If that no longer suits you, please call {office}.", ref=ref,
                  office=office(tr, d.settings),
                  visit=cards.visit(tr, t.visit_date, t.visit_slot))
    if kind == "resident_visit_reminder":
        return tr("Reminder: for {ref}, {name} will visit you {visit}. If that no longer suits "
                  "you, please call {office}.", ref=ref, office=office(tr, d.settings),
                  name=cards.holder(tr, file), visit=cards.visit(tr, t.visit_date, t.visit_slot))
    reporter = file.resident.name if file.resident else ""
    if kind == "owner_informed":
        return tr("{ref}: a repair in your unit {unit} was reported by {name}: {category}, "
                  "{where}: {description}\nThe desk keeps them informed of it.", ref=ref,
                  unit=t.unit.label, name=reporter, where=cards.where(tr, d.settings, t),
                  category=labels.category(tr, d.settings, t.category),
                  description=cards.spoken_description(tr, t.description, file.voice))
    if kind == "owner_completed":
        return tr("{ref}: the repair in your unit {unit} reported by {name} is completed: "
                  "{note}\nWhen it is confirmed, the repair form comes to you to sign as "
                  "the owner.", ref=ref, unit=t.unit.label, note=t.work_note or "-",
                  name=reporter)
    if kind == "visit_proposed" and payload.get("day"):  # read out by the desk
        return tr("{ref}: {unit} proposes to visit {visit}. Does it suit you?", ref=ref,
                  unit=file.contractor.name if file.contractor else "",
                  visit=cards.visit(tr, payload["day"], payload.get("slot", "")))
    if kind == "owner_signoff_form":  # read out to an owner without Telegram
        return tr("{ref}: the repair in your unit {unit} is closed, and its repair form waits "
                  "for your signature as the owner. You may sign it at the management office.",
                  ref=ref, unit=t.unit.label)
    if kind == "auto_confirmed":
        return tr("{ref} was confirmed automatically, as we had no answer. If something is "
                  "still wrong, please report it again with /repair.", ref=ref)
    if kind == "complaint_reply":
        return tr("{ref}: the reply to your complaint:\n{reply}\nIs the matter resolved? "
                  "Without an answer within {days} we will take it as resolved.", ref=ref,
                  reply=t.reply or "", days=tr.plural("{n} day", "{n} days",
                                                      d.settings.auto_confirm_days))
    if kind == "complaint_acknowledged" and payload.get("renewed"):
        return tr("{ref}: the desk has received your complaint and is looking into it. We are "
                  "sorry it took longer than we said: we will answer by {deadline}.", ref=ref,
                  deadline=tr.datetime(t.deadline_at))
    if kind == "complaint_acknowledged":
        return tr("{ref}: the desk has received your complaint and is looking into it. We will "
                  "answer by {deadline}.", ref=ref, deadline=tr.datetime(t.deadline_at))
    if kind == "complaint_with_department" and payload.get("renewed"):
        return tr("{ref}: your complaint is now with {department}. We are sorry it took longer "
                  "than we said: they will answer you by {deadline}.", ref=ref,
                  deadline=tr.datetime(t.deadline_at),
                  department=labels.department(tr, d.settings, t.department or ""))
    if kind == "complaint_with_department":
        return tr("{ref}: your complaint is now with {department}, who will answer you by "
                  "{deadline}.", ref=ref, deadline=tr.datetime(t.deadline_at),
                  department=labels.department(tr, d.settings, t.department or ""))
    if kind == "filed_for_you":
        what = tr("complaint") if t.kind == Kind.COMPLAINT else tr("repair")
        return tr("The management office recorded your {what} {channel}: {ref}. You can follow "
                  "it here with /mytickets.", what=what, ref=ref,
                  channel=labels.of(tr, labels.CHANNELS, t.channel))
    if kind in SURVEY_NOTICES:
        return tr("{ref} is closed: please ask how we did (a rating from 1 to 5) and record it "
                  "with /callback {ref}.", ref=ref)
    return ref


async def _unreachable_text(tr: Tr, d: Desk, message: OutboxMessage, file=None) -> str:
    """`file` is the ticket's, already loaded by the sender (None for a plain notice)."""
    person = await views.person(d.db, message.payload["person"])
    name = person.name if person else "?"
    phone = cards.phone(person.phone) if person and person.phone else tr("no number on file")
    if person is not None and person.user_id < 0 and file is not None:
        return tr("{ref}: {name} does not use the bot. Please phone them at {phone} and tell "
                  "them:\n{what}", ref=file.ticket.ref, name=name, phone=phone,
                  what=resident_text(tr, d, file, message.payload.get("about", ""),
                                     message.payload))
    if file is None:
        return tr("{name} cannot be reached in the chat (they blocked the bot or closed the "
                  "chat). Please call them: {phone}.", name=name, phone=phone)
    return tr("{ref}: {name} cannot be reached in the chat (they blocked the bot or closed "
              "the chat), so they were not told. Please call them: {phone}.",
              ref=file.ticket.ref, name=name, phone=phone)


COMPLAINT_ALERTS = {
    sla.ASSIGN_WARN: N_("Early warning: complaint {ref} must be acknowledged by {due} ({left} "
                        "left)."),
    sla.RESOLVE_WARN: N_("Early warning: complaint {ref} must be answered by {due} ({left} "
                         "left)."),
    sla.ASSIGN_LATE: N_("Late: complaint {ref} was not acknowledged by {due}. With {holder}."),
    sla.RESOLVE_LATE: N_("Late: complaint {ref} was not answered by {due}. With {holder}."),
}


def alert_text(tr: Tr, d: Desk, file, message: OutboxMessage) -> str:
    """The head of a warning, an overdue alert or a visit reminder: what, how late, who."""
    t, step = file.ticket, message.payload.get("step")
    holder = cards.holder(tr, file, d.settings) or cards.nobody(tr, t)
    if t.kind == Kind.COMPLAINT and step in COMPLAINT_ALERTS:  # 受理 and 回覆, never 派工
        due = t.assign_due_at if step in (sla.ASSIGN_WARN, sla.ASSIGN_LATE) else t.deadline_at
        text = tr(COMPLAINT_ALERTS[step], ref=t.ref, due=tr.datetime(due),
                  left=tr.duration(due - d.now()), holder=holder)
    elif step == sla.ASSIGN_WARN:
        text = tr("Early warning: {ref} must be assigned by {due} ({left} left).", ref=t.ref,
                  due=tr.datetime(t.assign_due_at), left=tr.duration(t.assign_due_at - d.now()))
    elif step == sla.RESOLVE_WARN:
        text = tr("Early warning: {ref} must be resolved by {due} ({left} left).", ref=t.ref,
                  due=tr.datetime(t.deadline_at), left=tr.duration(t.deadline_at - d.now()))
    elif step == sla.ASSIGN_LATE:
        text = tr("Late: {ref} was not assigned by {due}. Held by {holder}.", ref=t.ref,
                  due=tr.datetime(t.assign_due_at), holder=holder)
    elif step == sla.RESOLVE_LATE:
        text = tr("Late: {ref} missed its deadline of {due}. Held by {holder}.", ref=t.ref,
                  due=tr.datetime(t.deadline_at), holder=holder)
    elif step == sla.VISIT_LATE:
        text = tr("Late: the visit for {ref} ({visit}) has not started. Held by {holder}.",
                  ref=t.ref, visit=cards.visit(tr, t.visit_date, t.visit_slot), holder=holder)
    elif step == sla.UNIT_RESPONSE:
        text = tr("Late: {holder} has not taken {ref}, sent to its people {sent}. Send our own "
                  "staff, or phone them.", ref=t.ref, holder=holder,
                  sent=tr.datetime(t.unit_sent_at or t.created_at))
    elif step == sla.REMIND_TECHNICIAN:
        text = tr("Reminder: your visit for {ref} is {visit}, at {unit}.", ref=t.ref,
                  visit=cards.visit(tr, t.visit_date, t.visit_slot), unit=t.unit.label)
    else:
        missed = t.assign_due_at if step == sla.ASSIGN_MANAGERS else t.deadline_at
        text = tr("Still late after the supervisors were told: {ref}, late by {late}; held by "
                  "{holder}.", ref=t.ref, late=tr.duration(d.now() - missed), holder=holder)
    if message.payload.get("late_sent"):
        text += "\n" + tr("(Sent late: the bot was offline when this fell due.)")
    return text


def greeting(tr: Tr, d: Desk) -> str:
    """By the estate's time of day when the message goes out."""
    hour = d.now().astimezone(d.settings.tz).hour
    if hour < 12:
        return tr("Good morning.")
    return tr("Good afternoon.") if hour < 18 else tr("Good evening.")


async def weekly_text(tr: Tr, d: Desk, payload: dict) -> str:
    start, end = db_time(payload["start"]), db_time(payload["end"])
    lines = [tr("The desk's week, {start} to {end}: {reported} reported, {resolved} resolved, "
                "{in_time} of them within the first service-level target.",
                start=tr.datetime(start), end=tr.datetime(end), reported=payload["reported"],
                resolved=payload["resolved"], in_time=payload["in_time"])]
    if payload["late"]:
        lines.append(tr.plural("Still late now: {n} ticket", "Still late now: {n} tickets",
                               payload["overdue"]))
        for ticket_id in payload["late"]:
            file = await views.ticket_file(d.db, ticket_id, None)
            lines.append("· " + tr("{ref} {unit}, late by {late}", ref=file.ticket.ref,
                                   unit=file.ticket.unit.label,
                                   late=tr.duration(sla.lateness(file.ticket, d.now()))))
    else:
        lines.append(tr("Nothing is late."))
    if payload.get("archive_check"):
        lines.append(tr("The archive's check is overdue: it was due {date}.",
                        date=tr.datetime(db_time(payload["archive_check"]))))
    if payload.get("late_sent"):
        lines.append(tr("(Sent late: the bot was offline when this fell due.)"))
    return "\n".join(lines)


async def digest_text(tr: Tr, d: Desk, payload: dict) -> str:
    lines = [tr.beside(greeting(tr, d), tr("The desk today: {open} open, {overdue} late, "
                                           "{paused} paused.", open=payload["open"],
                                           overdue=payload["overdue"], paused=payload["paused"]))]
    if payload["visits"]:
        lines.append(tr("Visits today:"))
        for ticket_id in payload["visits"]:
            file = await views.ticket_file(d.db, ticket_id, None)
            lines.append("· " + tr.beside(
                file.ticket.ref, file.ticket.unit.label,
                labels.of(tr, labels.SLOTS, file.ticket.visit_slot),
                cards.holder(tr, file, d.settings) or cards.nobody(tr, file.ticket)))
    if payload["oldest"]:
        lines.append(tr("Oldest open tickets:"))
        for ticket_id in payload["oldest"]:
            file = await views.ticket_file(d.db, ticket_id, None)
            t, made = file.ticket, tr.datetime(file.ticket.created_at)
            lines.append("· " + (
                tr("{ref} {unit}, complaint made {time}", ref=t.ref, unit=t.unit.label,
                   time=made) if t.kind == Kind.COMPLAINT else
                tr("{ref} {unit}, reported {time}", ref=t.ref, unit=t.unit.label, time=made)))
    if payload["unreachable"]:
        names = [p.name for p in [await views.person(d.db, u) for u in payload["unreachable"]]
                 if p]
        lines.append(tr("Blocked the bot, so not reachable: {names}", names=tr.join(names)))
    if payload.get("late_sent"):
        lines.append(tr("(Sent late: the bot was offline when this fell due.)"))
    return "\n".join(lines)
