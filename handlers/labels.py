"""Translated names of the keys the workflow uses."""

from __future__ import annotations

from handlers.i18n import N_, Tr
from storage.privacy.erasure import ERASED, FORMER_STAFF
from workflow.repairs.report import room_of
from workflow.roles import Role
from workflow.settings import EstateSettings
from workflow.tickets import Kind, Party, Status, back_with_desk

CATEGORIES = {
    "plumbing": N_("Plumbing"),
    "electrical": N_("Electrical"),
    "doors_windows": N_("Doors and windows"),
    "leaks_damp": N_("Leaks and damp"),
    "walls_ceilings": N_("Walls and ceilings"),
    "fixtures": N_("Fixtures"),
    "public_areas": N_("Public areas"),
    "other": N_("Other"),
}
PAYERS = {
    "unit": N_("the responsible unit"),
    "estate": N_("the estate"),
    "owner": N_("the owner"),
}
QUOTE_STATES = {
    "pending": N_("waiting for the owner"),
    "accepted": N_("accepted by the owner"),
    "declined": N_("declined by the owner"),
}
FEE_ITEMS = {
    "management_fee": N_("Property management fee"),
    "water": N_("Water (collected for the utility)"),
    "electricity": N_("Public electricity"),
    "parking": N_("Parking"),
    "renovation_fee": N_("Renovation management fee"),
    "renovation_deposit": N_("Renovation deposit"),
    "renovation_deposit_refund": N_("Renovation deposit refunded"),
}
FEE_ITEMS.update({  # paid once, at handover
    "maintenance_fund": N_("Maintenance fund"),
    "deed_tax": N_("Deed tax (estimate)"),
    "property_registration": N_("Property registration fee"),
})
DOCUMENTS = {  # for the mortgage paperwork and the handover
    "id_card": N_("ID card"),
    "household_register": N_("household register"),
    "marriage_certificate": N_("marriage certificate (or proof of being single)"),
    "income_proof": N_("proof of income"),
    "bank_statements": N_("bank statements of the last six months"),
    "purchase_contract": N_("purchase contract"),
    "down_payment_receipt": N_("receipt of the down payment"),
    "payment_receipts": N_("receipts of the payments made"),
    "move_in_notice": N_("this move-in notice"),
    "seal": N_("personal seal"),
}
SALES_STATUSES = {
    "available": N_("available"),
    "reserved": N_("reserved"),
    "contracted": N_("contracted"),
}
PAY_METHODS = {
    "cash": N_("cash"),
    "transfer": N_("transfer"),
    "card": N_("card"),
    "cheque": N_("cheque"),
}
SCOPES = {
    "flooring": N_("Flooring"),
    "painting": N_("Painting"),
    "kitchen": N_("Kitchen"),
    "bathroom": N_("Bathroom"),
    "walls": N_("Partition walls"),
    "electrics": N_("Electrical wiring"),
    "plumbing": N_("Plumbing work"),
    "windows": N_("Windows"),
    "other": N_("Other"),
}
WORKS = {
    "structure": N_("Structure"),
    "walls": N_("Load-bearing or outer walls"),
    "plumbing": N_("Water and drainage pipes"),
    "electrics": N_("Electrical installation"),
}
REVIEWS = {
    "pending": N_("waiting"),
    "approved": N_("approved"),
    "refused": N_("not approved"),  # 不予核准: a permit, not a loan (不予借出)
    "changes": N_("changes needed"),
}
RENOVATION_STATES = {
    "applied": N_("applied"),
    "approved": N_("permit granted"),
    "inspection": N_("acceptance inspection asked for"),
    "passed": N_("accepted"),
    "failed": N_("inspection failed"),
    "refused": N_("not approved"),
    "refunded": N_("accepted, deposit refunded"),
}
ARCHIVE_KINDS = {
    "owner_file": N_("owner file"),
    "drawing": N_("drawing"),
    "contract": N_("contract"),
    "handover_record": N_("handover record"),
    "other": N_("other"),
}
CONFIDENTIALITY = {
    "public": N_("public"),
    "internal": N_("internal"),
    "confidential": N_("confidential"),
}
ARCHIVE_STATES = {
    "approval": N_("waiting for a manager"),
    "ready": N_("ready to hand out"),
    "out": N_("out"),
    "returned": N_("returned"),
    "refused": N_("refused"),
}
KEY_KINDS = {
    "owner_door": N_("Anti-theft door"),
    "owner_inner": N_("Inner door"),
    "owner_intercom": N_("Intercom door"),
    "owner_meter_box": N_("Unit's water-meter box"),
    "owner_mailbox": N_("Mailbox"),
    "public_door": N_("Public door or window"),
    "equipment_room": N_("Equipment room"),
    "water_meter_box": N_("Water-meter box"),
}
LOAN_STATES = {
    "consent": N_("waiting for the resident's consent"),
    "approval": N_("waiting for a supervisor"),
    "ready": N_("ready to hand out"),
    "out": N_("out"),
    "returned": N_("returned"),
    "refused": N_("refused"),
}
SETTLED = {
    "charged": N_("The unit's own job"),
    "taken_over": N_("Taken over by our staff: charged back"),
}
PENDING = {  # why a settlement leaves a job for later
    "not_redone": N_("Reopened as not fixed and not redone"),
    "unconfirmed": N_("Measurement not confirmed by the desk"),
}
MOVEMENTS = {
    "issue": N_("Issued to a job"),
    "receipt": N_("Received"),
}
MEASURED = {
    "recorded": N_("As recorded"),
    "confirmed": N_("Confirmed"),
    "corrected": N_("Corrected"),
}
DECLINE_REASONS = {
    "not_under_warranty": N_("Not under warranty"),
    "not_our_work": N_("Not our work"),
}
ROOMS = {  # the chips of a report's location in the unit (workflow/repairs/report.py)
    "kitchen": N_("Kitchen"),
    "bathroom": N_("Bathroom"),
    "living_room": N_("Living room"),
    "bedroom": N_("Bedroom"),
    "balcony": N_("Balcony"),
}
RULINGS = {  # why the desk sends a declined job back to the same unit
    "under_warranty": N_("It is within the warranty"),
    "their_work": N_("It is your unit's work"),
    "checked_on_site": N_("Checked on site: it is yours"),
}
PLACES = {
    "lobby": N_("Lobby"),
    "lift_a": N_("Lift A"),
    "lift_b": N_("Lift B"),
    "corridor": N_("Corridor"),
    "stairwell": N_("Stairwell"),
    "car_park": N_("Car park"),
    "garden": N_("Garden"),
    "gym": N_("Gym"),
    "clubhouse": N_("Clubhouse"),
    "refuse_room": N_("Refuse room"),
    "entrance_gate": N_("Entrance gate"),
}
COMPLAINT_CATEGORIES = {
    "staff_attitude": N_("Staff attitude"),
    "cleanliness": N_("Cleanliness"),
    "security": N_("Security"),
    "noise_neighbours": N_("Noise and neighbours"),
    "parking": N_("Parking"),
    "fees": N_("Fees and charges"),
    "facilities": N_("Facilities"),
    "other": N_("Other"),
}
DEPARTMENTS = {
    "customer_service": N_("Customer service"),
    "engineering": N_("Engineering"),
    "security": N_("Security"),
    "cleaning": N_("Cleaning"),
    "finance": N_("Finance"),
    "management": N_("Management"),
}
CHIPS = {
    "quick": N_("Quick"),
    "tidy": N_("Tidy"),
    "polite": N_("Polite"),
    "fixed_first_time": N_("Fixed first time"),
    "late": N_("Late"),
    "not_fixed": N_("Not fixed"),
    "messy": N_("Messy"),
    "rude": N_("Rude"),
    "not_informed": N_("Not kept informed"),
    "answered_quickly": N_("Answered quickly"),
    "listened": N_("Listened to me"),
    "resolved_it": N_("Resolved it"),
    "slow_answer": N_("Slow to answer"),
    "not_resolved": N_("Not resolved"),
    "not_listened": N_("Did not listen"),
}
COMPLAINT_STATUSES: dict[str, str] = {
    Status.NEW: N_("Received, waiting for the desk"),
    Status.ASSIGNED: N_("With the department concerned"),
    Status.COMPLETED: N_("Replied, waiting for the resident's answer"),
    Status.REOPENED: N_("Reopened"),
    Status.CLOSED: N_("Closed"),
    Status.MERGED: N_("Closed as a duplicate"),
}
STATUSES: dict[str, str] = {
    Status.NEW: N_("Received, waiting for dispatch"),
    Status.ASSIGNED: N_("Assigned"),
    Status.EN_ROUTE: N_("Technician on the way"),
    Status.ON_SITE: N_("Technician on site"),
    Status.COMPLETED: N_("Completed, waiting for the resident's confirmation"),
    Status.REOPENED: N_("Reopened"),
    Status.CLOSED: N_("Closed"),
    Status.MERGED: N_("Closed as a duplicate"),
}
SLOTS = {
    "morning": N_("Morning (9-12)"),
    "afternoon": N_("Afternoon (13-17)"),
    "evening": N_("Evening (18-21)"),
    "asap": N_("As soon as possible"),
}
PRIORITIES = {
    "emergency": N_("Emergency"),
    "urgent": N_("Urgent"),
    "normal": N_("Normal"),
}
CHANNELS = {  # how a report came in
    "bot": N_("in the bot"),
    "phone": N_("by phone"),
    "counter": N_("at the counter"),
    "written": N_("in writing"),
    "handover": N_("at the handover inspection"),
    "survey": N_("after a low rating"),
}
CONVERSATIONS = {
    "report": N_("a repair report"),
    "complaint": N_("a complaint"),
    "complete": N_("a completion record"),
    "not_fixed": N_("telling us what is still wrong"),
    "claim_unit": N_("telling us your unit"),
    "unit_code": N_("typing your unit's code"),
    "pause": N_("pausing a deadline"),
    "extend": N_("extending a deadline"),
    "complaint_reply": N_("a reply to a complaint"),
    "addendum": N_("adding to a ticket"),
    "survey_comment": N_("a survey comment"),
    "phone_callback": N_("recording a phone callback"),
    "intake": N_("a report taken for a resident"),
    "photo_first": N_("reporting with a photo"),
    "handover": N_("a handover inspection"),
    "buyer_wish": N_("asking for another time"),
    "renovation_amendment": N_("amending a renovation application"),
    "renovation_refund": N_("refunding a renovation deposit"),
    "announce": N_("writing an announcement"),
    "archive_check": N_("recording the archive's check"),
    "archive_refusal": N_("giving the reason for a refusal"),
    "privacy_correction": N_("asking the desk to correct your data"),
    "privacy_refusal": N_("giving the reason for a refusal"),
    "privacy_extension": N_("giving the reason for more time"),
    "privacy_correction_note": N_("noting what a correction changed"),
    "decline": N_("declining a job"),
    "measurement_correction": N_("correcting a job's figures"),
    "shortfall_outside": N_("why a shortfall was not the estate's stock"),
    "paper_signature": N_("recording a signature on paper"),
    "quotation": N_("a quotation for the owner"),
    "renovation": N_("a renovation application"),
    "renovation_inspection": N_("recording an acceptance inspection"),
    "renovation_payment": N_("recording the renovation fees"),
    "renovation_review": N_("a renovation review"),
    "settlement_paper_receipt": N_("recording a settlement's paper receipt"),
    "signoff_query": N_("a query on a repair form"),
    "query_answer": N_("an answer to a query on a repair form"),
}
ACTIONS = {
    "reported": N_("Reported"),
    "assigned": N_("Assigned"),
    "contractor_notified_by_phone": N_("Contractor notified by phone"),
    "en_route": N_("Technician on the way"),
    "arrived": N_("Technician arrived"),
    "completed": N_("Marked complete"),
    "confirmed": N_("Confirmed by the resident"),
    "confirmed_by_phone": N_("Confirmed by the resident by phone"),
    "auto_confirmed": N_("Confirmed automatically (no answer)"),
    "not_fixed": N_("Resident: not fixed"),
    "supervisor_signed": N_("Signed off by a supervisor"),
    "supervising_engineer_signed": N_("Signed off by the supervising engineer"),
    "project_department_signed": N_("Signed off by the project department"),
    "signed_on_paper": N_("Signature on the paper form recorded"),
    "signed_off": N_("Repair form signed off by every party"),
    "signoff_queried": N_("Repair form queried"),
    "owner_signed": N_("Signed off by the owner"),
    "signoff_query_answered": N_("Query on the repair form answered"),
    "signature_withdrawn": N_("Signature withdrawn: the figures were corrected"),
    "paused": N_("Clock paused"),
    "resumed": N_("Clock resumed"),
    "deadline_extended": N_("Deadline extended"),
    "deadline_renewed": N_("Routed late, a new deadline set; the one missed"),
    "phoned_resident": N_("Resident not in the chat, phoned"),
    "priority_changed": N_("Priority changed"),
    "contractor_defaulted": N_("Contractor missed the deadline: our own staff sent"),
    "overdue_assign_late": N_("Not assigned in time: supervisors alerted"),
    "overdue_resolve_late": N_("Deadline missed: supervisors alerted"),
    "overdue_visit_late": N_("Visit not started in its time slot: supervisors alerted"),
    "overdue_unit_response": N_("Not taken by the responsible unit in time: the desk alerted"),
    "contractor_accepted": N_("Taken by the responsible unit"),
    "contractor_declined": N_("Declined by the responsible unit"),
    "liability_upheld": N_("The desk decided: the unit is liable"),
    "visit_proposed": N_("Visit time proposed"),
    "payer_set": N_("Who pays decided"),
    "quotation_sent": N_("Quotation sent to the owner"),
    "quotation_accepted": N_("Quotation accepted by the owner"),
    "quotation_declined": N_("Quotation declined by the owner"),
    "measurement_confirmed": N_("Measurement confirmed"),
    "measurement_corrected": N_("Measurement corrected"),
    "visit_confirmed": N_("Visit time confirmed by the resident"),
    "visit_chosen": N_("Another visit time chosen by the resident"),
    "liability_in_house": N_("The desk decided: our own staff"),
    "escalated_assign_managers": N_("Still not assigned: managers alerted"),
    "escalated_resolve_managers": N_("Still not resolved: managers alerted"),
    "acknowledged": N_("Acknowledged by the desk"),
    "routed": N_("Passed to the department"),
    "replied": N_("Replied"),
    "resident_added": N_("The resident added"),
    "follow_up_opened": N_("Follow-up complaint opened"),
    "called_back": N_("Called back by phone"),
    "follower_added": N_("Another resident reported the same problem"),
    "priority_raised": N_("Priority raised: many residents affected"),
    "merged": N_("Merged into another report"),
    "merged_in": N_("A duplicate report was merged into this one"),
}
ROLES: dict[str, str] = {
    Role.RESIDENT: N_("resident"),
    Role.CLERK: N_("clerk"),
    Role.TECHNICIAN: N_("technician"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.MANAGER: N_("manager"),
    Role.CONTRACTOR: N_("responsible unit"),
    Role.SUPERVISING_ENGINEER: N_("supervising engineer"),
    Role.PROJECT_DEPARTMENT: N_("project department"),
    Role.STOREKEEPER: N_("storekeeper"),
    Role.KEY_KEEPER: N_("key keeper"),
    Role.ARCHIVIST: N_("archivist"),
    Role.CASHIER: N_("cashier"),
    Role.SALES_SERVICE: N_("sales service"),
    Role.SALES_SUPERVISOR: N_("sales supervisor"),
}
PARTIES: dict[str, str] = {
    Party.OWNER: N_("Owner"),
    Party.RESIDENT: N_("Confirmation of the repair"),
    Party.TECHNICIAN: N_("Technician"),
    Party.SUPERVISOR: N_("Repair department (supervisor)"),
    Party.SUPERVISING_ENGINEER: N_("Supervising engineer"),
    Party.PROJECT_DEPARTMENT: N_("Project department"),
}


def _configured(tr: Tr, found, table: dict[str, str], key: str) -> str:
    if found is not None and found.labels:
        return found.labels.get(tr.language) or next(iter(found.labels.values()))
    return tr(table[key]) if key in table else key


def category(tr: Tr, settings: EstateSettings, key: str) -> str:
    return _configured(tr, settings.category(key), CATEGORIES, key)


def place(tr: Tr, settings: EstateSettings, key: str) -> str:
    found = next((p for p in settings.public_places if p.key == key), None)
    return _configured(tr, found, PLACES, key)


def complaint_category(tr: Tr, settings: EstateSettings, key: str) -> str:
    return _configured(tr, settings.complaint_category(key), COMPLAINT_CATEGORIES, key)


def department(tr: Tr, settings: EstateSettings, key: str) -> str:
    return _configured(tr, settings.department(key), DEPARTMENTS, key)


def kind_category(tr: Tr, settings: EstateSettings, ticket) -> str:
    if ticket.kind == Kind.COMPLAINT:
        return complaint_category(tr, settings, ticket.category)
    return category(tr, settings, ticket.category)


def status(tr: Tr, ticket) -> str:
    if back_with_desk(ticket):  # a unit declined it: not 已派工 to anyone
        return tr("Waiting for the desk")
    return of(tr, COMPLAINT_STATUSES if ticket.kind == Kind.COMPLAINT else STATUSES, ticket.status)


def location(tr: Tr, text: str) -> str:
    """A ticket's location: a room picked from the chips in the reader's language, a typed
    one as it was typed."""
    room = room_of(text)
    return of(tr, ROOMS, room) if room is not None else erased(tr, text)


def actor_name(tr: Tr, name: str | None) -> str | None:
    """Who did a step, inside brackets of its own: an erased person's step is nobody's; an
    erased member of staff's stays theirs, as former staff."""
    if name == ERASED:
        return None
    return tr("former staff") if name == FORMER_STAFF else name


def erased(tr: Tr, text: str) -> str:
    """A text or a name the retention sweep or an erasure removed: said so in the reader's
    language (the store keeps one mark for every language)."""
    if text == FORMER_STAFF:
        return tr("(former staff)")
    return tr("(deleted)") if text == ERASED else text


def of(tr: Tr, table: dict[str, str], key: str) -> str:
    return tr(table[key]) if key in table else key


def chip(tr: Tr, settings: EstateSettings, key: str) -> str:
    return _configured(tr, settings.chip(key), CHIPS, key)
