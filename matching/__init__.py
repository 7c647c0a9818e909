"""Pure matching library: texts, embeddings, lexical and geographic signals, ranking, reasons.

No Flask, no SQLAlchemy: callers pass plain PostingDoc/Query objects and get Matches back.
"""
