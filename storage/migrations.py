"""Schema migrations, applied in order; PRAGMA user_version holds the last one applied."""

from storage.exact import HOURS, MONEY, QUANTITY

# Migration 24: every amount, hour and quantity from REAL to an exact INTEGER at its scale
# (storage/exact.py): (table, column, scale, NOT NULL). PostgreSQL's step 24 is made from it.
EXACT_COLUMNS = (
    ("tickets", "labour_hours", HOURS, False),
    ("tickets", "materials_cost", MONEY, False),
    ("tickets", "quote_amount", MONEY, False),
    ("visits", "labour_hours", HOURS, True),
    ("visits", "materials_cost", MONEY, True),
    ("visits", "labour_cost", MONEY, True),
    ("materials", "unit_price", MONEY, True),
    ("materials", "stock", QUANTITY, True),
    ("materials", "minimum", QUANTITY, True),
    ("stock_moves", "change", QUANTITY, True),
    ("labour_rates", "hourly", MONEY, True),
    ("visit_materials", "quantity", QUANTITY, True),
    ("visit_materials", "unit_price", MONEY, True),
    ("measurements", "labour_hours", HOURS, True),
    ("measurements", "labour_cost", MONEY, True),
    ("measurements", "materials_cost", MONEY, True),
    ("renovations", "fee", MONEY, False),
    ("renovations", "deposit", MONEY, False),
    ("bills", "amount", MONEY, True),
    ("payments", "amount", MONEY, True),
    ("day_closes", "cash_counted", MONEY, True),
    ("day_closes", "transfer_counted", MONEY, True),
    ("day_closes", "cash_recorded", MONEY, True),
    ("day_closes", "transfer_recorded", MONEY, True),
    ("reservations", "amount", MONEY, True),
)


def _exact_sqlite() -> str:
    """SQLite changes a column's type only by a new column: each table gets its exact
    columns beside the REAL ones, filled in one pass (rounded half away from zero, so a REAL
    0.30000000000000004 is 30 cents), the REAL ones dropped and the new ones renamed. (A
    rebuild of the table would need foreign keys off, which a migration's transaction cannot
    do.) A NOT NULL column added to a table needs a default: 0, never used by an insert."""
    steps: list[str] = []
    tables = dict.fromkeys(t for t, _, _, _ in EXACT_COLUMNS)
    for table in tables:
        columns = [(c, s, n) for t, c, s, n in EXACT_COLUMNS if t == table]
        steps += [f"ALTER TABLE {table} ADD COLUMN {c}__exact INTEGER"
                  + (" NOT NULL DEFAULT 0" if n else "") + ";" for c, _, n in columns]
        steps.append(f"UPDATE {table} SET " + ", ".join(
            f"{c}__exact = CAST(round({c} * {10 ** s.places}) AS INTEGER)"  # NULL stays NULL
            for c, s, _ in columns) + ";")
        steps += [f"ALTER TABLE {table} DROP COLUMN {c};" for c, _, _ in columns]
        steps += [f"ALTER TABLE {table} RENAME COLUMN {c}__exact TO {c};" for c, _, _ in columns]
    return "\n".join(steps)


def exact_postgres() -> str:
    """The same on PostgreSQL: the type changes in place (through numeric, which rounds
    half away from zero as SQLite's round does)."""
    tables = dict.fromkeys(t for t, _, _, _ in EXACT_COLUMNS)
    return "\n".join(
        f"ALTER TABLE {table} " + ", ".join(
            f"ALTER COLUMN {c} TYPE BIGINT USING round({c}::numeric * {10 ** s.places})"
            for t, c, s, _ in EXACT_COLUMNS if t == table) + ";"
        for table in tables)


MIGRATIONS: list[str] = [
    # 1: the walking skeleton
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE people (
        user_id INTEGER PRIMARY KEY,
        language TEXT NOT NULL,
        role TEXT,
        name TEXT NOT NULL DEFAULT '',
        phone TEXT,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE INDEX people_role ON people(role, active);
    CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        building TEXT NOT NULL,
        unit TEXT NOT NULL,
        UNIQUE (building, unit)
    );
    CREATE TABLE roster (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        name TEXT NOT NULL,
        phone TEXT NOT NULL,
        phone_key TEXT NOT NULL,
        UNIQUE (unit_id, phone)
    );
    CREATE INDEX roster_phone_key ON roster(phone_key);
    CREATE TABLE residencies (
        user_id INTEGER NOT NULL REFERENCES people(user_id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        linked_at TEXT NOT NULL,
        PRIMARY KEY (user_id, unit_id)
    );
    CREATE TABLE join_requests (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES people(user_id),
        phone TEXT NOT NULL,
        claimed_unit TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        created_at TEXT NOT NULL,
        decided_by INTEGER,
        decided_at TEXT
    );
    CREATE INDEX join_requests_user ON join_requests(user_id, status);
    CREATE TABLE invitations (
        code TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        name TEXT,
        created_at TEXT NOT NULL,
        used_by INTEGER,
        used_at TEXT
    );
    CREATE TABLE contractors (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        phone TEXT NOT NULL DEFAULT '',
        trades TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE sequences (
        kind TEXT NOT NULL,
        year INTEGER NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (kind, year)
    );
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        resident_id INTEGER NOT NULL REFERENCES people(user_id),
        unit_id INTEGER NOT NULL REFERENCES units(id),
        category TEXT NOT NULL,
        location TEXT NOT NULL,
        description TEXT NOT NULL,
        visit_date TEXT NOT NULL,
        visit_slot TEXT NOT NULL,
        status TEXT NOT NULL,
        technician_id INTEGER REFERENCES people(user_id),
        contractor_id INTEGER REFERENCES contractors(id),
        deadline_at TEXT,
        work_note TEXT,
        labour_hours REAL,
        materials_cost REAL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        completed_at TEXT,
        closed_at TEXT
    );
    CREATE INDEX tickets_resident ON tickets(resident_id, id);
    CREATE INDEX tickets_technician ON tickets(technician_id, status);
    CREATE INDEX tickets_status_completed ON tickets(status, completed_at);
    CREATE TABLE ticket_photos (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        stage TEXT NOT NULL,
        position INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        PRIMARY KEY (ticket_id, stage, position)
    );
    CREATE TABLE ticket_events (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        actor_id INTEGER,
        action TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
    CREATE TABLE signoffs (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        party TEXT NOT NULL,
        user_id INTEGER,
        automatic INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL,
        PRIMARY KEY (ticket_id, party)
    );
    CREATE TABLE drafts (
        user_id INTEGER PRIMARY KEY,
        flow TEXT NOT NULL,
        step TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        recipient_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        ticket_id INTEGER,
        payload TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT,
        failed_at TEXT,
        last_error TEXT
    );
    CREATE INDEX outbox_pending ON outbox(next_attempt_at)
        WHERE sent_at IS NULL AND failed_at IS NULL;
    """,
    # 2: service levels, escalation timers, unreachable people
    """
    ALTER TABLE tickets ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
    ALTER TABLE tickets ADD COLUMN assign_due_at TEXT;
    ALTER TABLE tickets ADD COLUMN assigned_at TEXT;
    ALTER TABLE tickets ADD COLUMN paused_at TEXT;
    ALTER TABLE tickets ADD COLUMN paused_seconds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN defaulted_contractor_id INTEGER REFERENCES contractors(id);
    CREATE INDEX tickets_open ON tickets(deadline_at)
        WHERE status IN ('new', 'assigned', 'en_route', 'on_site', 'reopened');
    ALTER TABLE contractors ADD COLUMN deadline_hours INTEGER;
    ALTER TABLE people ADD COLUMN unreachable_at TEXT;
    CREATE TABLE timers (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        due_at TEXT NOT NULL,
        fired_at TEXT,
        UNIQUE (ticket_id, kind)
    );
    CREATE INDEX timers_due ON timers(due_at) WHERE fired_at IS NULL;
    """,
    # 3: complaints, departments, callback surveys
    """
    ALTER TABLE tickets ADD COLUMN department TEXT;
    ALTER TABLE tickets ADD COLUMN reply TEXT;
    ALTER TABLE tickets ADD COLUMN callback_requested INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN linked_ticket_id INTEGER REFERENCES tickets(id);
    ALTER TABLE people ADD COLUMN department TEXT;
    ALTER TABLE invitations ADD COLUMN department TEXT;
    CREATE INDEX tickets_created ON tickets(created_at);
    CREATE TABLE surveys (
        ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
        sent_at TEXT NOT NULL,
        reminded_at TEXT,
        expired_at TEXT,
        channel TEXT,
        reached INTEGER,
        rating INTEGER,
        reasons TEXT NOT NULL DEFAULT '[]',
        comment TEXT,
        answered_at TEXT,
        answered_late INTEGER NOT NULL DEFAULT 0,
        recorded_by INTEGER,
        low_alerted INTEGER NOT NULL DEFAULT 0,
        followup_ticket_id INTEGER REFERENCES tickets(id)
    );
    CREATE INDEX surveys_sent ON surveys(sent_at);
    """,
    # 4: updates already handled, so a redelivered one is not handled twice
    """
    CREATE TABLE seen_updates (
        update_id INTEGER PRIMARY KEY,
        seen_at TEXT NOT NULL
    );
    CREATE INDEX seen_updates_at ON seen_updates(seen_at);
    """,
    # 5: state versions for buttons, first targets, visits and phone callbacks as their own
    # records, exact contract deadlines, invitations that expire
    """
    ALTER TABLE tickets ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN target_at TEXT;
    UPDATE tickets SET target_at = deadline_at;
    ALTER TABLE contractors ADD COLUMN deadline_seconds INTEGER;
    UPDATE contractors SET deadline_seconds = deadline_hours * 3600
        WHERE deadline_hours IS NOT NULL;
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        round INTEGER NOT NULL,
        worker_id INTEGER,
        completed_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        labour_hours REAL NOT NULL DEFAULT 0,
        materials_cost REAL NOT NULL DEFAULT 0,
        UNIQUE (ticket_id, round)
    );
    INSERT INTO visits (ticket_id, round, worker_id, completed_at, note, labour_hours,
                        materials_cost)
        SELECT id, max(1, (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = tickets.id
                           AND e.action = 'completed')),
               technician_id, completed_at, coalesce(work_note, ''),
               coalesce(labour_hours, 0), coalesce(materials_cost, 0)
        FROM tickets WHERE completed_at IS NOT NULL;
    CREATE TABLE phone_callbacks (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        staff_id INTEGER NOT NULL,
        reached INTEGER NOT NULL,
        rating INTEGER,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX phone_callbacks_ticket ON phone_callbacks(ticket_id, id);
    INSERT INTO phone_callbacks (ticket_id, at, staff_id, reached, rating, note)
        SELECT ticket_id, coalesce(answered_at, sent_at), recorded_by, coalesce(reached, 0),
               rating, coalesce(comment, '')
        FROM surveys WHERE channel = 'phone' AND recorded_by IS NOT NULL;
    UPDATE surveys SET channel = NULL, rating = NULL, comment = NULL, answered_at = NULL,
                       reached = NULL
        WHERE channel = 'phone';
    ALTER TABLE outbox ADD COLUMN actor_id INTEGER;
    ALTER TABLE outbox ADD COLUMN progress TEXT NOT NULL DEFAULT '';
    ALTER TABLE invitations ADD COLUMN expires_at TEXT;
    ALTER TABLE invitations ADD COLUMN revoked_at TEXT;
    CREATE TABLE failed_codes (
        user_id INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX failed_codes_user ON failed_codes(user_id, at);
    """,
    # 6: reports the desk takes by phone, at the counter or in writing, for a unit's resident
    """
    ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'bot';
    ALTER TABLE tickets ADD COLUMN caller_name TEXT;
    ALTER TABLE tickets ADD COLUMN caller_phone TEXT;
    ALTER TABLE tickets ADD COLUMN filed_by INTEGER;
    ALTER TABLE people ADD COLUMN roster_id INTEGER;
    CREATE UNIQUE INDEX people_roster ON people(roster_id) WHERE roster_id IS NOT NULL;
    ALTER TABLE roster ADD COLUMN relation TEXT NOT NULL DEFAULT 'owner';
    """,
    # 7: /stats counts reopenings from an index, not by reading every event
    """
    CREATE INDEX ticket_events_action ON ticket_events(action, ticket_id);
    """,
    # 8: a technician's list in visit order from the index alone, however long it grows
    """
    DROP INDEX tickets_technician;
    CREATE INDEX tickets_technician ON tickets(technician_id, status, visit_date);
    """,
    # 9: every ticket has its targets (those from before service levels get their report's
    # time: late at once, so the desk sees them, rather than never)
    """
    UPDATE tickets SET assign_due_at = created_at WHERE assign_due_at IS NULL;
    UPDATE tickets SET deadline_at = created_at WHERE deadline_at IS NULL;
    UPDATE tickets SET target_at = deadline_at WHERE target_at IS NULL;
    """,
    # 10: a voice note as (part of) a report's description, kept as Telegram's file id
    """
    CREATE TABLE ticket_voices (
        ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
        kind TEXT NOT NULL,
        file_id TEXT NOT NULL,
        seconds INTEGER NOT NULL
    );
    """,
    # 11: one fault, many callers: the public place a report is about, the residents who
    # follow another's report ("same problem"), a report merged into another, and a callback
    # survey for each of them (one per resident of a ticket, no longer one per ticket)
    """
    ALTER TABLE tickets ADD COLUMN duplicate_of INTEGER REFERENCES tickets(id);
    CREATE TABLE ticket_places (
        ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id),
        building TEXT NOT NULL,
        place TEXT NOT NULL
    );
    CREATE INDEX ticket_places_at ON ticket_places(building, place);
    CREATE TABLE ticket_followers (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        user_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        joined_at TEXT NOT NULL,
        via TEXT NOT NULL,
        PRIMARY KEY (ticket_id, user_id)
    );
    CREATE INDEX ticket_followers_user ON ticket_followers(user_id);
    CREATE TABLE surveys_per_resident (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        resident_id INTEGER NOT NULL,
        sent_at TEXT NOT NULL,
        reminded_at TEXT,
        expired_at TEXT,
        channel TEXT,
        reached INTEGER,
        rating INTEGER,
        reasons TEXT NOT NULL DEFAULT '[]',
        comment TEXT,
        answered_at TEXT,
        answered_late INTEGER NOT NULL DEFAULT 0,
        recorded_by INTEGER,
        low_alerted INTEGER NOT NULL DEFAULT 0,
        followup_ticket_id INTEGER REFERENCES tickets(id),
        PRIMARY KEY (ticket_id, resident_id)
    );
    INSERT INTO surveys_per_resident (ticket_id, resident_id, sent_at, reminded_at, expired_at,
        channel, reached, rating, reasons, comment, answered_at, answered_late, recorded_by,
        low_alerted, followup_ticket_id)
        SELECT s.ticket_id, t.resident_id, s.sent_at, s.reminded_at, s.expired_at, s.channel,
        s.reached, s.rating, s.reasons, s.comment, s.answered_at, s.answered_late,
        s.recorded_by, s.low_alerted, s.followup_ticket_id
        FROM surveys s JOIN tickets t ON t.id = s.ticket_id;
    DROP TABLE surveys;
    ALTER TABLE surveys_per_resident RENAME TO surveys;
    CREATE INDEX surveys_sent ON surveys(sent_at);
    """,
    # 12: responsible units in the chat: a key to invite their staff by, a contractual time
    # to accept a job, the staff themselves, and when a unit's person took the job
    """
    ALTER TABLE contractors ADD COLUMN key TEXT;
    UPDATE contractors SET key = 'unit' || id;
    CREATE UNIQUE INDEX contractors_key ON contractors(key);
    ALTER TABLE contractors ADD COLUMN response_seconds INTEGER;
    ALTER TABLE people ADD COLUMN contractor_id INTEGER REFERENCES contractors(id);
    CREATE INDEX people_contractor ON people(contractor_id) WHERE contractor_id IS NOT NULL;
    ALTER TABLE invitations ADD COLUMN contractor_id INTEGER REFERENCES contractors(id);
    ALTER TABLE tickets ADD COLUMN unit_sent_at TEXT;
    ALTER TABLE tickets ADD COLUMN accepted_at TEXT;
    """,
    # 13: the repair form's sign-off (簽認維修單): the parties a ticket needs, fixed when it
    # closes, and signatures made on paper (recorded by a clerk, with the signer's name)
    """
    CREATE TABLE required_signoffs (
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        party TEXT NOT NULL,
        PRIMARY KEY (ticket_id, party)
    );
    ALTER TABLE signoffs ADD COLUMN channel TEXT NOT NULL DEFAULT 'bot';
    ALTER TABLE signoffs ADD COLUMN signer_name TEXT;
    """,
    # 14: measurement (維修計量): the storeroom's catalogue and its movements, labour rates by
    # trade, the materials of each visit, who pays for a job (with the owner's quotation),
    # and the clerk's confirmation or correction of a job's figures, each its own record
    """
    CREATE TABLE materials (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        unit TEXT NOT NULL,
        unit_price REAL NOT NULL,
        stock REAL NOT NULL DEFAULT 0,
        minimum REAL NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE stock_moves (
        id INTEGER PRIMARY KEY,
        material_id INTEGER NOT NULL REFERENCES materials(id),
        at TEXT NOT NULL,
        change REAL NOT NULL,
        kind TEXT NOT NULL,
        ticket_id INTEGER REFERENCES tickets(id),
        actor_id INTEGER,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX stock_moves_at ON stock_moves(at);
    CREATE TABLE labour_rates (
        trade TEXT PRIMARY KEY,
        hourly REAL NOT NULL
    );
    CREATE TABLE visit_materials (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        round INTEGER NOT NULL,
        material_id INTEGER REFERENCES materials(id),
        name TEXT NOT NULL,
        unit TEXT NOT NULL DEFAULT '',
        quantity REAL NOT NULL,
        unit_price REAL NOT NULL
    );
    CREATE INDEX visit_materials_ticket ON visit_materials(ticket_id, round);
    ALTER TABLE visits ADD COLUMN labour_cost REAL NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN payer TEXT;
    ALTER TABLE tickets ADD COLUMN quote_amount REAL;
    ALTER TABLE tickets ADD COLUMN quote_note TEXT;
    ALTER TABLE tickets ADD COLUMN quote_state TEXT;
    CREATE TABLE measurements (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        actor_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        labour_hours REAL NOT NULL,
        labour_cost REAL NOT NULL,
        materials_cost REAL NOT NULL,
        reason TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX measurements_ticket ON measurements(ticket_id, id);
    """,
    # 15: the quarterly settlement delivered to a responsible unit (送達): when it was sent and
    # who of the unit acknowledged receipt
    """
    CREATE TABLE settlement_deliveries (
        id INTEGER PRIMARY KEY,
        contractor_id INTEGER NOT NULL REFERENCES contractors(id),
        period TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        acknowledged_at TEXT,
        acknowledged_by INTEGER,
        UNIQUE (contractor_id, period)
    );
    """,
    # 16: the key register (鑰匙管理): every key by kind with its tag, the emergency spare sets,
    # and each loan (who, which keys, why, the owner's consent, out and back)
    """
    CREATE TABLE keys (
        id INTEGER PRIMARY KEY,
        tag TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        unit_id INTEGER REFERENCES units(id),
        spare INTEGER NOT NULL DEFAULT 0,
        loan_id INTEGER
    );
    CREATE INDEX keys_unit ON keys(unit_id) WHERE unit_id IS NOT NULL;
    CREATE TABLE key_loans (
        id INTEGER PRIMARY KEY,
        borrower_id INTEGER NOT NULL,
        reason TEXT NOT NULL,
        ticket_id INTEGER REFERENCES tickets(id),
        unit_id INTEGER REFERENCES units(id),
        state TEXT NOT NULL,
        emergency INTEGER NOT NULL DEFAULT 0,
        decided_by INTEGER,
        requested_at TEXT NOT NULL,
        out_at TEXT,
        due_at TEXT,
        returned_at TEXT,
        reminded_at TEXT,
        escalated_at TEXT
    );
    CREATE INDEX key_loans_state ON key_loans(state);
    CREATE TABLE key_loan_items (
        loan_id INTEGER NOT NULL REFERENCES key_loans(id),
        key_id INTEGER NOT NULL REFERENCES keys(id),
        PRIMARY KEY (loan_id, key_id)
    );
    """,
    # 17: archives (檔案管理): the index of items with location and confidentiality, every change
    # to an item, each reading or loan (approved by a manager, or an inspection), the checks
    """
    CREATE TABLE archive_items (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        confidentiality TEXT NOT NULL,
        loan_id INTEGER
    );
    CREATE TABLE archive_changes (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES archive_items(id),
        at TEXT NOT NULL,
        actor_id INTEGER,
        what TEXT NOT NULL
    );
    CREATE TABLE archive_loans (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES archive_items(id),
        requester_id INTEGER NOT NULL,
        reason TEXT NOT NULL,
        inspection INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        decided_by INTEGER,
        requested_at TEXT NOT NULL,
        out_at TEXT,
        due_at TEXT,
        returned_at TEXT,
        reminded_at TEXT
    );
    CREATE INDEX archive_loans_state ON archive_loans(state);
    CREATE TABLE archive_checks (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id INTEGER NOT NULL,
        result TEXT NOT NULL,
        in_order INTEGER NOT NULL
    );
    """,
    # 18: renovation permits (裝修管理): the application, its engineering review, the fees
    # paid, the permit, the acceptance inspection and the deposit's refund; each step audited
    """
    CREATE TABLE renovations (
        id INTEGER PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        resident_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        scopes TEXT NOT NULL,
        details TEXT NOT NULL,
        works TEXT NOT NULL,
        start_date TEXT NOT NULL,
        end_date TEXT NOT NULL,
        contractor TEXT NOT NULL,
        state TEXT NOT NULL,
        review TEXT,
        fee REAL,
        deposit REAL,
        receipt TEXT,
        created_at TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX renovations_dates ON renovations(state, start_date, end_date);
    CREATE TABLE renovation_photos (
        renovation_id INTEGER NOT NULL REFERENCES renovations(id),
        stage TEXT NOT NULL,
        position INTEGER NOT NULL,
        file_id TEXT NOT NULL
    );
    CREATE TABLE renovation_events (
        id INTEGER PRIMARY KEY,
        renovation_id INTEGER NOT NULL REFERENCES renovations(id),
        at TEXT NOT NULL,
        actor_id INTEGER,
        action TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    """,
    # 19: community activities (社區文化活動): the activity, its sign-ups and waiting list, and
    # the ratings after it
    """
    CREATE TABLE activities (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        place TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        per_unit INTEGER,
        created_by INTEGER,
        reminded_at TEXT,
        rating_asked_at TEXT
    );
    CREATE TABLE activity_signups (
        id INTEGER PRIMARY KEY,
        activity_id INTEGER NOT NULL REFERENCES activities(id),
        user_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        people INTEGER NOT NULL,
        state TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX activity_signups_of ON activity_signups(activity_id, state, id);
    CREATE TABLE activity_ratings (
        activity_id INTEGER NOT NULL REFERENCES activities(id),
        user_id INTEGER NOT NULL,
        rating INTEGER NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (activity_id, user_id)
    );
    """,
    # 20: fees (收費管理): bills per unit and period, payments (never deleted: a reversal is a
    # payment of its own), and each day's close with the counted totals
    """
    CREATE TABLE bills (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        period TEXT NOT NULL,
        item TEXT NOT NULL,
        amount REAL NOT NULL,
        due_date TEXT NOT NULL,
        reminded_at TEXT,
        overdue_at TEXT,
        UNIQUE (unit_id, period, item)
    );
    CREATE INDEX bills_due ON bills(due_date);
    CREATE TABLE payments (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        amount REAL NOT NULL,
        method TEXT NOT NULL,
        receipt TEXT NOT NULL,
        cashier_id INTEGER NOT NULL,
        at TEXT NOT NULL,
        reverses INTEGER REFERENCES payments(id),
        reason TEXT NOT NULL DEFAULT '',
        recorded_by INTEGER NOT NULL
    );
    CREATE INDEX payments_at ON payments(at);
    CREATE INDEX payments_unit ON payments(unit_id);
    CREATE TABLE day_closes (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,
        cashier_id INTEGER NOT NULL,
        cash_counted REAL NOT NULL,
        transfer_counted REAL NOT NULL,
        cash_recorded REAL NOT NULL,
        transfer_recorded REAL NOT NULL,
        explanation TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        UNIQUE (day, cashier_id)
    );
    """,
    # 21: announcements to the estate: what, to whom, when (or every year), and each
    # recipient's delivery, so that a broadcast resumes after a restart and sends nothing twice
    """
    CREATE TABLE announcements (
        id INTEGER PRIMARY KEY,
        author_id INTEGER NOT NULL,
        text TEXT NOT NULL,
        photo TEXT,
        document TEXT,
        audience TEXT NOT NULL,
        send_at TEXT NOT NULL,
        yearly INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        created_at TEXT NOT NULL,
        progress_message INTEGER
    );
    CREATE INDEX announcements_state ON announcements(state, send_at);
    CREATE TABLE announcement_recipients (
        announcement_id INTEGER NOT NULL REFERENCES announcements(id),
        user_id INTEGER NOT NULL,
        unit TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (announcement_id, user_id)
    );
    CREATE INDEX announcement_recipients_state ON announcement_recipients(announcement_id,
        state);
    """,
    # 22: buyers before move-in (the sales side): the register of contracts, each reminder
    # sent once per date it is about (a new date re-arms it), every change audited; units'
    # sales status and reservations, one live reservation a unit (first paid, first served)
    """
    CREATE TABLE buyers (
        contract_no TEXT PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        name TEXT NOT NULL,
        phone TEXT NOT NULL,
        phone_key TEXT NOT NULL,
        first_payment_due TEXT,
        first_paid_at TEXT,
        mortgage_at TEXT,
        mortgage_bank TEXT NOT NULL DEFAULT '',
        mortgage_place TEXT NOT NULL DEFAULT '',
        loan_documents_due TEXT,
        loan_documents_in_at TEXT,
        handover_due TEXT NOT NULL,
        handover_slot TEXT,
        handed_over_at TEXT,
        days_late INTEGER,
        user_id INTEGER,
        created_at TEXT NOT NULL
    );
    CREATE INDEX buyers_phone ON buyers(phone_key);
    CREATE INDEX buyers_user ON buyers(user_id);
    CREATE INDEX buyers_slot ON buyers(handover_slot);
    CREATE TABLE buyer_notices (
        contract_no TEXT NOT NULL REFERENCES buyers(contract_no),
        kind TEXT NOT NULL,
        about TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        answer TEXT,
        PRIMARY KEY (contract_no, kind, about)
    );
    CREATE TABLE buyer_events (
        id INTEGER PRIMARY KEY,
        contract_no TEXT NOT NULL REFERENCES buyers(contract_no),
        action TEXT NOT NULL,
        actor_id INTEGER,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    CREATE INDEX buyer_events_contract ON buyer_events(contract_no);
    CREATE TABLE unit_sales (
        unit_id INTEGER PRIMARY KEY REFERENCES units(id),
        status TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE TABLE reservations (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        buyer TEXT NOT NULL,
        amount REAL NOT NULL,
        receipt TEXT NOT NULL,
        recorded_by INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,
        state TEXT NOT NULL,
        decided_by INTEGER,
        decided_at TEXT
    );
    CREATE UNIQUE INDEX reservations_live ON reservations(unit_id)
        WHERE state IN ('pending', 'verified');
    CREATE INDEX reservations_recorded ON reservations(recorded_at);
    CREATE TABLE sales_reports (
        day TEXT PRIMARY KEY,
        sent_at TEXT NOT NULL
    );
    """,
    # 23: outbox claims: with several workers each message is sent by the one that claimed
    # it (one worker a recipient at a time, oldest first); a claim not renewed expires
    """
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
    """,
    # 24: amounts, hours and quantities exact: INTEGER minor units (cents of TWD), hundredths
    # of an hour, thousandths of a quantity, instead of REAL (storage/exact.py)
    _exact_sqlite(),
    # 25: a message refused as bad (it fails to render, or Telegram answers 400) is tried a
    # few times, then given up; and what a confirmed draft became, so a replayed or second
    # "Confirm" answers with its reference
    """
    ALTER TABLE outbox ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE filed_drafts (
        user_id INTEGER NOT NULL,
        draft TEXT NOT NULL,
        kind TEXT NOT NULL,
        record_id INTEGER NOT NULL,
        filed_at TEXT NOT NULL,
        PRIMARY KEY (user_id, draft)
    );
    CREATE INDEX filed_drafts_at ON filed_drafts(filed_at);
    """,
    # 26: invitation codes kept as their SHA-256, not in clear (storage/people.py:
    # invitation_key); the used ones too, so a used code still reads as used
    """
    UPDATE invitations SET code = sha256_hex(code);
    """,
    # 27 (issue 25, fees): a closed day stays closed, so each
    # payment names the day it counts in (NULL for older ones: the local day of `at`); the
    # bill behind it and who paid; a receipt number once per estate (receipt_key, its
    # normal form; where older payments shared one, the first keeps it and the others keep
    # NULL, as recorded); what a one-off bill is for (a renovation's reference); and card
    # payments and cheques counted on their own at the day's close
    """
    ALTER TABLE payments ADD COLUMN day TEXT;
    ALTER TABLE payments ADD COLUMN bill_id INTEGER REFERENCES bills(id);
    ALTER TABLE payments ADD COLUMN payer TEXT NOT NULL DEFAULT '';
    ALTER TABLE payments ADD COLUMN receipt_key TEXT;
    UPDATE payments SET receipt_key = upper(trim(receipt)) WHERE reverses IS NULL AND id = (
        SELECT min(p.id) FROM payments p WHERE p.reverses IS NULL
        AND upper(trim(p.receipt)) = upper(trim(payments.receipt)));
    CREATE UNIQUE INDEX payments_receipt ON payments(receipt_key);
    CREATE INDEX payments_day ON payments(day, cashier_id);
    ALTER TABLE bills ADD COLUMN reference TEXT NOT NULL DEFAULT '';
    ALTER TABLE day_closes ADD COLUMN card_counted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE day_closes ADD COLUMN card_recorded INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE day_closes ADD COLUMN cheque_counted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE day_closes ADD COLUMN cheque_recorded INTEGER NOT NULL DEFAULT 0;
    """,
    # 28 (issue 25, sales): the developer's inventory of units for sale, loaded on its own
    # (`estatedesk units import`) and apart from the roster of occupied homes: only these
    # units can be reserved. Area in thousandths, price in minor units (storage/exact.py)
    """
    CREATE TABLE sale_units (
        unit_id INTEGER PRIMARY KEY REFERENCES units(id),
        area INTEGER NOT NULL,
        price INTEGER NOT NULL,
        imported_at TEXT NOT NULL
    );
    """,
    # 29 (issue 25, registers): a spare key names the key it copies, so each lock's spare is
    # checked, not each kind's; a key loan records who handed it out and who took it back (the
    # loan history); an archive change names its source when no person of the chat made it (an
    # import); an archive reading stays on site, and a refusal keeps its reason; residents may
    # turn off the notices of new activities
    """
    ALTER TABLE keys ADD COLUMN copies TEXT;
    ALTER TABLE key_loans ADD COLUMN handed_out_by INTEGER;
    ALTER TABLE key_loans ADD COLUMN taken_back_by INTEGER;
    CREATE INDEX key_loan_items_key ON key_loan_items(key_id);
    ALTER TABLE archive_changes ADD COLUMN source TEXT;
    ALTER TABLE archive_loans ADD COLUMN on_site INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE archive_loans ADD COLUMN refusal TEXT;
    CREATE TABLE activity_optouts (
        user_id INTEGER PRIMARY KEY,
        at TEXT NOT NULL
    );
    """,
    # 30 (issue 25, books): a settlement a unit received on paper (it has nobody in the
    # chat): who of the unit signed for it, and the clerk who recorded it
    """
    ALTER TABLE settlement_deliveries ADD COLUMN paper_signer TEXT;
    ALTER TABLE settlement_deliveries ADD COLUMN recorded_by INTEGER;
    """,
    # 31 (issue 25, storeroom): stock never goes below zero: what a job used beyond the stock
    # held is a shortfall the storekeeper resolves (a delivery not entered, or not the estate's
    # stock), each resolution its own row; and when the item was last reported under its
    # minimum, so the LOW alert comes again once a receipt has brought it back up
    """
    ALTER TABLE materials ADD COLUMN low_told_at TEXT;
    CREATE TABLE stock_shortfalls (
        id INTEGER PRIMARY KEY,
        material_id INTEGER NOT NULL REFERENCES materials(id),
        ticket_id INTEGER REFERENCES tickets(id),
        quantity INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor_id INTEGER
    );
    CREATE TABLE shortfall_resolutions (
        shortfall_id INTEGER PRIMARY KEY REFERENCES stock_shortfalls(id),
        how TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        actor_id INTEGER
    );
    """,
    # 32 (issue 26, who is told): a phone callback says which resident it was (a public-area
    # job has several; none: the reporter) and the reason chips they gave; a resident without
    # Telegram phoned about one step (the failed notice, `request_id`), so nobody phones twice
    """
    ALTER TABLE phone_callbacks ADD COLUMN resident_id INTEGER;
    ALTER TABLE phone_callbacks ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE resident_calls (
        request_id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        resident_id INTEGER NOT NULL,
        staff_id INTEGER NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX resident_calls_ticket ON resident_calls(ticket_id, resident_id);
    """,
    # 33 (issue 26, signatures): the resident's confirmation is not the owner's signature.
    # The form's required "resident" becomes the owner's own signature (missing on the old
    # forms: nobody checked it was the owner who confirmed); the stored "resident" rows stay
    # as the confirmations they were, and one confirmed by phone names the clerk who
    # recorded it. A signer's query on the form, open until the desk answers it.
    """
    UPDATE required_signoffs SET party = 'owner' WHERE party = 'resident';
    UPDATE signoffs SET channel = 'phone', user_id = (
        SELECT e.actor_id FROM ticket_events e WHERE e.ticket_id = signoffs.ticket_id
        AND e.action = 'confirmed_by_phone' ORDER BY e.id DESC LIMIT 1)
    WHERE party = 'resident' AND EXISTS (
        SELECT 1 FROM ticket_events e WHERE e.ticket_id = signoffs.ticket_id
        AND e.action = 'confirmed_by_phone');
    CREATE TABLE signoff_queries (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets(id),
        party TEXT NOT NULL,
        asked_by INTEGER NOT NULL,
        question TEXT NOT NULL,
        asked_at TEXT NOT NULL,
        answered_by INTEGER,
        answer TEXT,
        answered_at TEXT
    );
    CREATE INDEX signoff_queries_ticket ON signoff_queries(ticket_id);
    """,
    # 34 (issue 27): whether a person was ever told of a ticket (who may see it: access.py)
    # and whether they were sent a kind of notice about it read one person's rows of the
    # outbox, which keeps every message: not a scan of the whole outbox; and the claim asks,
    # of each message due, whether an older one of that person's is still pending
    """
    CREATE INDEX outbox_recipient_ticket ON outbox(recipient_id, ticket_id);
    CREATE INDEX outbox_pending_recipient ON outbox(recipient_id, id)
        WHERE sent_at IS NULL AND failed_at IS NULL;
    """,
    # 35 (issue 27): a ticket file asks whether its unit was handed over (buyers by unit, not
    # a scan of every buyer); /overdue names the staff who blocked the bot, a handful among
    # thousands of residents: read them alone, in the list's order
    """
    CREATE INDEX buyers_unit ON buyers(unit_id);
    CREATE INDEX people_unreachable ON people(role, name) WHERE unreachable_at IS NOT NULL;
    """,
    # 36 (issue 27): the repairs still open at a moment (the monthly report, the books) are
    # those never completed or completed since: read through their completion, not by
    # walking every ticket reported before it
    """
    CREATE INDEX tickets_completed ON tickets(completed_at);
    """,
    # 37 (issue 28): a person is not a Telegram account. A person's chat accounts (any
    # channel), one of them chosen for the desk's notices; every person who wrote from
    # Telegram keeps their number and gets that account, chosen. A direct reply held in the
    # outbox goes back to the chat it answers (a stranger has no person). The replay guard
    # keys on the channel's own event id (LINE's are strings). One-time codes that link a
    # second account, and the wrong ones tried, counted per account.
    """
    CREATE TABLE channel_accounts (
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES people(user_id),
        language TEXT,
        linked_at TEXT NOT NULL,
        chosen INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (channel, external_id)
    );
    CREATE INDEX channel_accounts_person ON channel_accounts(person_id);
    CREATE UNIQUE INDEX channel_accounts_chosen ON channel_accounts(person_id)
        WHERE chosen = 1;
    INSERT INTO channel_accounts (channel, external_id, person_id, linked_at, chosen)
        SELECT 'telegram', CAST(user_id AS TEXT), user_id, created_at, 1 FROM people
        WHERE user_id > 0;
    ALTER TABLE outbox ADD COLUMN channel TEXT;
    ALTER TABLE outbox ADD COLUMN address TEXT;
    UPDATE outbox SET channel = 'telegram', address = CAST(recipient_id AS TEXT)
        WHERE kind = 'reply' AND sent_at IS NULL AND failed_at IS NULL;
    CREATE TABLE seen_events (
        channel TEXT NOT NULL,
        event_id TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (channel, event_id)
    );
    INSERT INTO seen_events (channel, event_id, seen_at)
        SELECT 'telegram', CAST(update_id AS TEXT), seen_at FROM seen_updates;
    DROP TABLE seen_updates;
    ALTER TABLE seen_events RENAME TO seen_updates;
    CREATE INDEX seen_updates_at ON seen_updates(seen_at);
    CREATE TABLE link_codes (
        code TEXT PRIMARY KEY,
        person_id INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        used_by TEXT
    );
    CREATE INDEX link_codes_person ON link_codes(person_id);
    CREATE TABLE link_failures (
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX link_failures_account ON link_failures(channel, external_id, at);
    """,
    # 38 (issue 29): who among the staff opened a person's data, when and why (the access
    # log of 個人資料保護法's security measures); the bot only ever adds to it
    """
    CREATE TABLE access_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        viewer_id INTEGER,
        person_id INTEGER NOT NULL,
        what TEXT NOT NULL,
        reference TEXT NOT NULL,
        why TEXT NOT NULL
    );
    CREATE INDEX access_log_person ON access_log(person_id, at);
    CREATE INDEX access_log_at ON access_log(at);
    """,
    # 39 (issue 29): a resident's requests to correct, stop using or delete their data
    # (個人資料保護法 Arts. 3, 11, 13), each with the Act's clock; a decision is written once
    """
    CREATE TABLE privacy_requests (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        details TEXT,
        state TEXT NOT NULL,
        filed_at TEXT NOT NULL,
        due_at TEXT NOT NULL,
        extended_at TEXT,
        extended_by INTEGER,
        extension_reason TEXT,
        decided_at TEXT,
        decided_by INTEGER,
        decision_note TEXT,
        warned_for TEXT,
        overdue_for TEXT,
        erased_at TEXT
    );
    CREATE INDEX privacy_requests_person ON privacy_requests(person_id, kind, state);
    CREATE INDEX privacy_requests_open ON privacy_requests(state, due_at);
    """,
    # 40 (issue 29): a personal-data breach (個人資料保護法 Art. 12): the incident, its 72-hour
    # clock and the managers' alerts (each once), and each person it could have exposed with
    # how and when they were told (a chat notice: its outbox row; a phone call: marked)
    """
    CREATE TABLE breach_incidents (
        id INTEGER PRIMARY KEY,
        reference TEXT NOT NULL UNIQUE,
        opened_at TEXT NOT NULL,
        described TEXT NOT NULL,
        since TEXT NOT NULL,
        what TEXT NOT NULL,
        what_in TEXT NOT NULL DEFAULT '{}',
        kinds TEXT NOT NULL DEFAULT '',
        units TEXT NOT NULL DEFAULT '',
        count INTEGER NOT NULL,
        due_at TEXT NOT NULL,
        warn_at TEXT NOT NULL,
        warned_at TEXT,
        overdue_at TEXT,
        closed_at TEXT,
        closed_note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX breach_incidents_open ON breach_incidents(due_at) WHERE closed_at IS NULL;
    CREATE TABLE breach_people (
        incident_id INTEGER NOT NULL REFERENCES breach_incidents(id),
        person_id INTEGER NOT NULL,
        way TEXT NOT NULL,
        outbox_id INTEGER,
        told_at TEXT,
        told_how TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (incident_id, person_id)
    );
    CREATE INDEX breach_people_untold ON breach_people(incident_id) WHERE told_at IS NULL;
    """,
    # 41 (issue 29, my data): each request of a person for a copy of their data (個人資料保護法
    # Arts. 3, 10: answered within 15 days, here at once) and its delivery: when, how big and
    # what it held, or that sending it failed; one request at a time per person
    """
    CREATE TABLE data_exports (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL,
        channel TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        delivered_at TEXT,
        failed_at TEXT,
        size INTEGER,
        contents TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX data_exports_person ON data_exports(person_id, requested_at);
    CREATE UNIQUE INDEX data_exports_pending ON data_exports(person_id)
        WHERE delivered_at IS NULL AND failed_at IS NULL;
    """,
    # 42 (issue 29): which version of the privacy notice each person was shown and accepted,
    # when and on which chat account (個人資料保護法 Art. 8); a stranger has none until they
    # accept, and a person of an older estate none until the next version reaches them
    """
    CREATE TABLE notice_acceptances (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL,
        version TEXT NOT NULL,
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        shown_at TEXT NOT NULL,
        accepted_at TEXT
    );
    CREATE UNIQUE INDEX notice_acceptances_person ON notice_acceptances(person_id, version);
    """,
    # 43 (issue 29, retention): when a person left the estate (a staff member removed, a
    # resident taken off the roster), so their name and phone are forgotten after the
    # setting's time; and when a closed ticket's photos, voice notes and free text were
    # forgotten. Each sweep reads only what is still to forget, by its date.
    """
    ALTER TABLE people ADD COLUMN left_at TEXT;
    CREATE INDEX people_left ON people(left_at) WHERE left_at IS NOT NULL;
    ALTER TABLE tickets ADD COLUMN erased_at TEXT;
    CREATE INDEX tickets_to_forget ON tickets(closed_at)
        WHERE closed_at IS NOT NULL AND erased_at IS NULL;
    """,
    # 44 (issue 30, LINE): files the desk keeps itself (LINE deletes what people send after a
    # while; a document shown on LINE by a link): the bytes, whose they are (the chat
    # account), the channel's own id of the message (kept once) and, for the desk's own, when
    # they go
    """
    CREATE TABLE media (
        id INTEGER PRIMARY KEY,
        origin TEXT,
        channel TEXT,
        external_id TEXT,
        name TEXT NOT NULL DEFAULT '',
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        data BLOB NOT NULL,
        kept_at TEXT NOT NULL,
        expires_at TEXT
    );
    CREATE UNIQUE INDEX media_origin ON media(origin) WHERE origin IS NOT NULL;
    CREATE INDEX media_sender ON media(channel, external_id) WHERE channel IS NOT NULL;
    CREATE INDEX media_expiring ON media(expires_at) WHERE expires_at IS NOT NULL;
    """,
    # 45 (issue 30): joining by a unit's code from the office's printed sheet (its SHA-256
    # only; one live code a unit, a new one replaces it) and who joined by it, on which chat
    # account
    """
    CREATE TABLE unit_codes (
        id INTEGER PRIMARY KEY,
        unit_id INTEGER NOT NULL REFERENCES units(id),
        code TEXT NOT NULL UNIQUE,
        uses INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        replaced_at TEXT
    );
    CREATE UNIQUE INDEX unit_codes_live ON unit_codes(unit_id) WHERE replaced_at IS NULL;
    CREATE TABLE unit_code_uses (
        code_id INTEGER NOT NULL REFERENCES unit_codes(id),
        person_id INTEGER NOT NULL,
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        used_at TEXT NOT NULL,
        PRIMARY KEY (code_id, person_id)
    );
    """,
    # 46 (issue 30): the rich menus the desk made at LINE, by role and language, each with
    # the digest of what it shows; shared by every worker of the estate
    """
    CREATE TABLE line_menus (
        key TEXT PRIMARY KEY,
        menu_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
]
