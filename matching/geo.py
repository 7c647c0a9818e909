"""Great-circle distances and a radius index over posting coordinates."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import BallTree

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Distances in km from one point to many."""
    p1, l1 = np.radians(lat1), np.radians(lon1)
    p2, l2 = np.radians(lat2), np.radians(lon2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class GeoIndex:
    """A haversine BallTree over the rows that have coordinates."""

    def __init__(self, lats: np.ndarray, lons: np.ndarray):
        self.lats = np.asarray(lats, dtype=float)
        self.lons = np.asarray(lons, dtype=float)
        self.rows_ = np.flatnonzero(~(np.isnan(self.lats) | np.isnan(self.lons)))
        points = np.radians(np.column_stack([self.lats[self.rows_], self.lons[self.rows_]]))
        self.tree_ = BallTree(points, metric="haversine") if len(points) else None

    def within(self, lat: float, lon: float, km: float) -> np.ndarray:
        """Row numbers of the points within ``km`` of (lat, lon)."""
        if self.tree_ is None:
            return np.empty(0, dtype=int)
        hits = self.tree_.query_radius(np.radians([[lat, lon]]), r=km / EARTH_RADIUS_KM)[0]
        return np.sort(self.rows_[hits])

    def distances(self, lat: float, lon: float, rows: np.ndarray) -> np.ndarray:
        """Distances in km to the given rows (NaN where a row has no coordinates)."""
        return haversine_km(lat, lon, self.lats[rows], self.lons[rows])
