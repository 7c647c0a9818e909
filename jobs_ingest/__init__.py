"""Pure ingestion library: sources yield raw items, ordered steps turn them into PostingRecords.

No Flask, no SQLAlchemy: the web package stores what this package returns.
"""
