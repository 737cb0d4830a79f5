-- Administrative units as versioned data. A code names a unit only together
-- with a date: pre-2025 codes were reused by the 2025 units. valid_to is the
-- last day in force (inclusive); NULL means still in force.
CREATE TABLE units (
    id {{ID}},
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    full_name TEXT NOT NULL DEFAULT '',
    name_en TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    parent_code TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    source TEXT NOT NULL DEFAULT '',
    UNIQUE (code, valid_from)
);
CREATE INDEX units_parent ON units (parent_code, valid_from);
CREATE INDEX units_level ON units (level, valid_from);

-- Old unit -> new unit links, effective on changed_on (the first day of the
-- new geography). A split old commune has several partial rows; is_main marks
-- the successor that counts it when data must be counted once.
CREATE TABLE unit_lineage (
    id {{ID}},
    old_code TEXT NOT NULL,
    old_level TEXT NOT NULL DEFAULT 'commune',
    new_code TEXT NOT NULL,
    merge_type TEXT NOT NULL CHECK (merge_type IN ('full', 'partial')),
    is_main INTEGER NOT NULL DEFAULT 0,
    changed_on TEXT NOT NULL,
    UNIQUE (old_code, new_code, changed_on)
);
CREATE INDEX unit_lineage_new ON unit_lineage (new_code, changed_on);

-- Residential areas (khu dân cư) are registered by commune officers under the
-- commune in force when they register them.
CREATE TABLE residential_areas (
    id {{ID}},
    commune_code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    created_by BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX residential_areas_commune ON residential_areas (commune_code);
CREATE UNIQUE INDEX residential_areas_name ON residential_areas (commune_code, name, valid_from);

-- Police units are organisations, not places: each has a jurisdiction, a set
-- of communes, which an administrator may change.
CREATE TABLE police_units (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('national', 'province', 'commune')),
    province_code TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE police_jurisdiction (
    police_unit_id BIGINT NOT NULL REFERENCES police_units (id),
    commune_code TEXT NOT NULL,
    PRIMARY KEY (police_unit_id, commune_code)
);
CREATE INDEX police_jurisdiction_commune ON police_jurisdiction (commune_code);

-- Every geography file imported, so that an import can be traced to its file.
CREATE TABLE geo_imports (
    id {{ID}},
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    rows_read INTEGER NOT NULL,
    rows_changed INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

-- Staff accounts. unit_code is 'VN' for the nation, a province code or a
-- commune code; the role says which of these it may be.
CREATE TABLE users (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    totp_secret {{BLOB}},
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NOT NULL DEFAULT '',
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE recovery_codes (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users (id),
    code_hash {{BLOB}} NOT NULL,
    used_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Sessions are looked up by the SHA-256 of the cookie token, so a copy of this
-- table cannot be replayed as cookies. A session with mfa_pending = 1 has
-- passed the password but not yet the second factor.
CREATE TABLE sessions (
    token_hash {{BLOB}} PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    mfa_pending INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- The audit log is append-only and hash-chained: each entry's hash covers the
-- previous entry's hash, so an edited or deleted row breaks the chain.
-- audit_head holds the chain's end; updating it in the appending transaction
-- serialises appenders on both engines.
CREATE TABLE audit_log (
    id {{ID}},
    seq BIGINT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
