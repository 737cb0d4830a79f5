-- Two indexes on sources that every report paid for and no query needed
-- (issue #6: each index of sources is a B-tree insert and, for a key in
-- random order, a page written at every commit).
--
-- sources_commune: no query looks sources up by commune; the inbox and the
-- dashboards go by police unit.
--
-- sources_status: nine values over millions of rows. The only query that
-- used it was the national inbox filtered by a status, and there it was the
-- slower plan: it fetched every source with that status to sort them all
-- by date, where the walk of sources_received from the newest stops once a
-- page is full (0.1 to 1.1 s against a few milliseconds with 300,000
-- sources, and growing with the table). Retention, counts and dashboards do
-- not use it.
DROP INDEX sources_commune;
DROP INDEX sources_status;
