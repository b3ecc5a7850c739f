-- A subscription's exclusions become phrases separated by commas ("apple watch, rumor"). They
-- were stored as words separated by spaces, each vetoing on its own, so "apple watch" ruled out
-- every article about Apple. Stored exclusions keep what they meant: each word its own item.
UPDATE subscriptions SET exclude = replace(exclude, ' ', ', ') WHERE exclude <> '';
