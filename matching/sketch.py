"""A compact first-stage copy of the posting vectors, for shortlisting large candidate sets.

Each vector block (USE, MiniLM) is projected on its top principal directions (an uncentred SVD
of a sample of the postings, so dot products are preserved as well as a few dimensions allow):
a 512-dimension block keeps 64 float32 numbers. Scanning 300,000 candidates then reads 77 MB
instead of 614 MB, one BLAS matrix-vector product per block (``dots``; a product with a
two-column matrix for all blocks at once was slower). The cosines it gives are approximate;
``Matcher.rank`` only uses them to pick a shortlist whose exact signals are then computed from
the full vectors. ``dots`` takes any rows' codes, so the matcher can keep the codes of the rows
with housing in a contiguous copy of their own (``matching.first_stage.HousedView``).

Why not float16 or int8 copies of the full vectors: numpy has no half-precision or integer BLAS,
so they must be converted to float32 before each product, and the conversion (about one
element per nanosecond on one core) costs more than reading float32 in the first place. The
same holds for int8 codes: converting 300,000 × 64 of them took 18 ms, the float32 product 8.5.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.growable import Rows

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
        self._codes = Rows(np.float32, columns=True)
        self._codes.extend(self.project(vectors))
        return self

    @property
    def codes_(self) -> np.ndarray:
        """The projected rows (rows × the sum of kept dimensions), a view of a growable buffer."""
        return self._codes.view

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """Rows × (sum of kept dimensions), float32, blocks side by side."""
        vectors = np.asarray(vectors, dtype=np.float32)
        parts = [vectors[:, lo:hi] @ basis
                 for (lo, hi), basis in zip(zip(self.edges[:-1], self.edges[1:], strict=True),
                                            self.bases_, strict=True)]
        return np.ascontiguousarray(np.hstack(parts), dtype=np.float32)

    def add(self, vectors: np.ndarray) -> Sketch:
        """Append the projections of more rows (the directions stay as fitted; amortised: the rows given)."""
        self._codes.extend(self.project(vectors))
        return self

    @property
    def columns(self) -> list[tuple[int, int]]:
        """Per block: its columns (start, stop) in the codes."""
        stops = np.cumsum([b.shape[1] for b in self.bases_]).tolist()
        return list(zip([0, *stops[:-1]], stops, strict=True))

    def query_parts(self, query: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
        """Per block: its columns in the codes (start, stop) and its unit query, projected."""
        parts = []
        blocks = zip(self.edges[:-1], self.edges[1:], strict=True)
        for (lo, hi), basis, (at, stop) in zip(blocks, self.bases_, self.columns, strict=True):
            part = np.asarray(query[lo:hi], dtype=np.float32)
            norm = float(np.linalg.norm(part)) or 1.0
            parts.append((at, stop, (part / norm) @ basis))
        return parts

    def dots(self, parts: list[tuple[int, int, np.ndarray]], codes: np.ndarray) -> np.ndarray:
        """Rows × blocks dot products of ``codes`` (any rows' codes) with ``query_parts``.

        One matrix-vector product per block over that block's columns: BLAS reads the strided
        columns in place, and a matrix-matrix product with a 2-column right side is slower.
        """
        out = np.empty((len(codes), len(parts)), dtype=np.float32)
        for b, (lo, hi, q) in enumerate(parts):
            whole = lo == 0 and hi == codes.shape[1]
            out[:, b] = (codes if whole else codes[:, lo:hi]) @ q
        return out

    def cosines(self, query: np.ndarray, norms: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Approximate cosine per block for the given rows (rows × blocks), like ``block_cosines``."""
        parts = self.query_parts(query)
        if len(rows) * FULL_PASS_SHARE > len(self.codes_):
            dots = self.dots(parts, self.codes_)[rows]
        else:
            dots = self.dots(parts, np.take(self.codes_, rows, axis=0))
        safe = norms[rows]
        return dots / np.where(safe == 0, np.float32(1), safe)

    @property
    def nbytes(self) -> int:
        """Bytes held: the projected rows and the bases."""
        return int(self.codes_.nbytes + sum(b.nbytes for b in self.bases_))
