"""Helpers for the matcher's unit tests: small deterministic embedders and postings."""

import hashlib

import numpy as np

from matching.types import PostingDoc

RONGJIANG = (25.931893, 108.52188)
CONGJIANG = (25.7472, 108.9057)  # about 43 km away
GUANGZHOU = (23.1317, 113.2663)


class CharEmbedder:
    """Bag of hashed characters: similar wording, similar vector. Deterministic and fast."""

    model_id = "test-chars"

    def encode(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for ch in text:
                out[i, int(hashlib.md5(ch.encode()).hexdigest(), 16) % 64] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


class TwoBlockEmbedder(CharEmbedder):
    """Two blocks like the default model: hashed characters, then hashed English words only."""

    model_id = "test-two-blocks"
    blocks = [("chars", 64), ("words", 32)]

    def encode(self, texts):
        words = np.zeros((len(texts), 32), dtype=np.float32)
        for i, text in enumerate(texts):
            for w in text.lower().split():
                if w.isascii() and w.isalpha():
                    words[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % 32] += 1
        norms = np.linalg.norm(words, axis=1, keepdims=True)
        return np.hstack([super().encode(texts), words / np.where(norms == 0, 1, norms)])


def doc(i, title, where, **kw):
    """A posting at a point."""
    return PostingDoc(id=i, title=title, lat=where[0], lon=where[1], **kw)


def welding_postings():
    """Six postings: welding near and far, cleaning near, one without a place."""
    return [
        doc(1, "电焊工", RONGJIANG, description="钢结构焊接，有工地经验优先", wage_min=4500, wage_max=6000),
        doc(2, "保洁员", RONGJIANG, description="酒店客房保洁", wage_min=2200, wage_max=2600),
        doc(3, "电焊工", CONGJIANG, description="焊接", wage_min=5000, wage_max=7000),
        doc(4, "电焊工", GUANGZHOU, description="船厂焊接", wage_min=8000, wage_max=10000,
            housing=True, meals=True),
        doc(5, "电焊工", GUANGZHOU, description="无宿舍", wage_min=9000, wage_max=11000),
        PostingDoc(id=6, title="电焊工", description="地点不明"),
    ]
