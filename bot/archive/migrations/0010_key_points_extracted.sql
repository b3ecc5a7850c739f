-- Whether an article's key points were drawn from its own text (1) or given by its record (0).
-- An update from a record without a body keeps the stored body, and that body must include the
-- sentences drawn as key points (stored only as key points), but never the key points a record
-- gave: kept as body text, a key point deleted from a file went on being quoted. Articles stored
-- before this column existed count as drawn from their text, as every article was treated until
-- now: an upgrade changes no stored article and can lose none of its text, where the other
-- default would drop the body sentences of a feed article drawn as key points as soon as a file
-- gave it key points without a body.
ALTER TABLE articles ADD COLUMN key_points_extracted INTEGER NOT NULL DEFAULT 1;
