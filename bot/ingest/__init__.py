"""Turning files and feed entries into stored articles: parsers, key points, dedup, the pipeline."""
