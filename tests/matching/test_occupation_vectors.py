"""The occupation index's meaning channel: USE vectors of the names, cached on disk."""

import numpy as np
import pytest

from matching import occupation_vectors as ov
from matching.occupation_text import clean_name, clean_title
from matching.occupations import default_occupation_index


@pytest.fixture(scope="module")
def index():
    return default_occupation_index()


def names_of(found):
    return [o.name for o in found]


def test_meaning_replaces_siblings_that_only_share_characters(index):
    # "看孩子" shares characters with nothing in childcare; by characters alone the runners-up are
    # marketing and electronics, by meaning they are childcare.
    texts = ["帮人看孩子", "开大车跑长途"]
    plain = index.predict(texts)
    meant = index.predict(texts, vectors=ov.encode_use(texts))
    assert plain[0][0].name == meant[0][0].name == "家政服务员"
    assert "市场营销专业人员" in names_of(plain[0][:3])
    assert set(names_of(meant[0][1:3])) <= {"保育师", "婴幼儿发展引导员", "育婴员"}
    assert meant[1][0].name == "道路货运汽车驾驶员"
    assert "营销员" in names_of(plain[1][:3]) and "营销员" not in names_of(meant[1])
    assert meant[1][1].name == "客运车辆驾驶员"


def test_evidence_is_words_the_text_holds_or_the_name_itself(index):
    # An entry found by meaning shares no words with the text: its evidence is its own name,
    # never an alias the worker did not say (a reason quotes it as "和你说的…").
    texts = ["帮人看孩子", "想在家附近找点零工", "想找包吃住的工作", "会砌砖贴瓷砖", "抖音带货主播"]
    for text, found in zip(texts, index.predict(texts, vectors=ov.encode_use(texts)), strict=True):
        assert found
        for o in found:
            assert o.evidence == o.name or o.evidence in clean_name(clean_title(text)), (text, o)


def test_one_text_with_its_vector_is_scored_as_in_a_batch(index):
    texts = ["帮人看孩子", "在饭店洗碗", "会开叉车，有证"]
    vectors = ov.encode_use(texts)
    batch = index.predict(texts, vectors=vectors)
    assert [index.predict([t], vectors=vectors[i : i + 1])[0] for i, t in enumerate(texts)] == batch


def test_name_vectors_are_cached_and_reused(tmp_path, monkeypatch):
    first = ov.name_vectors(["焊工", "厨师"], tmp_path)
    files = list(tmp_path.glob("names-use-*.npz"))
    assert len(files) == 1
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    ov._loaded.clear()  # a new process: only the file remains

    def refuse(texts):
        raise AssertionError(f"embedded again: {texts}")

    monkeypatch.setattr(ov, "encode_use", refuse)
    again = ov.name_vectors(["厨师", "焊工"], tmp_path)
    assert np.array_equal(again, first[::-1])
    monkeypatch.undo()
    grown = ov.name_vectors(["焊工", "保洁员"], tmp_path)  # a new name is embedded and added
    ov._loaded.clear()
    with np.load(files[0]) as stored:
        assert sorted(stored["names"].tolist()) == sorted(["厨师", "保洁员", "焊工"])
    assert np.array_equal(grown[0], first[0])


def test_an_unreadable_cache_is_rebuilt(tmp_path):
    ov.name_vectors(["焊工"], tmp_path)
    (path,) = tmp_path.glob("names-use-*.npz")
    path.write_bytes(b"not a zip file")
    ov._loaded.clear()
    again = ov.name_vectors(["焊工", "厨师"], tmp_path)
    assert np.allclose(again, ov.encode_use(["焊工", "厨师"]), atol=1e-6)
    with np.load(path) as stored:
        assert sorted(stored["names"].tolist()) == sorted(["焊工", "厨师"])


def test_use_part_reads_only_a_leading_use_block():
    vectors = np.random.default_rng(1).standard_normal((2, 896)).astype(np.float32)
    part = ov.use_part(vectors, [("use", 512), ("minilm", 384)])
    assert part.shape == (2, 512)
    assert np.allclose(np.linalg.norm(part, axis=1), 1.0)
    assert np.allclose(part[0] * np.linalg.norm(vectors[0, :512]), vectors[0, :512], atol=1e-5)
    assert ov.use_part(vectors, None) is None
    assert ov.use_part(vectors, [("minilm", 384), ("use", 512)]) is None
