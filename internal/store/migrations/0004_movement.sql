-- The movement "Toàn dân bảo vệ an ninh Tổ quốc": festival days, grassroots
-- models, the "An toàn về an ninh, trật tự" recognition and the model ward
-- police pilot, and the targets they are measured against.

-- Festival day (Ngày hội Toàn dân bảo vệ ANTQ, Decision 521/2005/QĐ-TTg):
-- each province plans a number of commune-level points for a year.
CREATE TABLE festival_plans (
    year INTEGER NOT NULL,
    province_code TEXT NOT NULL,
    planned_points INTEGER NOT NULL CHECK (planned_points >= 0),
    source TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, province_code)
);

-- A point held in a commune (area_id NULL: the commune-level point) or in one
-- of its residential areas. commune_code is the code as recorded, valid on
-- held_on; commune_valid_from names that version of the unit, since pre-2025
-- codes were reused.
CREATE TABLE festival_points (
    id {{ID}},
    year INTEGER NOT NULL,
    commune_code TEXT NOT NULL,
    commune_valid_from TEXT NOT NULL,
    area_id BIGINT REFERENCES residential_areas (id),
    area_key TEXT NOT NULL DEFAULT '',
    held_on TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    participants INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
    guests INTEGER NOT NULL DEFAULT 0 CHECK (guests >= 0),
    commendations_collective INTEGER NOT NULL DEFAULT 0 CHECK (commendations_collective >= 0),
    commendations_individual INTEGER NOT NULL DEFAULT 0 CHECK (commendations_individual >= 0),
    gifts_vnd BIGINT NOT NULL DEFAULT 0 CHECK (gifts_vnd >= 0),
    models_launched INTEGER NOT NULL DEFAULT 0 CHECK (models_launched >= 0),
    notes TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'returned')),
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT 'form',
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (year, commune_code, commune_valid_from, area_key)
);
CREATE INDEX festival_points_year ON festival_points (year, commune_code);

-- Grassroots self-managed models (mô hình tự quản). Types are data.
CREATE TABLE model_types (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO model_types (code, name, position) VALUES
    ('camera_an_ninh', 'Camera an ninh', 1),
    ('to_tu_quan', 'Tổ tự quản', 2),
    ('tieng_loa_an_ninh', 'Tiếng loa an ninh', 3),
    ('khu_dan_cu_an_toan', 'Khu dân cư an toàn', 4),
    ('to_lien_gia_an_toan_pccc', 'Tổ liên gia an toàn phòng cháy, chữa cháy', 5),
    ('to_an_ninh_xung_kich', 'Tổ an ninh xung kích', 6),
    ('dong_ho_tu_quan', 'Dòng họ tự quản về an ninh, trật tự', 7),
    ('khac', 'Mô hình khác', 99);

CREATE TABLE grassroots_models (
    id {{ID}},
    commune_code TEXT NOT NULL,
    area_id BIGINT REFERENCES residential_areas (id),
    name TEXT NOT NULL,
    type_code TEXT NOT NULL REFERENCES model_types (code),
    started_on TEXT NOT NULL,
    members INTEGER NOT NULL DEFAULT 0 CHECK (members >= 0),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'ended')),
    ended_on TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX grassroots_models_commune ON grassroots_models (commune_code);

-- Periodic evaluation of a model: effective or not, with a note.
CREATE TABLE model_evaluations (
    id {{ID}},
    model_id BIGINT NOT NULL REFERENCES grassroots_models (id),
    period TEXT NOT NULL,
    effective INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    evaluated_by BIGINT REFERENCES users (id),
    evaluated_at TEXT NOT NULL,
    UNIQUE (model_id, period)
);

-- Criteria sets are versioned data with their legal source: a new circular
-- is a new set, not new code.
CREATE TABLE criteria_sets (
    id {{ID}},
    code TEXT NOT NULL,
    version TEXT NOT NULL,
    name TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('residential_area', 'commune', 'model_ward')),
    legal_source TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (code, version)
);
CREATE TABLE criteria (
    id {{ID}},
    set_id BIGINT NOT NULL REFERENCES criteria_sets (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    -- A check the system runs against recorded data before it accepts a
    -- self-assessment of "met" (e.g. 'effective_models:1',
    -- 'areas_recognised_pct:70'); empty when none applies.
    auto_check TEXT NOT NULL DEFAULT '',
    UNIQUE (set_id, code)
);

-- One yearly recognition cycle of one subject: a residential area (its id as
-- subject_code), a commune, or a ward in the model ward pilot.
CREATE TABLE recognition_cycles (
    id {{ID}},
    set_id BIGINT NOT NULL REFERENCES criteria_sets (id),
    year INTEGER NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('registered', 'submitted', 'returned', 'recognised', 'not_recognised')),
    registered_by BIGINT REFERENCES users (id),
    registered_at TEXT NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at TEXT NOT NULL DEFAULT '',
    decision_note TEXT NOT NULL DEFAULT '',
    UNIQUE (year, subject_kind, subject_code)
);
CREATE INDEX recognition_cycles_commune ON recognition_cycles (commune_code, year);

CREATE TABLE recognition_assessments (
    cycle_id BIGINT NOT NULL REFERENCES recognition_cycles (id),
    criterion_id BIGINT NOT NULL REFERENCES criteria (id),
    met INTEGER NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    file_type TEXT NOT NULL DEFAULT '',
    -- Name of the attachment in the file store; file_name is what the
    -- officer called it.
    file_key TEXT NOT NULL DEFAULT '',
    assessed_by BIGINT REFERENCES users (id),
    assessed_at TEXT NOT NULL,
    PRIMARY KEY (cycle_id, criterion_id)
);

-- Every step of a cycle, for the record.
CREATE TABLE recognition_events (
    id {{ID}},
    cycle_id BIGINT NOT NULL REFERENCES recognition_cycles (id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recognition_events_cycle ON recognition_events (cycle_id, id);

-- Targets: (indicator, unit or each unit of a kind, period, comparator,
-- value, legal source). Indicators are computed, never typed in.
CREATE TABLE targets (
    id {{ID}},
    indicator TEXT NOT NULL,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('unit', 'each')),
    -- 'unit': a unit code (VN, a province, a commune);
    -- 'each': a unit type (municipality, province) every unit of which must meet it.
    scope TEXT NOT NULL,
    year INTEGER NOT NULL,
    comparator TEXT NOT NULL CHECK (comparator IN ('>=', '<=', '=')),
    value DOUBLE PRECISION NOT NULL,
    legal_source TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL
);
