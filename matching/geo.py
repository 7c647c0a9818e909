"""Great-circle distances and a radius index over posting coordinates."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import BallTree

EARTH_RADIUS_KM = 6371.0088
REBUILD_SHARE = 0.1  # rebuild the tree once the unindexed points exceed this share of it
REBUILD_MIN = 2048


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Distances in km from one point to many."""
    p1, l1 = np.radians(lat1), np.radians(lon1)
    p2, l2 = np.radians(lat2), np.radians(lon2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (rows × 3, float64; NaN rows for unknown coordinates)."""
    p, lam = np.radians(np.asarray(lats, dtype=float)), np.radians(np.asarray(lons, dtype=float))
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


class GeoIndex:
    """A haversine BallTree over the rows that have coordinates.

    Rows added later are first kept in a short list that is searched by brute force, and folded
    into a new tree once that list grows past ``REBUILD_SHARE`` of the tree.
    """

    def __init__(self, lats: np.ndarray, lons: np.ndarray):
        self.lats = np.asarray(lats, dtype=float)
        self.lons = np.asarray(lons, dtype=float)
        self.xyz = unit_vectors(self.lats, self.lons)
        self._build()

    def _build(self) -> None:
        self.rows_ = np.flatnonzero(~(np.isnan(self.lats) | np.isnan(self.lons)))
        points = np.radians(np.column_stack([self.lats[self.rows_], self.lons[self.rows_]]))
        self.tree_ = BallTree(points, metric="haversine") if len(points) else None
        self.tree_rows_ = self.rows_
        self.pending_ = np.empty(0, dtype=int)

    def add(self, lats: np.ndarray, lons: np.ndarray) -> GeoIndex:
        """Append rows; they are searchable at once."""
        start = len(self.lats)
        self.lats = np.concatenate([self.lats, np.asarray(lats, dtype=float)])
        self.lons = np.concatenate([self.lons, np.asarray(lons, dtype=float)])
        self.xyz = np.vstack([self.xyz, unit_vectors(self.lats[start:], self.lons[start:])])
        new = start + np.flatnonzero(~(np.isnan(self.lats[start:]) | np.isnan(self.lons[start:])))
        self.pending_ = np.concatenate([self.pending_, new])
        self.rows_ = np.concatenate([self.rows_, new])
        if len(self.pending_) > max(REBUILD_MIN, REBUILD_SHARE * len(self.tree_rows_)):
            self._build()
        return self

    def within(self, lat: float, lon: float, km: float) -> np.ndarray:
        """Row numbers of the points within ``km`` of (lat, lon)."""
        hits = np.empty(0, dtype=int)
        if self.tree_ is not None:
            found = self.tree_.query_radius(np.radians([[lat, lon]]), r=km / EARTH_RADIUS_KM)[0]
            hits = self.tree_rows_[found]
        if len(self.pending_):
            near = haversine_km(lat, lon, self.lats[self.pending_], self.lons[self.pending_]) <= km
            hits = np.concatenate([hits, self.pending_[near]])
        return np.sort(hits)

    def distances(self, lat: float, lon: float, rows: np.ndarray) -> np.ndarray:
        """Distances in km to the given rows (NaN where a row has no coordinates)."""
        return haversine_km(lat, lon, self.lats[rows], self.lons[rows])

    def chord_km(self, lat: float, lon: float, rows: np.ndarray) -> np.ndarray:
        """Straight-line (chord) distances in km, a cheaper stand-in for ``distances``: under 1,000 km
        they are at most 0.1% shorter than the great-circle ones (NaN where a row has no coordinates)."""
        dots = self.xyz[rows] @ unit_vectors(np.array([lat]), np.array([lon]))[0]
        return EARTH_RADIUS_KM * np.sqrt(np.maximum(2.0 - 2.0 * dots, 0.0))
