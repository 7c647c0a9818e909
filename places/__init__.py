"""Pure gazetteer shared by ``jobs_ingest`` and ``matching``: places, coordinates, name resolution."""

from places.gazetteer import (
    AmbiguousPlace,
    Gazetteer,
    Place,
    PlaceNotFound,
    default_gazetteer,
)
from places.towns import Resolution, TownGazetteer, default_town_gazetteer

__all__ = [
    "AmbiguousPlace",
    "Gazetteer",
    "Place",
    "PlaceNotFound",
    "Resolution",
    "TownGazetteer",
    "default_gazetteer",
    "default_town_gazetteer",
]
