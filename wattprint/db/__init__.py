"""Schemas and loaders of the hardware and region databases; all database file I/O sits here."""
