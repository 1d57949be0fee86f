"""PostgreSQL's schema steps, paired with storage/migrations.py's SQLite list: the baseline
(pg_baseline.sql) is the SQLite schema after migration BASELINE; each SQLite migration after it
has its step here under the same number (tests/test_schema_parity.py checks both)."""

BASELINE = 22
STEPS: dict[int, str] = {
    23: """
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMPTZ;
    """,
    # 25 (24 until the lead merges issue 24's 24): invitation codes as their SHA-256
    24: """
    UPDATE invitations SET code = encode(sha256(convert_to(code, 'UTF8')), 'hex');
    """,
}
