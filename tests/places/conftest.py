import pytest

from places import TownGazetteer, default_town_gazetteer


@pytest.fixture(scope="session")
def towns() -> TownGazetteer:
    """The township gazetteer from the package's data files, over the cpca counties."""
    return default_town_gazetteer()
