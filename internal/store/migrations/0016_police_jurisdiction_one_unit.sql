-- A commune lies in one police unit's jurisdiction at a time: the unit that
-- receives its reports. Two edits moving the same commune at once must not
-- both succeed. Where an older database holds a commune twice, the unit
-- with the lowest id keeps it, the one that routing already picked.
DELETE FROM police_jurisdiction WHERE EXISTS (
    SELECT 1 FROM police_jurisdiction k
    WHERE k.commune_code = police_jurisdiction.commune_code AND k.police_unit_id < police_jurisdiction.police_unit_id);
DROP INDEX police_jurisdiction_commune;
CREATE UNIQUE INDEX police_jurisdiction_commune ON police_jurisdiction (commune_code);
