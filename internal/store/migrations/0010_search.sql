-- Officer search over sources (issue #6). A search term matches wherever it
-- appears in search_text (the folded description, address, tracking code
-- and reporter organisation), as the LIKE '%term%' the inbox has always
-- used: inside a word too, e.g. a piece of a tracking code. Both engines
-- therefore index the trigrams of search_text, which answer exactly that
-- question; an index of whole words would lose the matches inside words.
-- The inbox still checks LIKE on every row the index gives, so the index
-- decides how fast the answer comes, never what it is. Terms of two
-- characters have no trigram and are looked for by LIKE alone.

-- engine: sqlite
-- An FTS5 index of the trigrams of search_text. The text is already folded
-- (lower case, no diacritics), so the tokenizer neither folds case nor
-- strips anything again. detail=none keeps no positions, which makes the
-- index less than half the size: a query names some of a term's trigrams,
-- and LIKE then wants the term.
--
-- The rowid is not the source's id but a key that sorts nearly as the inbox
-- does: the day the source was received (UTC, counted from 2020-01-01)
-- times 2^32, plus the id. The inbox walks the matches newest day first and
-- stops once its page is full, instead of collecting every match to sort
-- it: "lừa đảo" is in a third of all reports, and a page needs fifty. Keys
-- of one day differ by little, so they stay small in the index.
-- (crimesource.searchDay computes the same day.)
--
-- Contentless, with contentless_delete so that a row is removed by its key
-- alone: the triggers below compute the key from the row, so the index
-- follows every insert, edit of the text or the date, and delete (a
-- retention purge), in the same transaction, whichever code path writes.
CREATE VIRTUAL TABLE sources_search USING fts5 (
    search_text,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram case_sensitive 1',
    detail = 'none'
);
INSERT INTO sources_search (rowid, search_text)
    SELECT (unixepoch(received_at) - 1577836800) / 86400 * 4294967296 + id, search_text FROM sources;

-- A key is only sound for a time SQLite can read and an id under 2^32:
-- anything else fails the write rather than corrupt the index.
CREATE TRIGGER sources_search_insert AFTER INSERT ON sources BEGIN
    SELECT RAISE(ABORT, 'sources: received_at must be a time and id under 2^32 for the search index')
        WHERE unixepoch(new.received_at) IS NULL OR new.id >= 4294967296;
    INSERT INTO sources_search (rowid, search_text)
        VALUES ((unixepoch(new.received_at) - 1577836800) / 86400 * 4294967296 + new.id, new.search_text);
END;
CREATE TRIGGER sources_search_update AFTER UPDATE OF id, received_at, search_text ON sources BEGIN
    SELECT RAISE(ABORT, 'sources: received_at must be a time and id under 2^32 for the search index')
        WHERE unixepoch(new.received_at) IS NULL OR new.id >= 4294967296;
    DELETE FROM sources_search WHERE rowid = (unixepoch(old.received_at) - 1577836800) / 86400 * 4294967296 + old.id;
    INSERT INTO sources_search (rowid, search_text)
        VALUES ((unixepoch(new.received_at) - 1577836800) / 86400 * 4294967296 + new.id, new.search_text);
END;
CREATE TRIGGER sources_search_delete AFTER DELETE ON sources BEGIN
    DELETE FROM sources_search WHERE rowid = (unixepoch(old.received_at) - 1577836800) / 86400 * 4294967296 + old.id;
END;

-- engine: postgres
-- A GIN index of trigrams (pg_trgm) serves search_text LIKE '%term%' as
-- written, so the query is the one it always was and PostgreSQL keeps the
-- index itself. (A tsvector would find words, not pieces of words.)
-- pg_trgm ships with PostgreSQL (postgresql-contrib) and is a trusted
-- extension: the owner of the database may create it. Where the role may
-- not, an administrator runs CREATE EXTENSION pg_trgm once and this
-- statement does nothing. Building the index over existing rows locks
-- sources against writes meanwhile.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX sources_search_trgm ON sources USING gin (search_text gin_trgm_ops);
