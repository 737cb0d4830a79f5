-- Counters behind the national and provincial dashboards (package
-- dashboard). Counting the sources of a year from an index costs seconds at
-- millions of sources; these tables hold the same counts per month of
-- receipt and province, a few thousand rows a year for the whole country.
--
-- Triggers keep them, on every write to sources, source_deadlines and
-- police_units, in the writing transaction (on PostgreSQL as it commits,
-- see there): intake, the workflow, transfers, merges, the retention purge
-- and bulk loads all keep them right without knowing they exist. Rows are
-- never deleted; a count may fall to 0.
--
-- The month is that of received_at in Vietnam time (UTC+7, no daylight
-- saving), 'YYYY-MM'; received_at is cut to whole seconds first, as some
-- SQLite versions round 23:59:59.9995 up into the next day. The province
-- is the receiving unit's (police_units.province_code; '' for the national
-- intake unit).

-- The decision a source's resolution limit records, as the dashboards count
-- it: '' when no resolution limit (rule decision, decision_extended or
-- procuracy_extension) of the unit holding the source is met, 'late' when
-- one of them was met at or after its due time, else 'on_time'. Derived from
-- source_deadlines by the triggers below; never written by the application.
ALTER TABLE sources ADD COLUMN decision TEXT NOT NULL DEFAULT '';

UPDATE sources SET decision = x.decision
FROM (SELECT d.source_id,
        CASE MAX(CASE WHEN d.met_at < d.due_at THEN 0 ELSE 1 END) WHEN 1 THEN 'late' ELSE 'on_time' END AS decision
    FROM source_deadlines d JOIN sources s ON s.id = d.source_id AND s.unit_id = d.unit_id
    WHERE d.rule_code IN ('decision', 'decision_extended', 'procuracy_extension') AND d.met_at <> ''
    GROUP BY d.source_id) x
WHERE sources.id = x.source_id;

-- Sources by month, province, status and decision: what was received, by
-- month and by status, what is open, decided, decided on time.
CREATE TABLE source_counts (
    month TEXT NOT NULL,
    province_code TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, province_code, status, decision)
){{WITHOUT_ROWID}};

-- Sources by month, province and category. Apart from source_counts so that
-- neither table multiplies the other's rows.
CREATE TABLE source_category_counts (
    month TEXT NOT NULL,
    province_code TEXT NOT NULL,
    category TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, province_code, category)
){{WITHOUT_ROWID}};

-- engine: sqlite
-- The province is looked up as a scalar, here and in the triggers: a unit
-- without a row would be NULL and fail NOT NULL, never drop the count
-- silently (and the backfill reads sources in one pass, not by unit).
INSERT INTO source_counts (month, province_code, status, decision, n)
SELECT strftime('%Y-%m', substr(s.received_at, 1, 19), '+7 hours'),
    (SELECT p.province_code FROM police_units p WHERE p.id = s.receiving_unit_id), s.status, s.decision, COUNT(*)
FROM sources s GROUP BY 1, 2, 3, 4;

INSERT INTO source_category_counts (month, province_code, category, n)
SELECT strftime('%Y-%m', substr(s.received_at, 1, 19), '+7 hours'),
    (SELECT p.province_code FROM police_units p WHERE p.id = s.receiving_unit_id), s.category, COUNT(*)
FROM sources s GROUP BY 1, 2, 3;

-- A new or removed source: one more or one fewer.
CREATE TRIGGER sources_counts_insert AFTER INSERT ON sources
BEGIN
    INSERT INTO source_counts (month, province_code, status, decision, n)
    VALUES (strftime('%Y-%m', substr(NEW.received_at, 1, 19), '+7 hours'),
        (SELECT province_code FROM police_units WHERE id = NEW.receiving_unit_id), NEW.status, NEW.decision, 1)
    ON CONFLICT (month, province_code, status, decision) DO UPDATE SET n = n + 1;
    INSERT INTO source_category_counts (month, province_code, category, n)
    VALUES (strftime('%Y-%m', substr(NEW.received_at, 1, 19), '+7 hours'),
        (SELECT province_code FROM police_units WHERE id = NEW.receiving_unit_id), NEW.category, 1)
    ON CONFLICT (month, province_code, category) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER sources_counts_delete AFTER DELETE ON sources
BEGIN
    INSERT INTO source_counts (month, province_code, status, decision, n)
    VALUES (strftime('%Y-%m', substr(OLD.received_at, 1, 19), '+7 hours'),
        (SELECT province_code FROM police_units WHERE id = OLD.receiving_unit_id), OLD.status, OLD.decision, -1)
    ON CONFLICT (month, province_code, status, decision) DO UPDATE SET n = n - 1;
    INSERT INTO source_category_counts (month, province_code, category, n)
    VALUES (strftime('%Y-%m', substr(OLD.received_at, 1, 19), '+7 hours'),
        (SELECT province_code FROM police_units WHERE id = OLD.receiving_unit_id), OLD.category, -1)
    ON CONFLICT (month, province_code, category) DO UPDATE SET n = n - 1;
END;

-- A source that changes a counted column moves from its old row to its new
-- one. The two are summed first, so a change the row does not see (a new
-- category, for source_counts) writes nothing.
CREATE TRIGGER sources_counts_update AFTER UPDATE OF received_at, receiving_unit_id, status, decision, category ON sources
WHEN OLD.received_at <> NEW.received_at OR OLD.receiving_unit_id <> NEW.receiving_unit_id OR OLD.status <> NEW.status
    OR OLD.decision <> NEW.decision OR OLD.category <> NEW.category
BEGIN
    INSERT INTO source_counts (month, province_code, status, decision, n)
    SELECT month, province_code, status, decision, SUM(n) FROM (
        SELECT strftime('%Y-%m', substr(OLD.received_at, 1, 19), '+7 hours') AS month,
            (SELECT province_code FROM police_units WHERE id = OLD.receiving_unit_id) AS province_code,
            OLD.status AS status, OLD.decision AS decision, -1 AS n
        UNION ALL
        SELECT strftime('%Y-%m', substr(NEW.received_at, 1, 19), '+7 hours'),
            (SELECT province_code FROM police_units WHERE id = NEW.receiving_unit_id), NEW.status, NEW.decision, 1)
    WHERE true GROUP BY month, province_code, status, decision HAVING SUM(n) <> 0
    ON CONFLICT (month, province_code, status, decision) DO UPDATE SET n = n + excluded.n;
    INSERT INTO source_category_counts (month, province_code, category, n)
    SELECT month, province_code, category, SUM(n) FROM (
        SELECT strftime('%Y-%m', substr(OLD.received_at, 1, 19), '+7 hours') AS month,
            (SELECT province_code FROM police_units WHERE id = OLD.receiving_unit_id) AS province_code,
            OLD.category AS category, -1 AS n
        UNION ALL
        SELECT strftime('%Y-%m', substr(NEW.received_at, 1, 19), '+7 hours'),
            (SELECT province_code FROM police_units WHERE id = NEW.receiving_unit_id), NEW.category, 1)
    WHERE true GROUP BY month, province_code, category HAVING SUM(n) <> 0
    ON CONFLICT (month, province_code, category) DO UPDATE SET n = n + excluded.n;
END;

-- sources.decision follows the resolution limits. A met resolution limit
-- of the source's unit recorded can only make it later: '' becomes
-- 'on_time' or 'late', 'on_time' may become 'late'; that needs no other
-- limit, so a bulk load without the deadline indexes stays linear. A limit
-- changed or removed, and a source moved to another unit (only that unit's
-- limits count), set it again from all the limits. The update fires
-- sources_counts_update, which moves the count.
CREATE TRIGGER source_deadlines_decision_insert AFTER INSERT ON source_deadlines
WHEN NEW.met_at <> '' AND NEW.rule_code IN ('decision', 'decision_extended', 'procuracy_extension')
BEGIN
    UPDATE sources SET decision = CASE WHEN NEW.met_at >= NEW.due_at OR decision = 'late' THEN 'late' ELSE 'on_time' END
    WHERE id = NEW.source_id AND unit_id = NEW.unit_id
        AND decision <> CASE WHEN NEW.met_at >= NEW.due_at OR decision = 'late' THEN 'late' ELSE 'on_time' END;
END;

CREATE TRIGGER source_deadlines_decision_update AFTER UPDATE OF source_id, rule_code, unit_id, due_at, met_at ON source_deadlines
WHEN (OLD.met_at <> '' AND OLD.rule_code IN ('decision', 'decision_extended', 'procuracy_extension'))
    OR (NEW.met_at <> '' AND NEW.rule_code IN ('decision', 'decision_extended', 'procuracy_extension'))
BEGIN
    UPDATE sources SET decision = (
        SELECT CASE MAX(CASE WHEN d.met_at < d.due_at THEN 0 ELSE 1 END) WHEN 1 THEN 'late' WHEN 0 THEN 'on_time' ELSE '' END
        FROM source_deadlines d WHERE d.source_id = sources.id AND d.unit_id = sources.unit_id
            AND d.rule_code IN ('decision', 'decision_extended', 'procuracy_extension') AND d.met_at <> '')
    WHERE id IN (OLD.source_id, NEW.source_id);
END;

CREATE TRIGGER source_deadlines_decision_delete AFTER DELETE ON source_deadlines
WHEN OLD.met_at <> '' AND OLD.rule_code IN ('decision', 'decision_extended', 'procuracy_extension')
BEGIN
    UPDATE sources SET decision = (
        SELECT CASE MAX(CASE WHEN d.met_at < d.due_at THEN 0 ELSE 1 END) WHEN 1 THEN 'late' WHEN 0 THEN 'on_time' ELSE '' END
        FROM source_deadlines d WHERE d.source_id = sources.id AND d.unit_id = sources.unit_id
            AND d.rule_code IN ('decision', 'decision_extended', 'procuracy_extension') AND d.met_at <> '')
    WHERE id = OLD.source_id;
END;

-- Written with a decision of its own, a source has no limit yet to have it.
CREATE TRIGGER sources_decision_insert AFTER INSERT ON sources
WHEN NEW.decision <> ''
BEGIN
    UPDATE sources SET decision = '' WHERE id = NEW.id;
END;

CREATE TRIGGER sources_decision_unit AFTER UPDATE OF unit_id ON sources
WHEN OLD.unit_id <> NEW.unit_id
BEGIN
    UPDATE sources SET decision = (
        SELECT CASE MAX(CASE WHEN d.met_at < d.due_at THEN 0 ELSE 1 END) WHEN 1 THEN 'late' WHEN 0 THEN 'on_time' ELSE '' END
        FROM source_deadlines d WHERE d.source_id = sources.id AND d.unit_id = sources.unit_id
            AND d.rule_code IN ('decision', 'decision_extended', 'procuracy_extension') AND d.met_at <> '')
    WHERE id = NEW.id;
END;

-- A police unit moved to another province takes its sources' counts along.
CREATE TRIGGER police_units_counts_update AFTER UPDATE OF province_code ON police_units
WHEN OLD.province_code <> NEW.province_code
BEGIN
    INSERT INTO source_counts (month, province_code, status, decision, n)
    SELECT strftime('%Y-%m', substr(s.received_at, 1, 19), '+7 hours') AS month, p.province_code, s.status, s.decision, SUM(p.n)
    FROM sources s JOIN (SELECT OLD.province_code AS province_code, -1 AS n UNION ALL SELECT NEW.province_code, 1) p
    WHERE s.receiving_unit_id = NEW.id
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (month, province_code, status, decision) DO UPDATE SET n = n + excluded.n;
    INSERT INTO source_category_counts (month, province_code, category, n)
    SELECT strftime('%Y-%m', substr(s.received_at, 1, 19), '+7 hours') AS month, p.province_code, s.category, SUM(p.n)
    FROM sources s JOIN (SELECT OLD.province_code AS province_code, -1 AS n UNION ALL SELECT NEW.province_code, 1) p
    WHERE s.receiving_unit_id = NEW.id
    GROUP BY 1, 2, 3
    ON CONFLICT (month, province_code, category) DO UPDATE SET n = n + excluded.n;
END;

-- engine: postgres
-- The month and the decision as functions, shared by the backfill and the
-- triggers.
CREATE FUNCTION source_month(received_at TEXT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT to_char(left(received_at, 19)::timestamp + interval '7 hours', 'YYYY-MM')
$$;

CREATE FUNCTION source_decision(source BIGINT, unit BIGINT) RETURNS TEXT LANGUAGE sql STABLE AS $$
    SELECT CASE MAX(CASE WHEN d.met_at < d.due_at THEN 0 ELSE 1 END) WHEN 1 THEN 'late' WHEN 0 THEN 'on_time' ELSE '' END
    FROM source_deadlines d WHERE d.source_id = source AND d.unit_id = unit
        AND d.rule_code IN ('decision', 'decision_extended', 'procuracy_extension') AND d.met_at <> ''
$$;

INSERT INTO source_counts (month, province_code, status, decision, n)
SELECT source_month(s.received_at), (SELECT p.province_code FROM police_units p WHERE p.id = s.receiving_unit_id),
    s.status, s.decision, COUNT(*)
FROM sources s GROUP BY 1, 2, 3, 4;

INSERT INTO source_category_counts (month, province_code, category, n)
SELECT source_month(s.received_at), (SELECT p.province_code FROM police_units p WHERE p.id = s.receiving_unit_id),
    s.category, COUNT(*)
FROM sources s GROUP BY 1, 2, 3;

-- Transactions run side by side here, and one may hold many reports (a
-- group commit): counter rows updated as each report is written would be
-- locked in a different order by each transaction, and two would deadlock.
-- So the triggers note each change of a count in source_count_changes, and
-- a trigger deferred to the commit applies the transaction's changes,
-- summed, in key order: every transaction locks counter rows in the same
-- order, and only while it commits. The rows noted are deleted by the same
-- commit; a transaction that rolls back (or a savepoint) takes its own
-- with it.
CREATE TABLE source_count_changes (
    txid BIGINT NOT NULL,
    month TEXT NOT NULL,
    province_code TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT NOT NULL,
    category TEXT NOT NULL,
    n INTEGER NOT NULL
);
CREATE INDEX source_count_changes_txid ON source_count_changes (txid);

-- One row per transaction with changes to apply: its insert queues the
-- deferred trigger once.
CREATE TABLE source_count_pending (
    txid BIGINT PRIMARY KEY
);

CREATE FUNCTION source_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO source_counts AS c (month, province_code, status, decision, n)
    SELECT month, province_code, status, decision, SUM(n) FROM source_count_changes WHERE txid = NEW.txid
    GROUP BY 1, 2, 3, 4 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, province_code, status, decision) DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO source_category_counts AS c (month, province_code, category, n)
    SELECT month, province_code, category, SUM(n) FROM source_count_changes WHERE txid = NEW.txid
    GROUP BY 1, 2, 3 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (month, province_code, category) DO UPDATE SET n = c.n + EXCLUDED.n;
    DELETE FROM source_count_changes WHERE txid = NEW.txid;
    DELETE FROM source_count_pending WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER source_count_pending_apply AFTER INSERT ON source_count_pending
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION source_counts_apply();

-- One function for every change of a source: the old row counts -1, the
-- new one +1 (OLD is NULL on INSERT, NEW on DELETE).
CREATE FUNCTION sources_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO source_count_changes (txid, month, province_code, status, decision, category, n)
    SELECT txid_current(), source_month(OLD.received_at), (SELECT p.province_code FROM police_units p WHERE p.id = OLD.receiving_unit_id),
        OLD.status, OLD.decision, OLD.category, -1
    WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT txid_current(), source_month(NEW.received_at), (SELECT p.province_code FROM police_units p WHERE p.id = NEW.receiving_unit_id),
        NEW.status, NEW.decision, NEW.category, 1
    WHERE TG_OP <> 'DELETE';
    INSERT INTO source_count_pending (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER sources_counts_insert_delete AFTER INSERT OR DELETE ON sources
FOR EACH ROW EXECUTE FUNCTION sources_counts();

-- unit_id is listed because sources_decision_unit may change the decision
-- of an update that sets only unit_id: a column a BEFORE trigger sets does
-- not fire an UPDATE OF trigger by itself.
CREATE TRIGGER sources_counts_update AFTER UPDATE OF received_at, receiving_unit_id, status, decision, category, unit_id ON sources
FOR EACH ROW WHEN (OLD.received_at <> NEW.received_at OR OLD.receiving_unit_id <> NEW.receiving_unit_id OR OLD.status <> NEW.status
    OR OLD.decision <> NEW.decision OR OLD.category <> NEW.category)
EXECUTE FUNCTION sources_counts();

-- sources.decision follows the resolution limits, as on SQLite: a met
-- resolution limit recorded can only make it later, and needs no other
-- limit; a limit changed or removed, and a source moved to another unit
-- (only that unit's limits count), set it again from all the limits. Row
-- triggers run at the end of their statement, so a statement closing or
-- deleting several limits of a source leaves it set from all of them.
CREATE FUNCTION sources_decision_unit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.decision := source_decision(NEW.id, NEW.unit_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER sources_decision_unit BEFORE UPDATE OF unit_id ON sources
FOR EACH ROW WHEN (OLD.unit_id <> NEW.unit_id) EXECUTE FUNCTION sources_decision_unit();

-- Written with a decision of its own, a source has no limit yet to have it.
CREATE FUNCTION sources_decision_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.decision := '';
    RETURN NEW;
END
$$;

CREATE TRIGGER sources_decision_insert BEFORE INSERT ON sources
FOR EACH ROW WHEN (NEW.decision <> '') EXECUTE FUNCTION sources_decision_insert();

CREATE FUNCTION source_deadlines_decision_met() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sources s SET decision = CASE WHEN NEW.met_at >= NEW.due_at OR s.decision = 'late' THEN 'late' ELSE 'on_time' END
    WHERE s.id = NEW.source_id AND s.unit_id = NEW.unit_id
        AND s.decision <> CASE WHEN NEW.met_at >= NEW.due_at OR s.decision = 'late' THEN 'late' ELSE 'on_time' END;
    RETURN NULL;
END
$$;

CREATE FUNCTION source_deadlines_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sources s SET decision = source_decision(s.id, s.unit_id)
    WHERE s.id IN (OLD.source_id, NEW.source_id) AND s.decision <> source_decision(s.id, s.unit_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER source_deadlines_decision_insert AFTER INSERT ON source_deadlines
FOR EACH ROW WHEN (NEW.met_at <> '' AND NEW.rule_code IN ('decision', 'decision_extended', 'procuracy_extension'))
EXECUTE FUNCTION source_deadlines_decision_met();

CREATE TRIGGER source_deadlines_decision_update AFTER UPDATE OF source_id, rule_code, unit_id, due_at, met_at ON source_deadlines
FOR EACH ROW WHEN ((OLD.met_at <> '' AND OLD.rule_code IN ('decision', 'decision_extended', 'procuracy_extension'))
    OR (NEW.met_at <> '' AND NEW.rule_code IN ('decision', 'decision_extended', 'procuracy_extension')))
EXECUTE FUNCTION source_deadlines_decision();

CREATE TRIGGER source_deadlines_decision_delete AFTER DELETE ON source_deadlines
FOR EACH ROW WHEN (OLD.met_at <> '' AND OLD.rule_code IN ('decision', 'decision_extended', 'procuracy_extension'))
EXECUTE FUNCTION source_deadlines_decision();

-- A police unit moved to another province takes its sources' counts along.
CREATE FUNCTION police_units_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO source_count_changes (txid, month, province_code, status, decision, category, n)
    SELECT txid_current(), source_month(s.received_at), p.province_code, s.status, s.decision, s.category, SUM(p.n)
    FROM sources s CROSS JOIN (VALUES (OLD.province_code, -1), (NEW.province_code, 1)) p (province_code, n)
    WHERE s.receiving_unit_id = NEW.id
    GROUP BY 2, 3, 4, 5, 6;
    INSERT INTO source_count_pending (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER police_units_counts_update AFTER UPDATE OF province_code ON police_units
FOR EACH ROW WHEN (OLD.province_code <> NEW.province_code) EXECUTE FUNCTION police_units_counts();
