-- The message a batch of alerts goes out as, fixed before its first send. A send whose answer
-- was lost is retried with the same nonce, and Discord returns the message it made then; a
-- message rendered again could show other articles (a title corrected meanwhile, a topic
-- removed), and the articles marked sent would not be those posted.
CREATE TABLE alert_messages (
    channel_id  INTEGER NOT NULL,
    batch       TEXT NOT NULL,                  -- the nonce of the batch (deliveries.batch)
    message     TEXT NOT NULL,                  -- JSON: content, embed, roles it may mention
    PRIMARY KEY (channel_id, batch)
) WITHOUT ROWID;
