"""What the breach drill sends: the notice to each person the incident could have exposed
(in their language: what happened, what data, what the office is doing, whom to contact),
and the managers' alerts of its 72-hour clock (opened, people untold at 48 hours, not
closed at 72)."""

from __future__ import annotations

from handlers.common import office
from handlers.i18n import N_, Tr
from handlers.renderers import Notice, renders
from workflow.privacy import breach
from workflow.privacy.breach import CHAT, PHONE, Incident
from workflow.settings import EstateSettings

# What each kind of data is called in a person's notice (`--kinds`).
DATA = {
    "names": N_("your name"),
    "phones": N_("your phone number"),
    "units": N_("your unit"),
    "tickets": N_("what you reported to the desk"),
    "photos": N_("photos you sent"),
    "voice": N_("voice notes you sent"),
    "payments": N_("your unit's payments"),
    "contracts": N_("your purchase contract"),
}


def notice_text(tr: Tr, settings: EstateSettings, incident: Incident) -> str:
    """The notice to a person, in `tr`'s language: by chat, or read to them on the phone."""
    data = tr.join(tr(DATA[k]) for k in incident.kinds) if incident.kinds else \
        tr("any of the personal data the desk holds about you (name, phone number, unit, "
           "reports, photos and voice notes)")
    return "\n".join([
        tr("Important: about your personal data ({ref})", ref=incident.reference),
        tr.headed(tr("What happened"), incident.described_in(tr.language)),
        tr.headed(tr("Data that may be exposed"), data),
        tr.headed(tr("What we are doing"),
                  tr("We have acted to stop it, are looking into what happened and are "
                     "reporting it as the Personal Data Protection Act requires. We will tell "
                     "you if we learn more.")),
        tr.headed(tr("What you can do"),
                  tr("Be careful with calls or messages that use your details, and never give "
                     "anyone a password or a code.")),
        tr.headed(tr("Questions"), tr("please contact {office}.",
                                      office=office(tr, settings))),
    ])


def _due(tr: Tr, incident: Incident) -> str:
    return tr.datetime(incident.due_at)


@renders("breach_notice", plain=True)
async def _breach_notice(n: Notice) -> None:
    found = await breach.incident(n.d.db, int(n.payload["incident"]))
    if found is not None:
        await n.send(notice_text(n.tr, n.d.settings, found[0]))


@renders("breach_opened", "breach_untold", "breach_overdue", plain=True)
async def _breach_alert(n: Notice) -> None:
    tr, kind = n.tr, n.message.kind
    found = await breach.incident(n.d.db, int(n.payload["incident"]))
    if found is None:
        return
    incident, listed = found
    if incident.closed_at is not None and kind != "breach_opened":
        return  # closed since: nothing left to chase
    command = f"estatedesk privacy breach show {incident.id}"
    if kind == "breach_opened":
        chat = sum(1 for p in listed if p.way == CHAT)
        phone = sum(1 for p in listed if p.way == PHONE)
        lines = [tr("Personal data incident {ref} recorded: {what}", ref=incident.reference,
                    what=incident.what),
                 tr.plural("{n} person could be affected: {chat} told in the chat, {phone} to "
                           "phone ({command}).",
                           "{n} people could be affected: {chat} told in the chat, {phone} to "
                           "phone ({command}).", incident.count, chat=chat, phone=phone,
                           command=command),
                 tr("Tell them, and report it, by {due} (72 hours).", due=_due(tr, incident))]
        if incident.count >= breach.MANY:
            lines.append(tr("100 or more people: the draft rule asks for the report to the "
                            "authority within these 72 hours."))
    elif kind == "breach_untold":
        lines = [tr.plural("Personal data incident {ref}: {n} person is still not told, 48 "
                           "hours on. The 72 hours end {due}.",
                           "Personal data incident {ref}: {n} people are still not told, 48 "
                           "hours on. The 72 hours end {due}.", incident.untold,
                           ref=incident.reference, due=_due(tr, incident)),
                 tr("Who: {command}", command=command)]
    else:
        lines = [tr.plural("Personal data incident {ref} is past its 72 hours ({due}) and still "
                           "open; {n} person not told.",
                           "Personal data incident {ref} is past its 72 hours ({due}) and still "
                           "open; {n} people not told.", incident.untold,
                           ref=incident.reference, due=_due(tr, incident)),
                 tr("Once they are told and the report is made: estatedesk privacy breach "
                    "close {id}", id=incident.id)]
    await n.send("\n".join(lines))
