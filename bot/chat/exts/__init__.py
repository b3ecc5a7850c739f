"""One extension (cog) per feature, each loaded by ``NewsBot.setup_hook``."""
