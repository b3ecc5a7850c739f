-- When a feed's current run of failed polls began (NULL while it works). A feed is disabled only
-- once it has failed both often and for long: counted alone, the failures of a short outage of
-- the bot's own network (five within 15 minutes of backoff) disabled every feed for good. A feed
-- already failing at the upgrade starts its run at its next failure: when it began is unknown.
ALTER TABLE feeds ADD COLUMN failing_since TEXT;
