"""Fixtures for the matcher's unit tests."""

import pytest

from matching.ranker import Matcher
from tests.matching.helpers import CharEmbedder, welding_postings


@pytest.fixture
def matcher():
    """A matcher over the six postings with the character embedder."""
    return Matcher(CharEmbedder()).fit(welding_postings())
