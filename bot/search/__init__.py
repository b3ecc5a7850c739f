"""Answering questions from the archive: question analysis, candidates, ranking, the answer."""

from bot.search.answer import Answer, Citation, Filters
from bot.search.engine import Engine

__all__ = ["Answer", "Citation", "Engine", "Filters"]
