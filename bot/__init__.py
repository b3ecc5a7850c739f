"""newsbot: a self-hosted Discord bot that answers questions about a local tech-news archive."""

__version__ = "0.1.0"
