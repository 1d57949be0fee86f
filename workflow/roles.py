"""Who may do what. Every command and button re-checks these on the server."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    RESIDENT = "resident"
    CLERK = "clerk"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    CONTRACTOR = "contractor"  # a person of a responsible unit (施工責任單位)
    SUPERVISING_ENGINEER = "supervising_engineer"  # 監理: signs the repair form
    PROJECT_DEPARTMENT = "project_department"  # 項目部: signs the repair form
    STOREKEEPER = "storekeeper"  # 庫房: hears when an item runs low
    KEY_KEEPER = "key_keeper"  # 鑰匙管理: hands keys out and takes them back
    ARCHIVIST = "archivist"  # 檔案管理: hands archive items out and checks the archive
    CASHIER = "cashier"  # 收費: records payments and closes each day
    SALES_SERVICE = "sales_service"  # 銷售客服: buyers before move-in, their dates, handover
    SALES_SUPERVISOR = "sales_supervisor"  # 銷售主管: the daily sales report


RESIDENT, CLERK, TECHNICIAN = Role.RESIDENT, Role.CLERK, Role.TECHNICIAN
SUPERVISOR, MANAGER = Role.SUPERVISOR, Role.MANAGER
CONTRACTOR = Role.CONTRACTOR
SUPERVISING_ENGINEER, PROJECT_DEPARTMENT = Role.SUPERVISING_ENGINEER, Role.PROJECT_DEPARTMENT
STOREKEEPER, KEY_KEEPER, ARCHIVIST = Role.STOREKEEPER, Role.KEY_KEEPER, Role.ARCHIVIST
CASHIER = Role.CASHIER
SALES_SERVICE, SALES_SUPERVISOR = Role.SALES_SERVICE, Role.SALES_SUPERVISOR
STAFF_ROLES = (CLERK, TECHNICIAN, SUPERVISOR, MANAGER, CONTRACTOR, SUPERVISING_ENGINEER,
               PROJECT_DEPARTMENT, STOREKEEPER, KEY_KEEPER, ARCHIVIST, CASHIER, SALES_SERVICE,
               SALES_SUPERVISOR)
SALES = (SALES_SERVICE, SALES_SUPERVISOR, MANAGER)  # may see and change the buyers' register
WORKERS = (TECHNICIAN, CONTRACTOR)  # do the work on site: a job is given to them by name

DISPATCHERS = (CLERK, SUPERVISOR, MANAGER)  # may assign, see the queue, close for contractors
SIGNERS = (SUPERVISOR, MANAGER)  # may add the supervising sign-off
FILERS = (RESIDENT, *DISPATCHERS)  # may write a report: for themselves, or the desk for a unit


def is_staff(role: str | None) -> bool:
    return role in STAFF_ROLES


def can_dispatch(role: str | None) -> bool:
    return role in DISPATCHERS


def can_sign_as_supervisor(role: str | None) -> bool:
    return role in SIGNERS
