"""Translated names of the keys the workflow uses."""

from __future__ import annotations

from handlers.i18n import N_, Tr
from workflow.settings import EstateSettings

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
STATUSES = {
    "new": N_("Received, waiting for dispatch"),
    "assigned": N_("Assigned"),
    "en_route": N_("Technician on the way"),
    "on_site": N_("Technician on site"),
    "completed": N_("Completed, waiting for the resident's confirmation"),
    "reopened": N_("Reopened"),
    "closed": N_("Closed"),
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
ACTIONS = {
    "reported": N_("Reported"),
    "assigned": N_("Assigned"),
    "contractor_notified_by_phone": N_("Contractor notified by phone"),
    "en_route": N_("Technician on the way"),
    "arrived": N_("Technician arrived"),
    "completed": N_("Marked complete"),
    "confirmed": N_("Confirmed by the resident"),
    "auto_confirmed": N_("Confirmed automatically (no answer)"),
    "not_fixed": N_("Resident: not fixed"),
    "supervisor_signed": N_("Signed off by a supervisor"),
    "paused": N_("Clock paused"),
    "resumed": N_("Clock resumed"),
    "deadline_extended": N_("Deadline extended"),
    "priority_changed": N_("Priority changed"),
    "contractor_defaulted": N_("Contractor missed the deadline: our own staff sent"),
    "overdue_assign_late": N_("Not assigned in time: supervisors alerted"),
    "overdue_resolve_late": N_("Deadline missed: supervisors alerted"),
    "overdue_visit_late": N_("Visit not started in its time slot: supervisors alerted"),
    "escalated_assign_managers": N_("Still not assigned: managers alerted"),
    "escalated_resolve_managers": N_("Still not resolved: managers alerted"),
}
ROLES = {
    "resident": N_("resident"),
    "clerk": N_("clerk"),
    "technician": N_("technician"),
    "supervisor": N_("supervisor"),
    "manager": N_("manager"),
}
PARTIES = {
    "resident": N_("Resident"),
    "technician": N_("Technician"),
    "supervisor": N_("Supervisor"),
}


def category(tr: Tr, settings: EstateSettings, key: str) -> str:
    found = settings.category(key)
    if found is not None and found.labels:
        return found.labels.get(tr.language) or next(iter(found.labels.values()))
    return tr(CATEGORIES[key]) if key in CATEGORIES else key


def of(tr: Tr, table: dict[str, str], key: str) -> str:
    return tr(table[key]) if key in table else key
