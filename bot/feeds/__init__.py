"""Fetching and parsing RSS/Atom feeds into articles."""
