-- Security warnings (cảnh báo an ninh) that staff publish on the citizen
-- portal, e.g. a new scam trick; and the province boundaries the staff map
-- draws.

-- Categories are data, like crime categories and model types.
CREATE TABLE warning_categories (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO warning_categories (code, name, position) VALUES
    ('lua_dao_qua_mang', 'Lừa đảo qua mạng, điện thoại', 1),
    ('lua_dao', 'Lừa đảo, chiếm đoạt tài sản', 2),
    ('trom_cap', 'Trộm cắp, cướp giật', 3),
    ('ma_tuy', 'Ma túy', 4),
    ('tin_dung_den', 'Tín dụng đen, cho vay nặng lãi', 5),
    ('giao_thong', 'Trật tự, an toàn giao thông', 6),
    ('chay_no', 'Cháy, nổ', 7),
    ('khac', 'Khác', 99);

-- A warning for the whole country (unit_code 'VN') or for one province.
-- A draft is seen by staff only; a published warning is on the portal until
-- it is taken down (unpublished), which keeps it for the record.
-- published_at is the last time it was put on the portal; the portal lists
-- newest first by it.
CREATE TABLE warnings (
    id {{ID}},
    unit_code TEXT NOT NULL,
    category TEXT NOT NULL REFERENCES warning_categories (code),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'unpublished')),
    published_at TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT NOT NULL
);
-- The portal: published warnings of the nation and of one province, newest
-- first.
CREATE INDEX warnings_portal ON warnings (status, unit_code, published_at);

-- Province boundaries, imported as GeoJSON (toandan geo import-boundaries).
-- A boundary holds from valid_from until the province's next one; geojson is
-- the geometry alone (a Polygon or MultiPolygon), compact, every vertex kept.
CREATE TABLE province_boundaries (
    province_code TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    geojson TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    PRIMARY KEY (province_code, valid_from)
);
