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
    ALTER TABLE settlement_deliveries ADD COLUMN paper_signer TEXT;
    ALTER TABLE settlement_deliveries ADD COLUMN recorded_by BIGINT;
    """,
}
