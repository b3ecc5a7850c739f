"""Discord-facing layer of newsbot: bot client, commands and Discord plumbing."""
