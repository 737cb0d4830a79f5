-- Dashboards (package dashboard) count the sources received by the police
-- units of a territory in a year, grouped by month, category and status.
-- The existing sources_unit_received index is on the unit holding a source
-- now, which changes on transfer; these two are on the receiving unit, which
-- never changes. Both end in the grouped columns and the id, so the counts
-- and the join to source_deadlines are read from the index alone.

-- A province or a commune: receiving_unit_id IN (...) AND received_at in the year.
CREATE INDEX sources_receiving_received ON sources (receiving_unit_id, received_at, category, status, id);

-- The nation: received_at in the year, whoever received it.
CREATE INDEX sources_received ON sources (received_at, receiving_unit_id, category, status, id);

-- A province's police units (its own and its communes').
CREATE INDEX police_units_province ON police_units (province_code, level);

-- Overdue and at-risk counts look for the open limits that fall due soon:
-- few among all the limits ever recorded.
CREATE INDEX source_deadlines_open_due ON source_deadlines (due_at, source_id) WHERE met_at = '' AND cancelled_at = '';
