"""The privacy notice a person reads (個人資料保護法 Art. 8, its six items): offered to a
stranger before anything of theirs is kept, shown once more when the office changes it, and
by /privacy at any time. The joining it leads to is onboarding's (handlers/onboarding)."""

from __future__ import annotations

from handlers.channels.content import Ask, Asking, Choices
from handlers.channels.turns import Turn
from handlers.common import Asker, Context, answer, clear_buttons, handles, keyboard, office
from handlers.i18n import N_, Tr
from handlers.routes import routes
from workflow.privacy import notice
from workflow.settings import EstateSettings

# The six items of Art. 8 for a management office's desk; an estate's own text in its
# settings (privacy_notice) replaces it, language by language.
NOTICE = N_(
    "Privacy notice of {estate} (version {version})\n"
    "\n"
    "1. Who collects your data: {estate}, {office}.\n"
    "2. Why: to handle your repair reports and complaints, your management fees and "
    "payments, and the management of the estate.\n"
    "3. What: your name, phone number and unit; photos taken in your home and voice notes you "
    "send with a report; your fees and payments; a buyer's purchase contract and its dates.\n"
    "4. For how long, where, by whom and how: kept while these purposes last and then for the "
    "periods of the estate's retention rules (photos, voice notes and messages of closed jobs, "
    "and the names and phones of people who leave, are removed when theirs ends); used only "
    "for the estate's management, in this chat and the office's records; seen by the office "
    "staff, and by the technician or responsible contractor only while they hold your job.\n"
    "5. Your rights (Art. 3 of the Personal Data Protection Act): to see, copy, correct, stop "
    "the use of, or delete your data. Send /mydata, or contact the office.\n"
    "6. If you do not give them: the desk cannot find your unit or handle your reports; you "
    "can still call the office.")

ACCEPT = "pn:ok"  # pn:ok:<version>[:<invitation code>, :+<unit's code> or :@<language>]
UNIT_CODE = "+"  # what a unit's code carried by 'I accept' begins with (handlers/onboarding)
DECLINE = "pn:no"
READ = "pn:read"  # pn:read:<version>: a person read a new version


def text(tr: Tr, settings: EstateSettings) -> str:
    """The current notice in the reader's language, filled with the office's name and
    contact."""
    values = {"estate": settings.estate_name, "office": office(tr, settings),
              "office_phone": settings.office_phone, "office_hours": settings.office_hours,
              "version": notice.current(settings)}
    own = settings.privacy_notice.get(tr.language)
    return own.format(**values) if own else tr(NOTICE, **values)


def accept_data(settings: EstateSettings, code: str | None = None,
                language: str | None = None) -> str:
    """What 'I accept' carries, since nothing is stored before it: the version shown, and
    the invitation code it came with or the language the stranger chose."""
    found = f"{ACCEPT}:{notice.current(settings)}"
    return f"{found}:{code}" if code else f"{found}:@{language}" if language else found


def accepting(data: list[str], settings: EstateSettings) -> tuple[str, str | None, str | None]:
    """The version, the invitation code and the language of an accept button's arguments
    (a language the estate does not offer is left out)."""
    version, extra = (data + [""])[0], (data[1] if len(data) > 1 else None)
    if extra is not None and extra.startswith("@"):
        language = extra[1:]
        return version, None, language if language in settings.languages else None
    return version, extra, None


def accept_and_share(tr: Tr) -> Asking:
    """A resident's one tap: the phone button accepts the notice it comes with."""
    return Asking(Ask.CONTACT, tr("Accept and share my phone number"))


async def offer(turn: Turn, context: Context, who: Asker, code: str | None = None,
                language: str | None = None) -> None:
    """A stranger's /start: the notice, and how to accept it. A resident's acceptance is
    their phone shared with the button (one tap); staff joining by an invitation, a
    stranger who chose a language first or typed a unit's code, one on an app with no phone
    to share (LINE), and anyone on /privacy, tap 'I accept'. Nothing is stored here."""
    d = context.desk
    tr = d.tr(language) if language else who.tr
    welcome = tr("Welcome to the {estate} service desk. Before anything about you is kept, "
                 "please read how we handle your personal data.",
                 estate=d.settings.estate_name)
    body = f"{welcome}\n\n{text(tr, d.settings)}\n\n"
    if code is None and language is None and turn.channel.limits.contact:
        await answer(turn, body + tr(
            "To join, please share your phone number with the button below ('Accept and "
            "share my phone number'): you accept this notice, and we use your number to find "
            "your unit on the owner roster. If you do not accept, nothing about you is kept."),
            asking=accept_and_share(tr))
        return
    if code and code.startswith(UNIT_CODE):
        tail = tr("Tap 'I accept' to join the desk with your unit's code. Until you do, "
                  "nothing about you is kept.")
    elif code:
        tail = tr("To join the team, tap 'I accept'. If you decline, nothing about you is "
                  "kept.")
    else:
        tail = tr("Tap 'I accept' to join the desk. Until you do, nothing about you is kept.")
    await answer(turn, body + tail, accept_or_decline(tr, d.settings, code, language))


def accept_or_decline(tr: Tr, settings: EstateSettings, code: str | None = None,
                      language: str | None = None) -> Choices:
    return keyboard([[(tr("I accept"), accept_data(settings, code, language))],
                     [(tr("Decline"), DECLINE)]])


async def out_of_date(turn: Turn, context: Context, who: Asker, code: str | None,
                      language: str | None) -> None:
    """An accept button of another version (an old notice's, or forged): nothing is stored,
    and the current notice is offered instead."""
    await clear_buttons(turn)
    await answer(turn, who.tr("That notice is out of date: it has changed since. Nothing was "
                              "stored. Here is the current one."))
    await offer(turn, context, who, code, language or who.tr.language)


@handles("privacy.notice")
async def show(turn: Turn, context: Context, who: Asker) -> None:
    """/privacy: the current notice; a stranger may accept it here, a person who has not
    yet may tap that they read it."""
    d, tr = context.desk, who.tr
    body = text(tr, d.settings)
    if who.person is None:
        await answer(turn, body + "\n\n" + tr("Tap 'I accept' to join the desk. Until you "
                                              "do, nothing about you is kept."),
                     accept_or_decline(tr, d.settings, None, tr.language))
        return
    await notice.due(d.db, d.settings, who.user_id, who.account, d.now())  # shown: once
    if await notice.accepted(d.db, d.settings, who.user_id):
        await answer(turn, body)
        return
    await answer(turn, body, _read_button(tr, d.settings))


async def read_again(turn: Turn, context: Context, who: Asker) -> None:
    """A person's tap under an older notice: nothing is recorded, the current one shown."""
    d, tr = context.desk, who.tr
    await clear_buttons(turn)
    await answer(turn, tr("That notice is out of date: it has changed since. Nothing was "
                          "recorded. Here is the current one."))
    await answer(turn, text(tr, d.settings), _read_button(tr, d.settings))


def _read_button(tr: Tr, settings: EstateSettings) -> Choices:
    return keyboard([[(tr("I have read it"), f"{READ}:{notice.current(settings)}")]])


@handles("privacy.read")
async def read(turn: Turn, context: Context, who: Asker) -> None:
    """'I have read it' under a notice shown to a person: recorded with its version."""
    d, tr = context.desk, who.tr
    version = turn.token.split(":", 2)[2] if turn.token and turn.token.count(":") >= 2 else ""
    if who.person is None:  # an account whose person is gone: it joins anew
        await clear_buttons(turn)
        await offer(turn, context, who)
        return
    if version != notice.current(d.settings):
        await read_again(turn, context, who)
        return
    await notice.acknowledge(d.db, d.settings, who.user_id, version, who.account, d.now())
    await clear_buttons(turn)
    await answer(turn, tr("Thank you. /privacy shows the notice again at any time."))


async def new_version(turn: Turn, context: Context, who: Asker) -> None:
    """After a person's action (never instead of it): the notice, once, if it changed since
    they last saw it (or they never did, in an estate older than it)."""
    d = context.desk
    if who.person is None or not await notice.due(d.db, d.settings, who.user_id, who.account,
                                                   d.now()):
        return
    tr = who.tr
    await answer(turn, tr("The privacy notice of {estate} has changed. Please read it:",
                          estate=d.settings.estate_name) + "\n\n" + text(tr, d.settings),
                 _read_button(tr, d.settings))


ROUTES = routes(
    commands={"privacy": show},
    buttons=[(r"^pn:read:", read)],
)
