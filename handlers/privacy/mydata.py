"""/mydata: a person's own copy of everything the desk holds about them, sent at once as one
ZIP (data.json, a PDF to read in their language, the photos and voice notes they sent), with
a short summary, who opened their record lately, and what else they may ask (correct, stop,
delete: handlers/privacy/requests.py). The request and its delivery are recorded."""

from __future__ import annotations

import io
import logging
import zipfile
from typing import TYPE_CHECKING, Any

from handlers import labels
from handlers.channels.turns import Channel, Turn
from handlers.common import Asker, Context, answer, handles, keyboard
from handlers.i18n import Tr
from handlers.routes import routes
from workflow.settings import EstateSettings

if TYPE_CHECKING:
    from workflow.privacy import export

log = logging.getLogger(__name__)

# Telegram takes files of up to 50 MB from a bot: the package stays under it, and a file
# beyond is listed (the office sends it another way).
PACKAGE_LIMIT = 45 * 1024 * 1024
# The start of a file says what it is (Telegram keeps photos as JPEG, voice notes as Ogg).
_KINDS = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG", ".png"), (b"OggS", ".ogg"),
          (b"ID3", ".mp3"), (b"RIFF", ".wav"), (b"GIF8", ".gif"))
CORRECT, STOP, DELETE = "pv:correct", "pv:stop", "pv:delete"


@handles("privacy.mydata")
async def mydata(turn: Turn, context: Context, who: Asker) -> None:
    # the export and its PDF (readable) load at the first /mydata, not at start-up: a rare
    # request's ~15 modules and tables kept off an idle desk's memory (issue 27)
    from workflow.privacy import export
    d, tr, channel = context.desk, who.tr, turn.channel
    try:
        request_id = await export.request(d.db, who.user_id, channel.name, d.now())
    except export.Refused as refused:
        await answer(turn, tr("Your data was sent to you at {time}: the file is just above.",
                              time=tr.datetime(refused.sent)) if refused.sent else
                     tr("Your data is being gathered: the file comes in a moment."))
        return
    try:
        found = await export.gather(d.db, who.user_id, d.settings.estate_name, d.now())
        files, media = await _fetch(channel, found.media)
        package = _package(tr, d.settings, found, files, media)
        await channel.send_document(
            turn.address, io.BytesIO(package),
            filename=f"mydata-{d.now().astimezone(d.settings.tz):%Y-%m-%d}.zip",
            caption=tr("Your data at {estate}: data.json for a computer, a PDF to read, and "
                       "the photos and voice notes you sent.", estate=d.settings.estate_name)
            if found.media else tr("Your data at {estate}: data.json for a computer and a PDF "
                                   "to read.", estate=d.settings.estate_name))
    except Exception as exc:
        await export.failed(d.db, request_id, d.now())
        if channel.classify(exc) is None:
            raise  # not the app's: the desk's apology, and the request stays not delivered
        log.warning("a copy of %s's data was not sent: %s", who.user_id, exc)
        await answer(turn, tr("Your data could not be sent just now. Please send /mydata "
                              "again in a few minutes."))
        return
    await export.delivered(d.db, request_id, len(package), found, files, d.now())
    await answer(turn, summary(tr, found, files), keyboard([
        [(tr("Correct my data"), CORRECT)], [(tr("Stop using my data"), STOP)],
        [(tr("Delete my data"), DELETE)]]))


async def _fetch(channel: Channel, wanted: tuple[export.Media, ...]
                 ) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """Each file from the chat app; one that cannot be fetched (gone, too big for the app's
    download) or would make the package too big is listed with why, never left out."""
    files, media, size = [], {}, 0
    for m in wanted:
        try:
            content = await channel.fetch(m.ref)
        except Exception as exc:  # the app's refusal or fault: this file only
            log.warning("file %s of %s could not be fetched: %s", m.ref, m.about, exc)
            files.append({"name": m.name, "kind": m.kind, "about": m.about,
                          "included": False, "reason": "unavailable"})
            continue
        if size + len(content) > PACKAGE_LIMIT:
            files.append({"name": m.name, "kind": m.kind, "about": m.about,
                          "included": False, "reason": "too_large"})
            continue
        name = m.name + _extension(content)
        size += len(content)
        media[name] = content
        files.append({"name": name, "kind": m.kind, "about": m.about, "included": True,
                      "reason": None})
    return files, media


def _extension(content: bytes) -> str:
    return next((ext for start, ext in _KINDS if content.startswith(start)),
                ".mp4" if content[4:8] == b"ftyp" else ".bin")


def _package(tr: Tr, settings: EstateSettings, found: export.Export,
             files: list[dict[str, Any]], media: dict[str, bytes]) -> bytes:
    from handlers.privacy import readable
    from workflow.privacy import export
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("data.json", export.document(found, files), zipfile.ZIP_DEFLATED)
        package.writestr("mydata.pdf", readable.pdf(tr, settings, found, files),
                         zipfile.ZIP_DEFLATED)
        for name, content in media.items():  # photos and sound are compressed already
            package.writestr(name, content, zipfile.ZIP_STORED)
    return buffer.getvalue()


def summary(tr: Tr, found: export.Export, files: list[dict[str, Any]]) -> str:
    """What the file holds, in figures; who opened their record lately; what else they may
    ask of the desk."""
    from handlers.privacy import readable
    from workflow.privacy import export
    c = found.counts
    lines = [tr("In the file: repairs {repairs}; complaints {complaints}; survey answers "
                "{surveys}; your units' bills {bills} and payments {payments}; renovation "
                "permits {renovations}; keys deposited {keys}; photos and voice notes {files}.",
                **{k: c[k] for k in ("repairs", "complaints", "surveys", "bills", "payments",
                                     "renovations", "keys", "files")})]
    missing = sum(1 for f in files if not f["included"])
    if missing:
        lines.append(tr.plural("{n} file could not be put in the package; the file lists it.",
                               "{n} files could not be put in the package; the file lists "
                               "them.", missing))
    viewers = found.viewers[:export.VIEWERS_SHOWN]
    if viewers:
        lines.append(tr("Who opened your record lately:"))
        lines += ["· " + tr("{time} {who}: {what} ({why})", time=readable.when_text(tr, v["at"]),
                            who=readable.person_label(tr, v["viewer"], v["role"]),
                            what=labels.of(tr, readable.OPENED, v["what"]),
                            why=readable.why_text(tr, v["why"]))
                  for v in viewers]
    else:
        lines.append(tr("No member of staff has opened your record."))
    lines.append(tr("You may also ask the desk to correct your data, to stop using it or to "
                    "delete it:"))
    return "\n".join(lines)


ROUTES = routes(commands={"mydata": mydata})
