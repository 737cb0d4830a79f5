-- The day from which a commune counts as remote (vùng sâu, vùng xa, biên
-- giới, hải đảo): the effective date of the decision that lists it, so that
-- a list can be loaded before it takes effect. A source takes the 48-hour
-- transfer limit when it is received on or after that day. Rows made before
-- this column existed keep '' and count as remote on every date. The note
-- column holds the legal basis (the decision's number and date).
ALTER TABLE remote_communes ADD COLUMN valid_from TEXT NOT NULL DEFAULT '';
