-- Background jobs shared by every instance of toandan on one database.

-- Periodic jobs (deadline reminders, retention) run once per slot across all
-- instances: an instance runs a slot only if its INSERT created the row.
-- slot is the start of the period, e.g. 2026-11-30T03:05 for a job run each
-- minute; claims counts the instances that tried to take it (the first ran
-- it). error is empty when the run succeeded; finished_at is empty while it
-- runs, and stays empty if its instance died during the run.
CREATE TABLE job_runs (
    name TEXT NOT NULL,
    slot TEXT NOT NULL,
    instance TEXT NOT NULL,
    claims INTEGER NOT NULL DEFAULT 1,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (name, slot)
);
CREATE INDEX job_runs_started ON job_runs (started_at);

-- One-off jobs. A pending job runs once run_at has passed. A running job is
-- leased to one instance (locked_by) until run_at, which then holds the end
-- of the lease: past it another instance takes the job again, so the work of
-- an instance that died is retried. A failed attempt goes back to pending
-- with a later run_at until max_attempts is reached.
CREATE TABLE jobs (
    id {{ID}},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    run_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_by TEXT NOT NULL DEFAULT '',
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    finished_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs (status, run_at);
