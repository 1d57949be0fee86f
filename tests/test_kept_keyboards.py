"""A long day's buttons: a menu shown again is the one already built, and the buttons of
thousands of tickets (each its own number in the tokens) keep the desk's memory bounded
(issue 27: after a day of updates ≤ 1.2× a bare process)."""

from __future__ import annotations

import tracemalloc

from handlers.channels import content
from handlers.channels.telegram import keyboards


def dispatch_buttons(ticket: int) -> list[list[tuple[str, str]]]:
    return [[(f"Technician {t}", f"r:as:{ticket}:{t}")] for t in range(4)] + \
        [[("Back", f"r:bk:{ticket}")]]


def test_a_menu_shown_again_is_the_one_already_built():
    menu = [[("My tickets", "m:mine"), ("Report a repair", "m:repair")]]
    assert content.choices(menu) is content.choices(menu)
    assert keyboards.keyboard(menu) is keyboards.keyboard(menu)


def test_a_clerks_day_of_five_thousand_tickets_keeps_the_buttons_memory_bounded():
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for ticket in range(5000):
            rows = dispatch_buttons(ticket)
            keyboards.keyboard(rows)
            content.choices(rows)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 3 * 1024 * 1024  # ~4 KiB a ticket's pair: 5,000 kept would be ~20 MiB
    assert keyboards.built.cache_info().currsize <= content.KEPT
