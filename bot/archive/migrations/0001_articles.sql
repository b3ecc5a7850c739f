-- Articles and their citable snippets, with a full-text index over the snippets.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    url           TEXT,                      -- the link as the source gave it
    url_key       TEXT UNIQUE,               -- canonical URL, the article's identity; NULL if none
    title         TEXT NOT NULL,
    title_key     TEXT NOT NULL,             -- normalised title, to spot the same story twice
    source        TEXT,
    published_at  TEXT,                      -- ISO 8601 UTC, NULL when unknown
    ingested_at   TEXT NOT NULL,
    sort_at       TEXT NOT NULL,             -- published_at, else ingested_at: "when it counts"
    story_day     TEXT NOT NULL,             -- date part of sort_at
    story_id      INTEGER,                   -- first article of the same story (another outlet)
    summary       TEXT NOT NULL DEFAULT '',
    source_links  TEXT NOT NULL DEFAULT '[]',
    content_hash  TEXT NOT NULL
);
CREATE INDEX articles_sort_at ON articles (sort_at DESC);
CREATE INDEX articles_story_day ON articles (story_day);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_source ON articles (source COLLATE NOCASE);

CREATE TABLE article_topics (
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    PRIMARY KEY (article_id, topic)
) WITHOUT ROWID;
CREATE INDEX article_topics_topic ON article_topics (topic);

CREATE TABLE snippets (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('title', 'key_point', 'summary', 'body')),
    text        TEXT NOT NULL,
    UNIQUE (article_id, position)
);

CREATE VIRTUAL TABLE snippets_fts USING fts5 (
    text,
    content = 'snippets',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE snippets_vocab USING fts5vocab (snippets_fts, 'row');

-- New snippets are indexed in bulk by the write path (INSERT ... SELECT is several times faster
-- than a trigger per row); deletions keep the index in step through this trigger.
CREATE TRIGGER snippets_ad AFTER DELETE ON snippets BEGIN
    INSERT INTO snippets_fts (snippets_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- Small key/value facts about this archive (e.g. the hash of the last slash-command sync).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
