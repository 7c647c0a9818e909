"""Pure gazetteer shared by ``jobs_ingest`` and ``matching``: places, coordinates, name resolution."""

from places.gazetteer import (
    AmbiguousPlace,
    Gazetteer,
    Place,
    PlaceNotFound,
    default_gazetteer,
)

__all__ = ["AmbiguousPlace", "Gazetteer", "Place", "PlaceNotFound", "default_gazetteer"]
