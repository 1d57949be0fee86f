"""What every handler needs: the desk's services, who is asking, in which language, and the
shared labels, keyboards and refusal answers."""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from handlers import cards, labels
from handlers.channels.content import Ask, Asking, Choices, choices, kept
from handlers.channels.turns import Channel, Turn
from handlers.i18n import N_, Tr, guess_language
from handlers.numbers import unreadable
from handlers.repairs.actions import desk_buttons, worker_buttons
from storage import accounts
from storage.db import Database, commits_so_far
from storage.records import Account, Draft, Person
from workflow import access, delivery, roles, views
from workflow.conversations import DRAFT_ID, Busy
from workflow.limits import NotFiled
from workflow.numbers import Unreadable
from workflow.privacy import access as access_log
from workflow.settings import EstateSettings
from workflow.tickets import Happened, Refusal

log = logging.getLogger(__name__)


@dataclass
class Desk:
    db: Database
    settings: EstateSettings
    clock: Callable[[], datetime]
    deliver_at_once: bool = True  # tests deliver the outbox themselves, step by step
    _trs: dict[str, Tr] = field(default_factory=dict, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def tr(self, language: str) -> Tr:
        if language not in self._trs:
            self._trs[language] = Tr(language, self.settings.tz)
        return self._trs[language]


@dataclass(slots=True)
class Context:
    """What every handler receives besides the turn: the desk, the channel the person wrote
    from, a command's arguments, and a way to start the outbox's delivery."""
    desk: Desk
    channel: Channel
    args: list[str]
    deliver_soon: Callable[[], None]


async def set_menus_of(context: Context, person_id: int, tr: Tr, role: str | None,
                       lives_here: bool = False) -> None:
    """The menu of each chat of someone else (a resident just approved) on this channel: a
    person may have linked several."""
    channel = context.channel
    for chat in await views.chats_of(context.desk.db, person_id, channel.name):
        await channel.set_menu(channel.address_of(chat), tr, role, lives_here)


def photo_ask(tr: Tr) -> Asking:
    """A photo asked for: the app's camera and camera-roll buttons, where it has them."""
    return Asking(Ask.PHOTO, tr("Take a photo"), tr("Choose a photo"))


def kick(context: Context) -> None:
    """Deliver the outbox soon, without making the person who acted wait for it."""
    if context.desk.deliver_at_once:
        context.deliver_soon()


@dataclass
class Asker:
    """The sender of an update: their person's id and record (0 and None for a stranger's
    account), their language, and the chat account they wrote from."""
    user_id: int
    person: Person | None
    tr: Tr
    account: Account = field(default_factory=lambda: accounts.telegram(0))

    @property
    def member(self) -> Person:
        """Their record, where the role check already required one."""
        assert self.person is not None
        return self.person

    @property
    def role(self) -> str | None:
        return self.person.role if self.person and self.person.active else None

    def may(self, allowed: tuple[str, ...]) -> bool:
        """A role check; a member of staff who lives in the estate is a resident too."""
        if self.role in allowed:
            return True
        return roles.RESIDENT in allowed and self.person is not None and \
            self.person.lives_here and self.person.active and self.role is not None


async def asker(turn: Turn, desk: Desk) -> Asker:
    person = await views.person_of_account(desk.db, turn.account)
    if person is not None and person.unreachable:  # they talk to us again
        await delivery.reachable_again(desk.db, person.user_id)
    if person is not None:
        language = person.language
    else:
        language = guess_language(turn.language, desk.settings.default_language)
        if language not in desk.settings.languages:
            language = desk.settings.default_language
    return Asker(person.user_id if person else 0, person, desk.tr(language), turn.account)


REFUSALS = {
    Refusal.NOT_FOUND: N_("Not found. Please check the reference and try again."),
    Refusal.FORBIDDEN: N_("Sorry, you are not allowed to do that."),
    Refusal.STALE: N_("This button is out of date: the ticket has moved on. Nothing was changed."),
    Refusal.INVALID: N_("That did not work. Please start again from the menu."),
    Refusal.QUOTED: N_("The owner pays for this job and has not accepted the quotation yet: "
                       "the work waits for their answer."),
    Refusal.NOT_REVIEWED: N_("The repair department has not approved this work yet: it touches "
                             "structure or building services."),
    Refusal.NOT_PAID: N_("The renovation fees are not recorded as paid yet."),
    Refusal.FULL: N_("That time is fully booked now; please choose another."),
}


MAX_MESSAGE = 4096  # the longest a text or a caption may be on any channel, in UTF-16
MAX_CAPTION = 1024  # units (Telegram's limits; a channel's own are in its Limits)
# Characters that show nothing: a text made only of them is empty.
_INVISIBLE = {"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"}


def utf16_len(text: str) -> int:
    """The length Telegram and LINE measure: an emoji outside the BMP counts two."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int = MAX_MESSAGE, *, keep_end: bool = False) -> str:
    """The text cut with '…' to at most `limit` UTF-16 units, keeping its start (a card's
    head) or its end (a timeline's newest lines)."""
    if utf16_len(text) <= limit:
        return text
    units = (text[::-1] if keep_end else text).encode("utf-16-le")[:2 * (limit - 1)]
    cut = units.decode("utf-16-le", errors="ignore")  # never half a surrogate pair
    return "…" + cut[::-1] if keep_end else cut + "…"


def visible(text: str) -> bool:
    """Whether the text shows anything (zero-width and other invisible characters do not)."""
    return any(unicodedata.category(c) not in _INVISIBLE for c in text)


@dataclass
class _Replies:
    """The direct replies of the update being handled: once one had to go through the
    outbox, the rest follow it there, so the person reads them in order."""
    context: Context
    deferred: bool = False


_replies: ContextVar[_Replies | None] = ContextVar("replies", default=None)


async def answer(turn: Turn, text: str, choices: Choices | None = None,
                 asking: Asking | None = None) -> object | None:
    """Replies in the chat of the turn, whether it came as a message or a tap. The channel
    busy (Telegram's 429) or failing (5xx, a cut connection): the reply goes through the
    outbox, which tries it again, rather than leaving the person without it (say, their
    reference). The reference of the message sent; None when it went through the outbox."""
    channel = turn.channel
    text, replies = fit(text, keep_end=True), _replies.get()
    after: timedelta | None = None
    if replies is None or not replies.deferred:
        try:
            return await channel.send(turn.address, text, choices, asking)
        except Exception as exc:
            if replies is None or not channel.passing(exc):
                raise
            log.warning("a reply to %s goes through the outbox: %s", turn.address, exc)
            after = channel.wait_for(exc)
    replies.deferred = True
    d = replies.context.desk
    await delivery.reply_later(d.db, Account(channel.name, str(turn.address)), text,
                               kept(choices, asking), d.now(), after)
    kick(replies.context)
    return None


def _not_yet(who: Asker, channel) -> str:
    """What a person with no unit yet is told of a resident's action."""
    if who.person and who.person.phone:
        return who.tr("Your unit is not confirmed yet. A clerk will check it soon, and we "
                      "will message you here.")
    if not channel.limits.contact:  # no phone to share on this app: a unit's code
        return who.tr("Your unit is not linked yet. Please send /start and type the code "
                      "from the office's sheet, or your unit for a clerk to confirm.")
    return who.tr("Please send /start and share your phone number first, so we know which "
                  "unit is yours.")


def handles(action: str):
    """Wraps a handler: who is asking, the role check of its action in the table of who may
    (workflow/access.py) on the server, refusals answered in the asker's language. A tap is
    always answered (its spinner stopped). A handler that acts on a record checks the
    relation too (`allowed`)."""
    if action not in access.RULES:
        raise KeyError(f"{action!r} is not in the table of who may (workflow/access.py)")
    residents_too = roles.RESIDENT in access.RULES[action].roles

    def wrap(func: Callable[[Turn, Context, Asker], Awaitable[None]]):
        @functools.wraps(func)
        async def handler(turn: Turn, context: Context) -> None:
            channel = turn.channel
            if not turn.private:
                # The desk works in private chats only: a button in a group does nothing.
                if turn.tapped:
                    await channel.done(turn)
                return
            who = await asker(turn, context.desk)
            before = commits_so_far()
            replies = _Replies(context)
            replying = _replies.set(replies)
            try:
                if not access.may(action, who.person):
                    if who.role is None and residents_too:
                        await answer(turn, _not_yet(who, channel))
                        if turn.tapped:
                            await channel.done(turn)
                        return
                    raise Refusal(Refusal.FORBIDDEN)
                await func(turn, context, who)
                if who.person is not None and not action.startswith("privacy."):
                    from handlers.privacy import notice  # it answers with this module's tools
                    await notice.new_version(turn, context, who)
            except Refusal as refusal:
                if refusal.reason == Refusal.HANDLED and refusal.ticket_id is not None:
                    await _show_handled(turn, context, who, refusal.ticket_id,
                                        refusal.unversioned)
                    return
                if refusal.happened is not None:  # what happened instead, and who did it
                    text = happened_text(who, refusal.happened)
                    if turn.tapped:
                        await channel.toast(turn, text)
                        await clear_buttons(turn)
                    await answer(turn, text)
                    return
                text = who.tr(REFUSALS[refusal.reason])
                if turn.tapped:
                    await channel.toast(turn, text)
                else:
                    await answer(turn, text)
                return
            except NotFiled as refusal:
                if refusal.at_submit:
                    await views.drop_draft(context.desk.db, who.user_id)
                await _not_filed(turn, context, who, refusal)
            except Busy as busy:
                await _busy(turn, who, busy.draft)
            except Unreadable as refused:  # a number that cannot be taken: nothing changed
                text = unreadable(who.tr, refused)
                if turn.tapped:
                    await channel.toast(turn, text)
                else:
                    await answer(turn, text)
                return
            except Exception as exc:
                exc.saved = commits_so_far() > before  # type: ignore[attr-defined]  # read
                # by the apology (bot/app.py): whether the action was saved after all
                raise
            finally:
                _replies.reset(replying)
            if turn.tapped:
                try:
                    await channel.done(turn)
                except Exception as exc:
                    if not (replies.deferred and channel.failing(exc)):
                        raise  # else the app is failing still: the spinner stops itself

        handler.access_action = action  # type: ignore[attr-defined]  # read by the tests
        return handler

    return wrap


async def allowed(context: Context, who: Asker, action: str, record: object = None) -> None:
    """The table's rule for an action on a record (the ticket, the loan, the party signing):
    refused unless the asker has the role and the relation it needs."""
    await access.check(context.desk.db, action, who.user_id, record)


async def _busy(turn: Turn, who: Asker, draft: Draft) -> None:
    """Another conversation is in progress: it is never dropped without asking."""
    tr = who.tr
    what = labels.of(tr, labels.CONVERSATIONS, draft.flow)
    await answer(turn, tr("You are in the middle of {what}. Please finish it first (send what "
                            "it asks for), or drop it and then start again.", what=what),
                 keyboard([[(tr("Drop it"), "r:x")]]))


def office(tr: Tr, settings: EstateSettings) -> str:
    """How to reach the management office: its phone and hours when the settings have them
    (Telegram makes the number tappable)."""
    if settings.office_phone and settings.office_hours:
        return tr("the management office ({phone}, open {hours})", phone=settings.office_phone,
                  hours=settings.office_hours)
    if settings.office_phone:
        return tr("the management office ({phone})", phone=settings.office_phone)
    return tr("the management office")


async def _not_filed(turn: Turn, context: Context, who: Asker,
                     refusal: NotFiled) -> None:
    tr = who.tr
    if refusal.reason == NotFiled.DUPLICATE:
        await answer(turn, tr("This is the same as {ref}, which is still open: we are on it "
                                "already. You can add a message or a photo to it.",
                                ref=refusal.ref),
                     keyboard([[(tr("Open {ref}", ref=refusal.ref), f"t:v:{refusal.ticket_id}")]]))
    else:
        await answer(turn, tr("That is the most new reports one day takes. You can report "
                                "again from {time}. For an emergency, please call {office}.",
                                time=tr.datetime(refusal.until) if refusal.until else "",
                                office=office(tr, context.desk.settings)))


async def _show_handled(turn: Turn, context: Context, who: Asker, ticket_id: int,
                        unversioned: bool = False) -> None:
    """The card was out of date: who did what since, and the card as it is now, with the
    buttons the asker may still use (none to the colleague whose unit's job another took)."""
    d, tr = context.desk, who.tr
    last, file = await views.stale_view(d.db, ticket_id, who.user_id)
    if file is None:  # no longer theirs to see: what happened, if it ever concerned them
        text = happened_text(who, last) if last else tr(REFUSALS[Refusal.STALE])
        gone = await views.no_longer_theirs(d.db, ticket_id, who.user_id)
        if gone:  # the old card of a job taken off them offers nothing any more
            text = tr("This job is no longer yours: the desk has given it to someone else. "
                      "Nothing was changed.") + (f"\n{happened_text(who, last)}" if last else "")
        if turn.tapped:
            await turn.channel.toast(turn, text)
        if last is not None or gone:
            await clear_buttons(turn)
            await answer(turn, text)
        return
    if unversioned:  # a card from before buttons carried versions: nobody to name
        head = tr("This card is out of date. Here is the ticket as it is now.")
    else:
        head = happened_text(who, last) if last else tr(REFUSALS[Refusal.STALE])
    if turn.tapped:
        await turn.channel.toast(turn, head)
    await clear_buttons(turn)
    t, person = file.ticket, who.person
    if person is not None and roles.can_dispatch(who.role):
        buttons = desk_buttons(tr, file, person)
    elif person is not None and (t.technician_id == who.user_id or
                                 who.role == roles.CONTRACTOR):
        buttons = worker_buttons(tr, file, person)  # a unit's job nobody took: accept it
    else:
        buttons = []
    await access_log.ticket_opened(d.db, who.person, file, d.now())
    await answer(turn, head + "\n\n" + cards.summary(tr, d.settings, file, staff=True,
                                                      viewer=person), keyboard(buttons))


def happened_text(who: Asker, last: Happened) -> str:
    """What made a button out of date, who did it and when: "Already assigned to Ah Wai by
    Desk clerk, Nov 26, 2026 10:05."""
    tr = who.tr
    when, name = tr.datetime(last.at), last.by or tr("the desk")
    if last.action in ("join_approved", "join_rejected"):
        return tr("Already approved by {name}, {time}: {unit}.", name=name, time=when,
                  unit=last.note) if last.action == "join_approved" else \
            tr("Already rejected by {name}, {time}: {unit}.", name=name, time=when,
               unit=last.note)
    what = labels.of(tr, labels.ACTIONS, last.action)
    if last.actor_id is not None and last.actor_id == who.user_id:
        return tr("You already did this: {what}, {time}.", what=what, time=when)
    if last.action == "assigned" and last.note:
        return tr("Already assigned to {holder} by {name}, {time}.", holder=last.note,
                  name=name, time=when)
    if last.action == "contractor_accepted":
        return tr("Already taken by {name}, {time}.", name=name, time=when)
    return tr("Someone else already handled it: {name}, {what}, {time}.", name=name,
              what=what, time=when)


async def text_answer(turn: Turn, who: Asker, limit: int) -> str | None:
    """The text the person sent, trimmed; or None, after telling them what is wrong with it
    (a sticker or a photo where text is expected, an empty or an over-long message)."""
    text = turn.text
    if not text or not visible(text):
        await answer(turn, who.tr("Please answer in text."))
        return None
    if utf16_len(text) > limit:  # as Telegram counts: an emoji is two
        await answer(turn, who.tr("That is {count} characters; the limit is {limit}. Please "
                                    "shorten it and send it again.",
                                    count=utf16_len(text), limit=limit))
        return None
    return text.strip()


async def spoken_answer(turn: Turn, who: Asker,
                        limit: timedelta) -> tuple[dict, str] | None:
    """The voice note describing the problem, and its caption (the text that goes with it);
    None (after saying why) when it is longer than the estate allows."""
    if turn.voice is None:
        return None
    voice = turn.voice.as_dict()
    if voice["seconds"] > limit.total_seconds():
        await answer(turn, who.tr("That recording is {length} long; the limit is {limit}. "
                                    "Please send a shorter one, or type the problem.",
                                    length=cards.clock_length(voice["seconds"]),
                                    limit=who.tr.duration(limit)))
        return None
    caption = (turn.caption or "").strip()
    return voice, caption if visible(caption) else ""


async def draft_at(context: Context, who: Asker, flow: str, step: str) -> Draft:
    """The person's conversation, which must be waiting for this step: an old button is
    refused and changes nothing."""
    draft = await views.draft(context.desk.db, who.user_id, context.desk.now())
    if draft is None or draft.flow != flow or draft.step != step:
        raise Refusal(Refusal.STALE)
    return draft


async def own_unit(context: Context, who: Asker, args: list[str]) -> int:
    """A unit id from a button, which must be one of the resident's own."""
    unit_id = int_arg(args, 0)
    await allowed(context, who, "units.own", unit_id)
    return unit_id


async def collect_photo(turn: Turn, context: Context, who: Asker, draft: Draft, limit: int,
                        done: str) -> None:
    """A photo for the draft in progress, up to `limit`; `done` is the Done button's data."""
    tr = who.tr
    photos = list(draft.data.get("photos", []))
    done_button = keyboard([[(tr("Done"), done)]])
    if not turn.photos:
        await answer(turn, tr("Please send a photo, or tap 'Done'."), done_button,
                     photo_ask(tr))
        return
    album = turn.album  # an album comes as one message per photo
    answered = album is not None and draft.data.get("album") == album
    d = context.desk
    if len(photos) >= limit:
        if album is not None:
            await _album_overflow(turn, context, who, draft, limit, done_button)
        elif not answered:
            await answer(turn, tr("That is the most photos one report can take ({limit}). "
                                    "Tap 'Done' to go on.", limit=limit), done_button)
        return
    photos.append(turn.photos[0])
    kept = {"album_kept": draft.data.get("album_kept", 0) + 1 if answered else 1,
            "album_left": 0, "album_note": draft.data.get("album_note")} if album else {}
    saved = Draft(draft.user_id, draft.flow, draft.step,
                  {**draft.data, "photos": photos, "album": album, **kept})
    await views.save_draft(d.db, saved, d.now())
    if answered:
        return  # one reply for the whole album
    if album is not None:
        sent = await answer(turn, tr("Photos received (up to {limit} are kept). Send more, or "
                                       "tap 'Done'.", limit=limit), done_button)
        if sent is not None:  # edited if the album brings more than fit
            saved.data["album_note"] = sent
            await views.save_draft(d.db, saved, d.now())
        return
    await answer(turn, tr("Photo {count} of {limit} received. Send another, or tap 'Done'.",
                            count=len(photos), limit=limit), done_button, photo_ask(tr))


async def _album_overflow(turn: Turn, context: Context, who: Asker, draft: Draft,
                          limit: int, done_button: Choices) -> None:
    """A photo of an album that no longer fits: the album's one reply says how many of it
    were kept and how many left out (edited as the album's photos come)."""
    data = draft.data
    same = data.get("album") == turn.album
    kept = data.get("album_kept", 0) if same else 0
    left = (data.get("album_left", 0) if same else 0) + 1
    note = data.get("album_note") if same else None
    text = who.tr("Of these photos, {kept} were kept and {left} left out: at most {limit} can "
                  "be sent. Tap 'Done' to go on.", kept=kept, left=left, limit=limit)
    edited = False
    if note is not None and turn.channel.limits.edits:
        edited = await turn.channel.edit(turn.address, note, text, done_button)
    if not edited:
        note = await answer(turn, text, done_button)
    d = context.desk
    await views.save_draft(d.db, Draft(draft.user_id, draft.flow, draft.step, {
        **data, "album": turn.album, "album_kept": kept,
        "album_left": left, "album_note": note}), d.now())


def confirm_button(data: str, draft: dict) -> str:
    """A "Confirm and send" that names its draft (`draft`: its data): a second tap, or the
    same tap delivered again after a crash, is answered with what that draft became."""
    return f"{data}:{draft[DRAFT_ID]}" if draft.get(DRAFT_ID) else data


def confirmed_draft(turn: Turn) -> str | None:
    """The draft a confirm button names (None on a button shown before they did, or a forged
    one that is no draft's id)."""
    parts = button_data(turn).split(":")
    found = parts[2] if len(parts) > 2 else ""
    return found if 0 < len(found) <= 16 and found.isascii() and found.isalnum() else None


async def clear_buttons(turn: Turn) -> None:
    """Removes the buttons of the tapped message, so it cannot be tapped again; a message
    already cleared (a double tap) is fine. (A channel that cannot change a sent message
    leaves them: a later tap on one is refused as out of date.)"""
    if turn.tapped:
        await turn.channel.set_choices(turn, None)


CLOSE = "x:close"


def picker(tr: Tr, rows: list[list[tuple[str, str]]]) -> Choices:
    """A choice offered under a card, with a way out that changes nothing."""
    return keyboard(rows + [[(tr("Close"), CLOSE)]])


def keyboard(rows: list[list[tuple[str, str]]]) -> Choices:
    """The same rows give the same choices, which a channel turns into its buttons once."""
    return choices(rows)


def behalf_lines(tr: Tr, data: dict) -> list[str]:
    """In a report the desk writes for a resident: whose it is and how it came in."""
    behalf = data.get("on_behalf")
    if not behalf:
        return []
    lines = [tr("For: {name} (received {channel})", name=behalf["resident_name"],
                channel=labels.of(tr, labels.CHANNELS, behalf["channel"]))]
    if behalf.get("caller_name") or behalf.get("caller_phone"):
        lines.append(tr("Caller: {name} {phone}", name=behalf.get("caller_name") or "",
                        phone=behalf.get("caller_phone") or "").strip())
    return lines


def filed_for(who: Asker, ticket) -> str:
    return who.tr("Recorded as {ref} for the resident of {unit}. Please give the caller this "
                  "reference; the desk has the card to dispatch.", ref=ticket.ref,
                  unit=ticket.unit.label)


def stamp(data: str, version: int | None) -> str:
    """Button data for a change, carrying the version of the ticket the person was shown
    (none from a card older than versions: the change is then refused as out of date)."""
    return data if version is None else f"{data}:v{version}"


def seen_version(args: list[str]) -> tuple[list[str], int | None]:
    """The arguments of a button without its version mark, and the version (None if absent,
    which the workflow refuses like a stale one)."""
    if args and args[-1][:1] == "v" and args[-1][1:].isdigit():
        version = int(args[-1][1:])
        return args[:-1], version if version <= MAX_ID else None
    return args, None


def button_data(turn: Turn) -> str:
    """The token of the tapped choice (the handlers that call this take only taps)."""
    assert turn.token is not None
    return turn.token


def callback_args(turn: Turn) -> list[str]:
    return button_data(turn).split(":")[2:]


# The largest id either database can hold (SQLite's INTEGER, PostgreSQL's bigint): a larger
# one, forged, is found nowhere, and must not reach a query that cannot take it.
MAX_ID = 2**63 - 1


def int_arg(args: list[str], index: int) -> int:
    """An id from a button or a command; anything forged is refused, an id no database can
    hold is not found."""
    try:
        value = int(args[index])
    except (IndexError, ValueError):
        raise Refusal(Refusal.INVALID) from None
    if not -MAX_ID <= value <= MAX_ID:
        raise Refusal(Refusal.NOT_FOUND)
    return value


def main_menu(who: Asker) -> Choices | None:
    lives_here = who.person is not None and who.person.lives_here
    return menu_of(who.tr, who.role, lives_here)


def menu_of(tr: Tr, role: str | None, lives_here: bool) -> Choices | None:
    """The menu's buttons of someone who is not the one asking (a notice's recipient)."""
    return tr.made(("menu", role, lives_here), lambda: _main_menu(tr, role, lives_here))


def _main_menu(tr: Tr, role: str | None, lives_here: bool) -> Choices | None:
    if role == roles.RESIDENT:
        first = [(tr("Report a repair"), "m:repair"), (tr("Make a complaint"), "m:complain")]
        return keyboard([first, [(tr("My tickets"), "m:mytickets")],
                         [(tr("Language"), "m:language"), (tr("Help"), "m:help")]])
    elif role in roles.WORKERS:
        first = [(tr("My tasks"), "m:mytasks")]
    elif roles.can_sign_as_supervisor(role):
        first = [(tr("Queue"), "m:queue"), (tr("Overdue"), "m:overdue"),
                 (tr("Waiting for sign-off"), "m:signoffs")]
    elif role in (roles.SUPERVISING_ENGINEER, roles.PROJECT_DEPARTMENT):
        first = [(tr("Waiting for sign-off"), "m:signoffs")]
    elif roles.can_dispatch(role):
        first = [(tr("Queue"), "m:queue"), (tr("Take a report"), "m:intake")]
    else:
        return None
    rows = [first]
    if lives_here:  # their own flat, too
        rows.append([(tr("Report a repair"), "m:repair"), (tr("My tickets"), "m:mytickets")])
    return keyboard(rows + [[(tr("Language"), "m:language"), (tr("Help"), "m:help")]])
