"""Topic alerts: which new articles match which subscriptions, and the delivery outbox."""
