"""Vectors of fixed reference texts (HS nomenclature, shipped examples), embedded once per model."""

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from service.matching.embedder import Embedder, FloatArray


class VectorCache:
    """Embeds texts once per model: rows kept as float16 .npy files named by the model's
    identity and a digest of the texts, so a changed model or text list is re-embedded.

    `shipped` is a read-only folder of such files made for the default models
    (models/hs-vectors), so a fresh install answers at once; `folder` is where other models'
    vectors are written. float16 keeps cosines within ~1e-3 at half the size.
    """

    def __init__(
        self, embedder: Embedder, folder: Path | None, shipped: Path | None = None
    ) -> None:
        self.embedder = embedder
        self.folder = folder
        self.shipped = shipped

    def encode(self, texts: Sequence[str]) -> FloatArray:
        digest = hashlib.sha256("\n".join([self.embedder.identity, *texts]).encode()).hexdigest()
        name = f"vectors-{digest[:20]}.npy"
        for folder in (self.shipped, self.folder):
            if folder is not None and (folder / name).exists():
                stored: FloatArray = np.load(folder / name).astype(np.float32)
                return stored
        vectors = self.embedder.encode(texts)
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            np.save(self.folder / name, vectors.astype(np.float16))
        return vectors
