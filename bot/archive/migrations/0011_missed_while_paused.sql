-- The last article a paused subscription's channel was sure to hear of: the alert scan's
-- watermark when the channel was paused, or the article before its oldest alert not yet posted
-- (Discord refused that one). The articles after it were stored while the channel was paused,
-- and the /subscribe that resumes it queues the newest of those that match. NULL while active,
-- and for subscriptions paused before this column existed: when they were paused is unknown,
-- so their resume queues nothing missed, as before.
ALTER TABLE subscriptions ADD COLUMN paused_after_article_id INTEGER;
