"""The privacy notice at joining (個人資料保護法 Art. 8): a stranger's account becomes a person
only as they accept the version shown to them, and that acceptance is recorded with the
person, in the same transaction; a person who accepted an earlier version (or, in an estate
older than the notice, none) is shown the new one once, and may tap that they read it."""

from __future__ import annotations

from datetime import datetime

from storage import accounts
from storage.db import Database
from storage.privacy import notices
from storage.records import Account, Person
from workflow.settings import EstateSettings
from workflow.tickets import Refusal


def current(settings: EstateSettings) -> str:
    return settings.privacy_notice_version


def check_version(settings: EstateSettings, version: str) -> None:
    """An accept button names the version it was shown with: another (an older notice's
    button, or a forged one) is refused as out of date, and nothing is stored."""
    if version != current(settings):
        raise Refusal(Refusal.STALE)


async def join(db: Database, settings: EstateSettings, account: Account, version: str,
               language: str, name: str, now: datetime) -> Person:
    """A stranger accepts the notice: their person is made and the acceptance recorded (the
    account's person as it is, if another update of theirs made it first)."""
    check_version(settings, version)
    async with db.transaction() as conn:
        person = await accounts.enter(conn, account, language, name, now)
        await notices.accept(conn, person.user_id, version, account, now)
    notices.remember(db, person.user_id, version)
    return person


async def due(db: Database, settings: EstateSettings, person_id: int, account: Account,
              now: datetime) -> bool:
    """Whether the current notice is to be shown to the person now: once, the first time
    they write after it changed; recorded as shown in the same step."""
    version = current(settings)
    if notices.known(db, person_id) == version:
        return False
    async with db.transaction(durable=False) as conn:
        first = await notices.shown(conn, person_id, version, account, now, accepted=False)
    notices.remember(db, person_id, version)
    return first


async def acknowledge(db: Database, settings: EstateSettings, person_id: int, version: str,
                      account: Account, now: datetime) -> bool:
    """The person tapped that they read the version shown; False when they had already."""
    check_version(settings, version)
    async with db.transaction() as conn:
        done = await notices.accept(conn, person_id, version, account, now)
    notices.remember(db, person_id, version)
    return done


async def accepted(db: Database, settings: EstateSettings, person_id: int) -> bool:
    """Whether the person accepted the current version (else /privacy offers the tap)."""
    async with db.reading() as conn:
        found = await notices.get(conn, person_id, current(settings))
    return found is not None and found.accepted_at is not None
