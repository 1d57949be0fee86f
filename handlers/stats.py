"""/stats for supervisors and managers: a month of the desk in figures."""

from __future__ import annotations

from babel.numbers import format_percent

from handlers import labels
from handlers.channels.turns import Turn
from handlers.common import Asker, Context, answer, handles
from handlers.i18n import Tr
from handlers.routes import routes
from workflow import stats
from workflow.settings import EstateSettings
from workflow.tickets import Kind


def _share(tr: Tr, part: int, whole: int) -> str:
    if not whole:
        return tr("none yet")
    return tr("{part} of {whole} ({percent})", part=part, whole=whole,
              percent=format_percent(part / whole, locale=tr.locale))


def _category(tr: Tr, settings: EstateSettings, kind: str, key: str) -> str:
    if kind == Kind.COMPLAINT:
        return tr("{category} (complaint)",
                  category=labels.complaint_category(tr, settings, key))
    return labels.category(tr, settings, key)


def _status(tr: Tr, kind: str, status: str) -> str:
    if kind == Kind.COMPLAINT:
        return tr("{status} (complaint)", status=labels.of(tr, labels.COMPLAINT_STATUSES, status))
    return labels.of(tr, labels.STATUSES, status)


def render(tr: Tr, settings: EstateSettings, figures: stats.Stats) -> str:
    joined = tr.join
    month = tr.month(figures.month)
    lines = [tr("Figures for {month} (tickets reported in the month):", month=month),
             tr("Repairs: {repairs}, complaints: {complaints}",
                repairs=figures.by_kind.get(Kind.REPAIR, 0),
                complaints=figures.by_kind.get(Kind.COMPLAINT, 0))]
    if figures.by_category:
        lines.append(tr("By category: {items}", items=joined(
            f"{_category(tr, settings, k, c)} {n}"
            for (k, c), n in sorted(figures.by_category.items(), key=lambda i: -i[1]))))
        lines.append(tr("By status: {items}", items=joined(
            f"{_status(tr, k, s)} {n}"
            for (k, s), n in sorted(figures.by_kind_status.items(), key=lambda i: -i[1]))))
    if figures.by_channel:
        lines.append(tr("Received: {items}", items=joined(
            f"{labels.of(tr, labels.CHANNELS, c)} {n}"
            for c, n in sorted(figures.by_channel.items(), key=lambda i: -i[1]))))
    if figures.followers or figures.merged:
        affected = [tr.plural("{ref} ({n} resident)", "{ref} ({n} residents)", n, ref=ref)
                    for ref, n in figures.most_affected]  # outside the call below: extracted
        lines.append(tr("Same problem: residents who joined a report already made: "
                        "{followers}; duplicates merged: {merged}; most affected: {items}",
                        followers=figures.followers, merged=figures.merged,
                        items=joined(affected) or "-"))
    lines.append(tr("Resolved within the first service-level target: {share}",
                    share=_share(tr, figures.resolved_in_time, figures.resolved)))
    if figures.extended:
        lines.append(tr("Deadlines extended with a reason: {count}", count=figures.extended))
    lines.append(tr("Median time to assign: {assign}; to resolve: {resolve}",
                    assign="-" if figures.median_assign is None
                    else tr.duration(figures.median_assign),
                    resolve="-" if figures.median_resolve is None
                    else tr.duration(figures.median_resolve)))
    if figures.cost_by_payer:
        lines.append(tr("Cost of the repairs done in the month, by who pays: {items}",
                        items=joined(f"{labels.of(tr, labels.PAYERS, p)} {tr.money(v)}"
                                     for p, v in figures.cost_by_payer.items())))
    lines.append(tr("Callback rate: {share}",
                    share=_share(tr, figures.surveys_answered, figures.surveys_due)))
    if figures.rating_by_category:
        lines.append(tr("Average rating by category: {items}", items=joined(
            f"{_category(tr, settings, k, c)} {tr.number(round(v, 1))}"
            for (k, c), v in sorted(figures.rating_by_category.items()))))
    if figures.rating_by_category:
        lines.append(tr("Ratings count the resident's own answer in the chat; a rating taken "
                        "by phone only where there is none ({count} this month).",
                        count=figures.rated_by_phone))
    if figures.rating_by_technician:
        lines.append(tr("Average rating by technician: {items}", items=joined(
            f"{name} {tr.number(round(v, 1))}"
            for name, v in sorted(figures.rating_by_technician.items()))))
    if figures.reopen_by_ticket:
        lines.append(tr("Reopened: {tickets}; by technician: {technicians}",
                        tickets=joined(f"{ref} ×{n}" for ref, n in
                                       figures.reopen_by_ticket.items()),
                        technicians=joined(f"{name} {n}" for name, n in
                                           sorted(figures.reopen_by_technician.items()))))
    held, rated, average = figures.activities
    if held:
        lines.append(tr("Community activities: {held}; rated by {rated}, on average {average}",
                        held=held, rated=rated,
                        average=tr.number(round(average, 1)) if average else "-"))
    if figures.top_reasons:
        lines.append(tr("Most chosen reasons: {items}", items=joined(
            f"{labels.chip(tr, settings, chip)} {n}" for chip, n in figures.top_reasons)))
    return "\n".join(lines)


@handles("stats.show")
async def show(turn: Turn, context: Context, who: Asker) -> None:
    d = context.desk
    month = stats.parse_month(context.args[0] if context.args else None, d.settings, d.now())
    if month is None:
        await answer(turn, who.tr("Please give a month like 2026-10, or nothing for this "
                                    "month."))
        return
    figures = await stats.compute(d.db, d.settings, who.user_id, month)
    await answer(turn, render(who.tr, d.settings, figures))



ROUTES = routes(
    commands={"stats": show},
)
