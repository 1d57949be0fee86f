"""PostgreSQL's schema steps, paired with storage/migrations.py's SQLite list: the baseline
(pg_baseline.sql) is the SQLite schema after migration BASELINE; each SQLite migration after it
has its step here under the same number (tests/test_schema_parity.py checks both)."""

from storage.migrations import exact_postgres

BASELINE = 22
STEPS: dict[int, str] = {
    23: """
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMPTZ;
    """,
    24: exact_postgres(),
    25: """
    ALTER TABLE outbox ADD COLUMN refusals BIGINT NOT NULL DEFAULT 0;
    CREATE TABLE filed_drafts (
        user_id BIGINT NOT NULL,
        draft TEXT NOT NULL,
        kind TEXT NOT NULL,
        record_id BIGINT NOT NULL,
        filed_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (user_id, draft)
    );
    CREATE INDEX filed_drafts_at ON filed_drafts(filed_at);
    """,
    26: """
    UPDATE invitations SET code = encode(sha256(convert_to(code, 'UTF8')), 'hex');
    """,
    27: """
    ALTER TABLE payments ADD COLUMN day TEXT;
    ALTER TABLE payments ADD COLUMN bill_id BIGINT REFERENCES bills(id);
    ALTER TABLE payments ADD COLUMN payer TEXT NOT NULL DEFAULT '';
    ALTER TABLE payments ADD COLUMN receipt_key TEXT;
    UPDATE payments SET receipt_key = upper(trim(receipt)) WHERE reverses IS NULL AND id = (
        SELECT min(p.id) FROM payments p WHERE p.reverses IS NULL
        AND upper(trim(p.receipt)) = upper(trim(payments.receipt)));
    CREATE UNIQUE INDEX payments_receipt ON payments(receipt_key);
    CREATE INDEX payments_day ON payments(day, cashier_id);
    ALTER TABLE bills ADD COLUMN reference TEXT NOT NULL DEFAULT '';
    ALTER TABLE day_closes ADD COLUMN card_counted BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE day_closes ADD COLUMN card_recorded BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE day_closes ADD COLUMN cheque_counted BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE day_closes ADD COLUMN cheque_recorded BIGINT NOT NULL DEFAULT 0;
    """,
    # 28: the developer's inventory of units for sale (issue 25, sales)
    28: """
    CREATE TABLE sale_units (
        unit_id BIGINT PRIMARY KEY REFERENCES units(id),
        area BIGINT NOT NULL,
        price BIGINT NOT NULL,
        imported_at TIMESTAMPTZ NOT NULL
    );
    """,
    # the registers' step of issue 25 (29): see storage/migrations.py
    29: """
    ALTER TABLE keys ADD COLUMN copies TEXT;
    ALTER TABLE key_loans ADD COLUMN handed_out_by BIGINT;
    ALTER TABLE key_loans ADD COLUMN taken_back_by BIGINT;
    CREATE INDEX key_loan_items_key ON key_loan_items(key_id);
    ALTER TABLE archive_changes ADD COLUMN source TEXT;
    ALTER TABLE archive_loans ADD COLUMN on_site BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE archive_loans ADD COLUMN refusal TEXT;
    CREATE TABLE activity_optouts (
        user_id BIGINT PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL
    );
    """,
    # 30: a settlement received on paper (issue 25, books)
    30: """
    ALTER TABLE settlement_deliveries ADD COLUMN paper_signer TEXT;
    ALTER TABLE settlement_deliveries ADD COLUMN recorded_by BIGINT;
    """,
}
