-- The snippet index without term positions (detail=none): every search is an OR of single
-- words and reads only snippet ids, so positions were written at every ingest for nothing.
-- Without them indexing costs less and the index is about 60% smaller. A query may no longer
-- hold a phrase of several words (FTS5 refuses it), so every MATCH quotes single words.
--
-- Indexing costs less still (about 20% at 10,000 to 50,000 articles) with fewer, larger
-- segments: new entries are held in an 8 MB buffer (default 1 MB) before they are written
-- out as a segment, and segments are merged 8 at a time (default 4), so the index is rewritten
-- less as it grows, for a few more segments per lookup.
--
-- The index is rebuilt from the snippets: a one-off pass over an existing archive (tens of
-- seconds for 100,000 articles). The trigger on snippets names the index by name and keeps
-- working with the new one.
DROP TABLE snippets_vocab;
DROP TABLE snippets_fts;
CREATE VIRTUAL TABLE snippets_fts USING fts5 (
    text,
    content = 'snippets',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    detail = none
);
CREATE VIRTUAL TABLE snippets_vocab USING fts5vocab (snippets_fts, 'row');
INSERT INTO snippets_fts (snippets_fts, rank) VALUES ('hashsize', 8388608);
INSERT INTO snippets_fts (snippets_fts, rank) VALUES ('automerge', 8);
INSERT INTO snippets_fts (snippets_fts) VALUES ('rebuild');
