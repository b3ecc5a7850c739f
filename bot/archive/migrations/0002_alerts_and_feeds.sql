-- Topic subscriptions per channel, the delivery outbox, and RSS/Atom feeds.
CREATE TABLE subscriptions (
    id                  INTEGER PRIMARY KEY,
    guild_id            INTEGER NOT NULL,
    channel_id          INTEGER NOT NULL,
    topic               TEXT NOT NULL,
    exclude             TEXT NOT NULL DEFAULT '',   -- words that veto a match, space separated
    role_id             INTEGER,                    -- the one role an alert may ping, if asked
    created_by          INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    after_article_id    INTEGER NOT NULL,           -- older articles are backlog, never alerted
    paused_reason       TEXT,                       -- set when the channel is gone or forbidden
    UNIQUE (channel_id, topic)
);
CREATE INDEX subscriptions_guild ON subscriptions (guild_id);

-- One row per (channel, article): the guarantee that an alert goes out once. Rows are written
-- 'pending' in the same transaction that advances the scan watermark, grouped into a batch
-- (one Discord message, sent with the batch's nonce) and marked 'sent' after Discord accepts it.
CREATE TABLE deliveries (
    channel_id       INTEGER NOT NULL,
    article_id       INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    subscription_id  INTEGER NOT NULL,
    matched_words    TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'undeliverable')),
    batch            TEXT,                          -- the nonce of the message carrying it
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    message_id       INTEGER,
    PRIMARY KEY (channel_id, article_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_status ON deliveries (status, channel_id);

CREATE TABLE feeds (
    id                 INTEGER PRIMARY KEY,
    url                TEXT NOT NULL UNIQUE,
    title              TEXT,
    guild_id           INTEGER,                     -- where it was added from Discord, if so
    notify_channel_id  INTEGER,                     -- where admins hear about failures
    etag               TEXT,
    last_modified      TEXT,
    interval_seconds   INTEGER NOT NULL,
    next_poll_at       TEXT NOT NULL,
    last_polled_at     TEXT,
    last_error         TEXT,
    failures           INTEGER NOT NULL DEFAULT 0,
    disabled_reason    TEXT,
    added_at           TEXT NOT NULL
);
