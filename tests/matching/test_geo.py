"""The grid radius index finds exactly the points a brute-force haversine scan finds."""

import numpy as np
import pytest

from matching import geo


def points():
    rng = np.random.default_rng(0)
    lats = np.concatenate([rng.uniform(-90, 90, 3000), rng.uniform(85, 90, 300), rng.uniform(-5, 5, 400)])
    lons = np.concatenate([rng.uniform(-180, 180, 3300), rng.uniform(179, 180, 200),
                           rng.uniform(-180, -179, 200)])  # both sides of the date line
    lats[[5, 9]] = np.nan
    lons[7] = np.nan
    return lats, lons


@pytest.mark.parametrize(("lat", "lon", "km"), [
    (0.0, 179.9, 80.0), (0.0, -179.95, 300.0), (89.9, 10.0, 30.0), (-89.5, 0.0, 100.0), (30.0, 100.0, 30.0),
    (45.0, 0.0, 5000.0), (10.0, 20.0, 20000.0), (0.0, 0.0, 0.0), (26.0, 108.5, 300.0)])
def test_within_equals_a_brute_force_scan(lat, lon, km):
    lats, lons = points()
    index = geo.GeoIndex(lats, lons)
    expected = np.flatnonzero(geo.haversine_km(lat, lon, lats, lons) <= km)
    assert index.within(lat, lon, km).tolist() == expected.tolist()


def test_chord_distances_are_close_to_great_circle_ones_and_nan_without_coordinates():
    lats, lons = points()
    index = geo.GeoIndex(lats, lons)
    rows = np.arange(0, 40)
    chord = index.chord_km(26.0, 108.5, rows)
    great = index.distances(26.0, 108.5, rows)
    assert np.array_equal(np.isnan(chord), np.isnan(great))
    ok = ~np.isnan(great) & (great < 1000)
    assert chord[ok] == pytest.approx(great[ok], rel=1e-3)
    assert index.chord_km(26.0, 108.5, xyz=index.unit_rows(rows)) == pytest.approx(chord, nan_ok=True)


def test_spatial_order_groups_points_by_cell_and_puts_unknown_places_last():
    lats = np.array([30.05, np.nan, 25.01, 30.01, 25.02])
    lons = np.array([110.0, 1.0, 108.0, 110.02, 108.03])
    order = geo.spatial_order(lats, lons)
    assert order.tolist() == [2, 4, 0, 3, 1]  # 25° cell first (ties as given), 30° next, NaN last
