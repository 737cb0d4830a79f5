-- Deleting a source or an event checks these foreign keys; without indexes
-- each check scans a whole table and a retention purge stalls the writer.
CREATE INDEX sources_merged_into ON sources (merged_into);
CREATE INDEX attachments_event ON attachments (event_id);
CREATE INDEX attachments_message ON attachments (message_id);
