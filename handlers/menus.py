"""The commands of each role, what each does, and /help; a channel shows them as its
menu (handlers/channels/telegram/menus.py)."""

from __future__ import annotations

from handlers.i18n import N_, Tr
from workflow import roles

COMMANDS = {
    "start": N_("Start, or link your phone number"),
    "repair": N_("Report a repair"),
    "complain": N_("Make a complaint"),
    "mytickets": N_("My tickets and their progress"),
    "mytasks": N_("My tasks"),
    "queue": N_("Tickets waiting for dispatch and open work"),
    "intake": N_("Record a report taken by phone, at the counter or in writing"),
    "overdue": N_("Late tickets, the most late first"),
    "signoffs": N_("Repairs waiting for your sign-off"),
    "queries": N_("Queries on repair forms waiting for the desk's answer"),
    "stock": N_("The storeroom's items under their minimum"),
    "report": N_("The office's documents: monthly report, ledger, hot spots"),
    "keys": N_("The key register: what is out, what waits, the spare sets"),
    "borrow": N_("Ask for one of the estate's keys: /borrow TAG reason"),
    "archive": N_("Ask to read or borrow an archive item: /archive CODE reason"),
    "renovate": N_("Apply for a renovation permit"),
    "activities": N_("Community activities: sign up, or cancel"),
    "notifications": N_("Notices of new activities: on or off"),
    "fees": N_("Your fees: what is billed, paid and outstanding"),
    "announce": N_("Write an announcement to residents"),
    "pay": N_("Record a payment: /pay unit amount method receipt"),
    "closeday": N_("Close the day: /closeday cash transfers card cheques"),
    "reverse": N_("Reverse a wrong payment: /reverse payment-number reason"),
    "archives": N_("The archive: what is out or asked for, the next check"),
    "stats": N_("Figures for a month: targets, callbacks, ratings"),
    "requests": N_("Requests about personal data waiting for a decision"),
    "callback": N_("Record a phone callback: /callback R-2026-00001"),
    "contract": N_("Your purchase contract: its dates and what is next"),
    "buyers": N_("Buyers before move-in: the coming dates"),
    "buyer": N_("A contract, or a change: /buyer C-001 mortgage 2026-12-05 10:00"),
    "handover": N_("The handover inspection: /handover C-001"),
    "units": N_("Units for sale: available, reserved, contracted"),
    "reserve": N_("Record a reservation payment: /reserve unit amount receipt buyer"),
    "mydata": N_("Your data at the desk: a copy, and what you may ask"),
    "cancel": N_("Stop what you are doing"),
    "privacy": N_("How the desk handles your personal data"),
    "language": N_("Change the language"),
    "help": N_("What I can do for you"),
}
BY_ROLE: dict[str | None, tuple[str, ...]] = {
    None: ("start", "language", "help"),
    roles.RESIDENT: ("repair", "complain", "mytickets", "fees", "activities", "renovate",
                     "contract", "cancel", "notifications", "language", "help"),
    roles.TECHNICIAN: ("mytasks", "borrow", "cancel", "language", "help"),
    roles.CONTRACTOR: ("mytasks", "cancel", "language", "help"),
    roles.SUPERVISING_ENGINEER: ("signoffs", "cancel", "language", "help"),
    roles.STOREKEEPER: ("stock", "language", "help"),
    roles.KEY_KEEPER: ("keys", "language", "help"),
    roles.CASHIER: ("pay", "closeday", "report", "reserve", "units", "language", "help"),
    roles.SALES_SERVICE: ("buyers", "buyer", "handover", "units", "reserve", "cancel",
                          "language", "help"),
    roles.SALES_SUPERVISOR: ("units", "buyers", "buyer", "language", "help"),
    roles.ARCHIVIST: ("archives", "archive", "language", "help"),
    roles.PROJECT_DEPARTMENT: ("signoffs", "cancel", "language", "help"),
    roles.CLERK: ("queue", "intake", "callback", "queries", "announce", "archive", "requests",
                  "cancel", "language", "help"),
    roles.SUPERVISOR: ("queue", "overdue", "signoffs", "queries", "stats", "report", "keys",
                       "intake", "callback", "requests", "cancel", "language", "help"),
    roles.MANAGER: ("queue", "overdue", "signoffs", "queries", "stats", "report", "reverse", "keys",
                    "archives", "intake", "callback", "requests", "cancel", "language", "help"),
}
HELP: dict[str | None, str] = {
    None: N_("To use the desk, share your phone number with /start so we can find your unit. "
             "Staff join with the invitation link from the office."),
    roles.RESIDENT: N_("You can report a repair (/repair), make a complaint (/complain), follow "
                       "your tickets and add to them (/mytickets), and confirm when it is done. "
                       "/cancel stops a report in progress."),
    roles.TECHNICIAN: N_("/mytasks lists your jobs. For each: 'On my way', 'Arrived' and "
                         "'Complete' (with an after-photo, a note, hours and materials cost)."),
    roles.CONTRACTOR: N_("Jobs the desk sends to your unit arrive here with the photos, the "
                         "place, the resident's preferred time and the deadline. The first of "
                         "you to tap 'Accept' holds the job; 'Decline' with a reason returns it "
                         "to the desk. /mytasks lists your unit's jobs; then, as for any "
                         "technician: 'On my way', 'Arrived' and 'Complete'."),
    roles.ARCHIVIST: N_("Requests a manager approved, and inspections by the higher "
                        "departments, come here to hand out (a reading stays in the archive "
                        "room); /archives lists what waits and what is out, shows when the "
                        "next check is due (at least two a year) and records each check. "
                        "Items not back in time are reported to you. /archive CODE history "
                        "shows an item's changes and who made them."),
    roles.CASHIER: N_("Record each payment with /pay, for example /pay A 12F-3 3200 cash R0042 "
                      "(the unit as the roster has it, the method cash, transfer, card or "
                      "cheque, the receipt's number, used once, and the payer if not the "
                      "owner). Close the day with /closeday and the cash, transfers, card "
                      "payments and cheques you counted; a difference needs a reason, and what "
                      "is recorded after the close counts in the next day. A payment is never "
                      "deleted: a manager reverses a wrong one. /report gives the month's "
                      "income and expenditure statement. A unit's reservation payment: "
                      "/reserve A 12F-3 50000 R0043 buyer's name; a second person verifies "
                      "it. /units shows what is for sale."),
    roles.SALES_SERVICE: N_("/buyers lists the contracts before move-in with their next "
                            "dates; /buyer C-001 shows one, and changes a date: /buyer C-001 "
                            "firstpay 2026-12-05, mortgage 2026-12-05 10:00, docs 2026-12-10, "
                            "handover 2027-01-15; or records: /buyer C-001 paid, docsin. The "
                            "buyers are reminded by themselves; a buyer who asks for another "
                            "time is reported to you. /handover C-001 records the defects of "
                            "the handover inspection as repairs. /units shows what is for "
                            "sale; /reserve records a reservation payment."),
    roles.SALES_SUPERVISOR: N_("/units shows each unit's sales status; a reservation "
                               "payment recorded by someone else comes to you to verify; the "
                               "day's sales report arrives in the evening. /buyers and /buyer "
                               "show the contracts before move-in."),
    roles.KEY_KEEPER: N_("Keys approved for a job or a reason come here to hand out; /keys "
                         "lists what waits, what is out (with 'Returned' for each) and whether "
                         "each kind's emergency spare set is complete, key by key. Keys not "
                         "back in time are reported to you. /keys TAG or /keys A 12F-3 shows "
                         "the loans of a key or of a unit's keys; /keys export sends every "
                         "loan as an Excel file."),
    roles.STOREKEEPER: N_("You hear when an item of the storeroom runs under its minimum, "
                          "and when a job uses more than the stock held (a shortfall); /stock "
                          "lists both: resolve a shortfall there as taken from stock, once "
                          "the missing delivery is entered, or as not the estate's stock, "
                          "with why. Receipts of new stock are recorded with 'estatedesk "
                          "materials receive'."),
    roles.SUPERVISING_ENGINEER: N_("Repair forms that need your signature arrive here when "
                                   "a repair is closed, with the photos before and after, the "
                                   "work done and whether the deadline was met: 'Sign', or "
                                   "'Query' with your question for the desk. /signoffs lists "
                                   "the forms waiting for you."),
    roles.PROJECT_DEPARTMENT: N_("Repair forms that need your signature arrive here when a "
                                 "repair is closed, with the photos before and after, the "
                                 "work done and whether the deadline was met: 'Sign', or "
                                 "'Query' with your question for the desk. /signoffs lists "
                                 "the forms waiting for you."),
    roles.CLERK: N_("New reports and complaints arrive here with buttons to assign them to a "
                    "technician or a responsible contractor, or to route a complaint to a "
                    "department. /queue lists tickets waiting and still open; /intake records "
                    "a report taken by phone, at the counter or in writing for a unit's "
                    "resident; /callback <reference> records a phone callback."),
    roles.SUPERVISOR: N_("/queue lists tickets waiting and still open, /overdue the late ones, "
                         "/stats the month in figures. You hear of every missed deadline and "
                         "every low survey rating, can reassign, pause or extend, reply to "
                         "your department's complaints, and add the supervising sign-off to "
                         "completed repairs (/signoffs lists them). A digest arrives every "
                         "morning."),
    roles.MANAGER: N_("/queue lists tickets waiting and still open, /overdue the late ones, "
                      "/stats the month in figures, /signoffs the repairs waiting for the "
                      "supervising sign-off. /report gives the office's documents: the monthly "
                      "report, the ledger, the quarter's settlements with who received them, "
                      "the income statement. A wrong payment is reversed with /reverse. You "
                      "hear of what stays late after the supervisors were told."),
}


def commands(tr: Tr, role: str | None, lives_here: bool = False) -> list[tuple[str, str]]:
    """The commands of a role's menu, each with what it does in the person's language."""
    names = list(BY_ROLE.get(role, BY_ROLE[None]))
    if lives_here and roles.is_staff(role):  # staff who live in the estate: their flat too
        names[-3:-3] = ["repair", "mytickets"]
    if role is not None:  # everyone the desk knows may have a copy of their data
        names.insert(names.index("language"), "mydata")
    names[-2:-2] = ["privacy"]  # everyone's, before language and help
    return [(name, tr(COMMANDS[name])) for name in names]


def help_text(tr: Tr, role: str | None) -> str:
    text = tr(HELP.get(role, HELP[None]))
    if role is None:
        return text
    text += "\n" + tr("/mydata sends you a copy of everything the desk holds about you, and "
                      "lets you ask for it to be corrected or deleted.")
    if "requests" in BY_ROLE.get(role, ()):  # the desk decides residents' requests
        text += "\n" + tr("/requests lists the residents' requests about their personal data "
                          "still to decide, with the days left (the law gives 30).")
    return text
