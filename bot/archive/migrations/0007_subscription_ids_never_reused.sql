-- Subscription ids are never given out again (AUTOINCREMENT). A delivery names its subscription
-- by id, so a new subscription that took a removed one's id (SQLite reuses the highest id once
-- its row is deleted) inherited that one's unsent alerts, posted under the new topic and
-- pinging the new role, and the matches a scan had just made for it, in another channel. The
-- table is rebuilt as it was but for that, and the sequence starts above every id ever used.
CREATE TABLE subscriptions_new (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id            INTEGER NOT NULL,
    channel_id          INTEGER NOT NULL,
    topic               TEXT NOT NULL,
    exclude             TEXT NOT NULL DEFAULT '',   -- phrases that veto a match, ", " separated
    role_id             INTEGER,                    -- the one role an alert may ping, if asked
    created_by          INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    after_article_id    INTEGER NOT NULL,           -- older articles are backlog, never alerted
    paused_reason       TEXT,                       -- set when the channel is gone or forbidden
    UNIQUE (channel_id, topic)
);
INSERT INTO subscriptions_new (id, guild_id, channel_id, topic, exclude, role_id, created_by,
                               created_at, after_article_id, paused_reason)
    SELECT id, guild_id, channel_id, topic, exclude, role_id, created_by, created_at,
           after_article_id, paused_reason
    FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_new RENAME TO subscriptions;
CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
DELETE FROM sqlite_sequence WHERE name = 'subscriptions';
INSERT INTO sqlite_sequence (name, seq) VALUES ('subscriptions', max(
    coalesce((SELECT max(id) FROM subscriptions), 0),
    coalesce((SELECT max(subscription_id) FROM deliveries), 0)
));

-- The other articles of a story (story_id names its first article), for the check that a
-- channel hears of a story once.
CREATE INDEX articles_story ON articles (story_id) WHERE story_id IS NOT NULL;
