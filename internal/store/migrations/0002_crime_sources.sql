-- Crime sources (nguồn tin về tội phạm, BLTTHS 2015 Art. 144): every
-- denunciation, report and prosecution petition, from any channel.

-- Categories are data with stable codes that the API uses.
CREATE TABLE crime_categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO crime_categories (code, name, position) VALUES
    ('trat_tu_xa_hoi', 'Trật tự xã hội', 1),
    ('kinh_te', 'Kinh tế', 2),
    ('tham_nhung', 'Tham nhũng, chức vụ', 3),
    ('ma_tuy', 'Ma túy', 4),
    ('moi_truong', 'Môi trường, an toàn thực phẩm', 5),
    ('cong_nghe_cao', 'Công nghệ cao, lừa đảo qua mạng', 6),
    ('buon_lau', 'Buôn lậu, hàng cấm, hàng giả', 7),
    ('khac', 'Khác', 8);

CREATE TABLE sources (
    id {{ID}},
    tracking_code TEXT NOT NULL UNIQUE,
    -- HMAC of the receipt code under a key the database does not hold.
    receipt_hash {{BLOB}} UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('to_giac', 'tin_bao', 'kien_nghi_khoi_to')),
    channel TEXT NOT NULL,
    category TEXT NOT NULL REFERENCES crime_categories (code),
    province_code TEXT NOT NULL DEFAULT '',
    commune_code TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    occurred_at TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL,
    -- description, address and tracking code folded to lower-case ASCII for
    -- search that ignores Vietnamese diacritics.
    search_text TEXT NOT NULL,
    anonymous INTEGER NOT NULL,
    -- the reporter's identity, sealed with AEAD under the identity key.
    identity_sealed {{BLOB}},
    reporter_org TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL,
    postmarked_on TEXT NOT NULL DEFAULT '',
    receiving_unit_id BIGINT NOT NULL REFERENCES police_units (id),
    unit_id BIGINT NOT NULL REFERENCES police_units (id),
    register_year INTEGER,
    register_no INTEGER,
    registered_at TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    urgent INTEGER NOT NULL DEFAULT 0,
    remote INTEGER NOT NULL DEFAULT 0,
    extended INTEGER NOT NULL DEFAULT 0,
    procuracy_extended INTEGER NOT NULL DEFAULT 0,
    procuracy_notified_at TEXT NOT NULL DEFAULT '',
    assigned_to BIGINT REFERENCES users (id),
    merged_into BIGINT REFERENCES sources (id),
    outcome TEXT NOT NULL DEFAULT '',
    decided_at TEXT NOT NULL DEFAULT '',
    closed_at TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    updated_at TEXT NOT NULL,
    UNIQUE (receiving_unit_id, register_year, register_no)
);
CREATE INDEX sources_unit_received ON sources (unit_id, received_at, id);
CREATE INDEX sources_status ON sources (status);
CREATE INDEX sources_commune ON sources (commune_code);

-- One row per unit and year: the last register number given. Numbers are
-- taken inside the registering transaction, so they have no gap and no
-- duplicate.
CREATE TABLE register_counters (
    unit_id BIGINT NOT NULL REFERENCES police_units (id),
    year INTEGER NOT NULL,
    last_no INTEGER NOT NULL,
    PRIMARY KEY (unit_id, year)
);

-- The timeline: every step, with who, when, note and data.
CREATE TABLE source_events (
    id {{ID}},
    source_id BIGINT NOT NULL REFERENCES sources (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    unit_id BIGINT REFERENCES police_units (id),
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT ''
);
CREATE INDEX source_events_source ON source_events (source_id, id);

-- Messages between the reporter (through the receipt code) and the unit.
CREATE TABLE source_messages (
    id {{ID}},
    source_id BIGINT NOT NULL REFERENCES sources (id),
    at TEXT NOT NULL,
    from_reporter INTEGER NOT NULL,
    user_id BIGINT REFERENCES users (id),
    body TEXT NOT NULL
);
CREATE INDEX source_messages_source ON source_messages (source_id, id);

-- Files are stored outside any served folder under generated names.
CREATE TABLE attachments (
    id {{ID}},
    source_id BIGINT NOT NULL REFERENCES sources (id),
    message_id BIGINT REFERENCES source_messages (id),
    event_id BIGINT REFERENCES source_events (id),
    stored_name TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    metadata_stripped INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX attachments_source ON attachments (source_id);

-- Open and met time limits of each source, computed by the deadline rules.
CREATE TABLE source_deadlines (
    id {{ID}},
    source_id BIGINT NOT NULL REFERENCES sources (id),
    rule_code TEXT NOT NULL,
    rule_version TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES police_units (id),
    started_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    met_at TEXT NOT NULL DEFAULT '',
    cancelled_at TEXT NOT NULL DEFAULT '',
    reminded_at TEXT NOT NULL DEFAULT '',
    overdue_noted_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX source_deadlines_open ON source_deadlines (unit_id, due_at);
CREATE INDEX source_deadlines_source ON source_deadlines (source_id);

-- Reminders recorded by the background job.
CREATE TABLE reminders (
    id {{ID}},
    deadline_id BIGINT NOT NULL REFERENCES source_deadlines (id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('at_risk', 'overdue')),
    UNIQUE (deadline_id, kind)
);

-- Communes whose police have 48 hours rather than 24 to transfer urgent
-- sources (remote mountain or island communes). Special zones count as
-- remote without a row here.
CREATE TABLE remote_communes (
    commune_code TEXT PRIMARY KEY,
    note TEXT NOT NULL DEFAULT ''
);
