-- Papers filed through a detention facility: the day the head of the
-- facility received the paper (YYYY-MM-DD), from which its time limits run
-- (Art. 134(2) BLTTHS), as postmarked_on does for mail. '' when the paper
-- did not come that way.
ALTER TABLE sources ADD COLUMN facility_received_on TEXT NOT NULL DEFAULT '';
