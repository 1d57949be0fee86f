"""The storeroom from the command line: the catalogue imported from CSV or XLSX, receipts
of new stock, labour rates by trade."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

from storage.exact import plain
from workflow import numbers
from workflow.office import catalogue, measurement
from workflow.tickets import Refusal


def _exact(read):
    """An argument read as workflow/numbers.py reads what people type (never through float)."""
    def parse(text: str) -> Decimal:
        try:
            return read(text, "en", maximum=Decimal(10_000_000), zero=True)
        except numbers.Unreadable as refused:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number to take "
                                             f"({refused.reason})") from None
    return parse


def add_parsers(sub) -> None:
    store = sub.add_parser("materials", help="the storeroom (庫房): catalogue, stock, labour "
                                             "rates").add_subparsers(dest="action",
                                                                     required=True)
    load = store.add_parser("import", help="import the catalogue from a CSV or XLSX with the "
                                           "columns code,name,unit,unit_price,minimum[,stock]")
    load.add_argument("file", type=Path)
    store.add_parser("list", help="list the catalogue with its stock, and the labour rates")
    receive = store.add_parser("receive", help="record new stock received")
    receive.add_argument("code")
    receive.add_argument("quantity", type=_exact(numbers.quantity))
    receive.add_argument("--note", default="", help="for example the delivery note's number")
    resolve = store.add_parser("resolve", help="resolve a shortfall (what a job used beyond "
                                               "the stock held; 'materials list' shows them)")
    resolve.add_argument("number", type=int, help="the shortfall's number, such as 3")
    resolve.add_argument("how", choices=(measurement.FROM_STOCK, measurement.OUTSIDE),
                         help="stock: the items were the estate's (enter the delivery that "
                              "was missing first, with 'materials receive'), taken from stock "
                              "now; outside: not the estate's stock (say why with --note)")
    resolve.add_argument("--note", default="", help="why; needed for 'outside'")
    rate = store.add_parser("rate", help="set a trade's labour rate per hour")
    rate.add_argument("trade", help="a repair category, such as plumbing")
    rate.add_argument("hourly", type=_exact(numbers.amount))


async def _import(args, env, settings, db, now) -> int:
    try:
        rows = catalogue.parse(args.file.read_bytes(), args.file.name)
    except OSError as exc:
        print(f"materials: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except catalogue.CatalogueError as exc:
        for line, problem in exc.problems:
            print(f"materials: {args.file}: line {line}: {problem}", file=sys.stderr)
        print(f"materials: {len(exc.problems)} problem(s). Nothing was imported.",
              file=sys.stderr)
        return 1
    new, updated = await catalogue.load(db, rows, now)
    print(f"materials: {len(rows)} items read, {new} new, {updated} updated (the stock of a "
          f"known item moves only by receipts and issues).")
    return 0


async def _list(args, env, settings, db, now) -> int:
    items, rates = await catalogue.listing(db)
    if not items:
        print("No catalogue yet. Import one with: estatedesk materials import catalogue.csv")
    for m in items:
        low = "\tLOW" if m.low else ""
        print(f"{m.code}\t{m.name}\t{m.unit}\t{plain(m.unit_price)}\tstock {plain(m.stock)}\t"
              f"minimum {plain(m.minimum)}{low}")
    for trade, hourly in rates.items():
        print(f"rate\t{trade}\t{plain(hourly)}/h")
    for s in await measurement.shortfalls(db):
        day = s.at.astimezone(settings.tz)
        print(f"shortfall #{s.id}\t{s.material.code}\t{plain(s.quantity)} {s.material.unit}\t"
              f"{s.ticket_ref or '-'}\t{day:%Y-%m-%d}\tresolve: estatedesk materials resolve "
              f"{s.id} stock|outside")
    return 0


async def _resolve(args, env, settings, db, now) -> int:
    try:
        found = await measurement.resolve(db, args.number, args.how, args.note, now)
    except Refusal as refused:
        if refused.reason == Refusal.NOT_FOUND:
            print(f"materials: no open shortfall #{args.number}; see 'estatedesk materials "
                  f"list'", file=sys.stderr)
        elif args.how == measurement.OUTSIDE:
            print("materials: say why it was not the estate's stock, with --note",
                  file=sys.stderr)
        else:
            print(f"materials: the stock holds less than the shortfall #{args.number}; enter "
                  f"the delivery first with 'estatedesk materials receive'", file=sys.stderr)
        return 1
    taken = "taken from stock" if args.how == measurement.FROM_STOCK else \
        "recorded as not the estate's stock"
    print(f"shortfall #{found.id} ({found.material.code} {plain(found.quantity)} "
          f"{found.material.unit}, {found.ticket_ref or '-'}): {taken}.")
    return 0


async def _receive(args, env, settings, db, now) -> int:
    if not 0 < args.quantity <= measurement.MAX_QUANTITY:
        print("materials: the quantity must be more than 0", file=sys.stderr)
        return 1
    try:
        item = await measurement.receive(db, args.code, args.quantity, args.note, now)
    except Refusal:
        print(f"materials: no item has the code {args.code}; see 'estatedesk materials list'",
              file=sys.stderr)
        return 1
    print(f"{item.code} {item.name}: {plain(args.quantity)} {item.unit} received; stock "
          f"{plain(item.stock)}.")
    return 0


async def _rate(args, env, settings, db, now) -> int:
    known = [c.key for c in settings.categories]
    if args.trade not in known or not 0 <= args.hourly <= 100_000:
        print(f"materials: rate: the trade must be one of {','.join(known)}, the rate 0 or "
              f"more", file=sys.stderr)
        return 1
    await catalogue.set_rate(db, args.trade, args.hourly)
    print(f"Labour for {args.trade}: {plain(args.hourly)} per hour.")
    return 0


COMMANDS = {
    ("materials", "import"): _import,
    ("materials", "list"): _list,
    ("materials", "receive"): _receive,
    ("materials", "rate"): _rate,
    ("materials", "resolve"): _resolve,
}
