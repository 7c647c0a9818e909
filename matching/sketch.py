"""A compact first-stage copy of the posting vectors, for shortlisting large candidate sets.

Each vector block (USE, MiniLM) is projected on its top principal directions (an uncentred SVD
of a sample of the postings, so dot products are preserved as well as a few dimensions allow):
a 512-dimension block keeps 64 float32 numbers. Scanning 300,000 candidates then reads 77 MB
instead of 614 MB, and one BLAS pass computes every block at once. The cosines it gives are
approximate; ``Matcher.rank`` only uses them to pick a shortlist whose exact signals are then
computed from the full vectors.

Why not float16 or int8 copies of the full vectors: numpy has no half-precision or integer BLAS,
so they must be converted to float32 before each product, and the conversion (about one
element per nanosecond on one core) costs more than reading float32 in the first place.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DIMS_SHARE = 8  # a block of w dimensions keeps w / DIMS_SHARE of them
MIN_DIMS = 16
SAMPLE_ROWS = 20_000  # rows the projection is fitted on (evenly spaced, deterministic)
FULL_PASS_SHARE = 4  # above 1 candidate in this many rows, one pass over all rows beats gathering


class Sketch:
    """Per-block projections of the vectors onto their top principal directions."""

    def __init__(self, edges: Sequence[int]):
        self.edges = list(edges)

    def fit(self, vectors: np.ndarray) -> Sketch:
        """Learn each block's directions from (a sample of) ``vectors`` and project them all."""
        step = max(1, len(vectors) // SAMPLE_ROWS)
        sample = np.asarray(vectors[::step], dtype=np.float32)
        self.bases_: list[np.ndarray] = []
        for lo, hi in zip(self.edges[:-1], self.edges[1:], strict=True):
            dims = min(hi - lo, max(MIN_DIMS, (hi - lo) // DIMS_SHARE))
            _, _, vt = np.linalg.svd(sample[:, lo:hi], full_matrices=False)
            basis = np.zeros((hi - lo, dims), dtype=np.float32)
            basis[:, : min(dims, len(vt))] = vt[:dims].T
            self.bases_.append(basis)
        self.codes_ = self.project(vectors)
        return self

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Rows × (sum of kept dimensions), float32, blocks side by side."""
        vectors = np.asarray(vectors, dtype=np.float32)
        parts = [vectors[:, lo:hi] @ basis
                 for (lo, hi), basis in zip(zip(self.edges[:-1], self.edges[1:], strict=True),
                                            self.bases_, strict=True)]
        return np.ascontiguousarray(np.hstack(parts), dtype=np.float32)

    def add(self, vectors: np.ndarray) -> Sketch:
        """Append the projections of more rows (the directions stay as fitted)."""
        self.codes_ = np.vstack([self.codes_, self.project(vectors)])
        return self

    def query_matrix(self, query: np.ndarray) -> np.ndarray:
        """(kept dimensions) × blocks: each block's unit query, projected, in its own rows."""
        out = np.zeros((self.codes_.shape[1], len(self.bases_)), dtype=np.float32)
        at = 0
        for b, ((lo, hi), basis) in enumerate(zip(zip(self.edges[:-1], self.edges[1:], strict=True),
                                                  self.bases_, strict=True)):
            part = np.asarray(query[lo:hi], dtype=np.float32)
            norm = float(np.linalg.norm(part)) or 1.0
            out[at : at + basis.shape[1], b] = (part / norm) @ basis
            at += basis.shape[1]
        return out

    def cosines(self, query: np.ndarray, norms: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Approximate cosine per block for the given rows (rows × blocks), like ``block_cosines``."""
        matrix = self.query_matrix(query)
        if len(rows) * FULL_PASS_SHARE > len(self.codes_):
            dots = (self.codes_ @ matrix)[rows]
        else:
            dots = self.codes_[rows] @ matrix
        safe = norms[rows]
        return dots / np.where(safe == 0, np.float32(1), safe)

    @property
    def nbytes(self) -> int:
        """Bytes held: the projected rows and the bases."""
        return int(self.codes_.nbytes + sum(b.nbytes for b in self.bases_))
