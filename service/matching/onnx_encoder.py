"""A sentence-transformers BERT folder (all-MiniLM-L6-v2) run as int8 ONNX on the CPU.

The installed weights are exported to ONNX once, quantised to int8 (onnxruntime dynamic
quantisation, per-channel weights) and cached under a key made of the weights' digest and the
recipe, so changed weights or a changed recipe export again. At run time the pipeline is the
sentence-transformers one: the folder's fast tokenizer truncating at its `max_seq_length`, the
transformer, mean pooling over the tokens, L2 normalisation.

Each text runs alone. Dynamic quantisation scales activations by the range of the whole input
tensor, so in a padded batch a text's vector would depend on its neighbours (measured on demo
texts: cosine 0.992 mean, 0.969 worst between a text alone and in a batch of 64). Alone, a text
always gets the same vector, a query matches its stored twin exactly, and the vectors sit closer
to fp32. Bulk encodes spread texts over `threads` threads, each running a one-thread session.
"""

import fcntl
import json
import os
import tempfile
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from hashlib import sha256
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from service.matching.embedder import ONNX_INT8, FloatArray, _weights_digest

BACKEND = ONNX_INT8
# Part of the cache key: changing how the model is exported or quantised exports it again.
RECIPE = "torchscript-opset17/dynamic-quint8-per-channel/v2"
MODEL_FILE = "model-int8.onnx"
REPORT_FILE = "export.json"


@dataclass(frozen=True, slots=True)
class ModelFolder:
    """What the ONNX pipeline needs to know about a sentence-transformers folder."""

    root: Path
    transformer: Path  # the folder of the transformer module (weights, config, tokenizer)
    max_seq_length: int
    name: str  # identity prefix: a packaged model ("…/pkg/model") is named after its package

    @classmethod
    def read(cls, root: Path) -> "ModelFolder":
        modules_file = root / "modules.json"
        if not modules_file.exists():
            raise ValueError(f"{root} is not a sentence-transformers model folder")
        modules = {m["type"].rsplit(".", 1)[-1]: root / m["path"] for m in _json(modules_file)}
        if "Transformer" not in modules or "Pooling" not in modules:
            raise ValueError(f"{root}: the ONNX encoder needs a Transformer and a Pooling module")
        if not _json(modules["Pooling"] / "config.json").get("pooling_mode_mean_tokens"):
            raise ValueError(f"{root}: the ONNX encoder implements mean pooling only")
        transformer = modules["Transformer"]
        if not (transformer / "tokenizer.json").exists():
            raise ValueError(f"{transformer} has no fast tokenizer (tokenizer.json)")
        st_config = transformer / "sentence_bert_config.json"
        max_len = int(_json(st_config)["max_seq_length"]) if st_config.exists() else 512
        name = root.parent.name if root.name == "model" else root.name
        return cls(root, transformer, max_len, name)

    def digest(self) -> str:
        return _weights_digest(self.transformer)

    def cache_key(self) -> str:
        """Weights, recipe and the versions of the tools that write the file."""
        parts = [self.digest(), RECIPE, version("torch"), version("onnxruntime"), version("onnx")]
        return sha256("|".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What one export cost, kept beside the model for benchmarks and the README."""

    source: str
    recipe: str
    seconds: float
    cpu_seconds: float
    fp32_bytes: int
    int8_bytes: int


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def export_int8(model: ModelFolder, target: Path) -> ExportReport:
    """Export the transformer to ONNX fp32, quantise it to int8 and write it to `target`
    atomically (a reader never sees half a file). Needs torch and transformers; offline."""
    wall, cpu = time.perf_counter(), time.process_time()  # imports included: first starts pay them
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    class LastHiddenState(torch.nn.Module):
        """Calls the model by keyword: its positional order changes between versions."""

        def __init__(self) -> None:
            super().__init__()
            # eager attention traces to plain MatMul/Softmax, which the quantiser knows
            self.network = AutoModel.from_pretrained(
                str(model.transformer), attn_implementation="eager", local_files_only=True
            ).eval()

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            out = self.network(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            hidden: torch.Tensor = out.last_hidden_state
            return hidden

    network = LastHiddenState()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = torch.ones((1, 8), dtype=torch.int64)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        fp32, int8 = Path(scratch) / "model-fp32.onnx", Path(scratch) / MODEL_FILE
        with torch.no_grad(), warnings.catch_warnings():
            # the TorchScript exporter is deprecated in favour of the dynamo one, which produced
            # wrong vectors for this model (torch 2.13); its tracer warnings are about shapes
            # that are constant for an encoder
            warnings.simplefilter("ignore")
            torch.onnx.export(
                network,
                (dummy, dummy, torch.zeros_like(dummy)),
                str(fp32),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
        # unsigned weights: onnxruntime multiplies uint8 activations by int8 weights with an
        # instruction that saturates on CPUs without VNNI (AVX2 only), which moved vectors away
        # from fp32 there (500 texts: mean cosine 0.9904, least 0.9659) and made them depend on
        # the CPU; uint8 x uint8 does not saturate (0.9932 / 0.9757 on that CPU, same speed)
        quantize_dynamic(fp32, int8, per_channel=True, weight_type=QuantType.QUInt8)
        report = ExportReport(
            source=str(model.root),
            recipe=RECIPE,
            seconds=round(time.perf_counter() - wall, 2),
            cpu_seconds=round(time.process_time() - cpu, 2),
            fp32_bytes=fp32.stat().st_size,
            int8_bytes=int8.stat().st_size,
        )
        os.replace(int8, target)
    return report


def ensure_int8_model(model: ModelFolder, cache_dir: Path) -> tuple[Path, ExportReport]:
    """The cached int8 model of `model`, exported first if the cache has none for its key.
    Safe to call from several processes at once: one exports, the others wait for it."""
    home = cache_dir / "onnx" / f"{model.name}-{model.cache_key()}"
    home.mkdir(parents=True, exist_ok=True)
    target, report_file = home / MODEL_FILE, home / REPORT_FILE
    with (home / "export.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            report = export_int8(model, target)
            report_file.write_text(json.dumps(asdict(report), indent=2) + "\n")
    return target, ExportReport(**json.loads(report_file.read_text()))


class OnnxEmbedder:
    """all-MiniLM-L6-v2 (or another mean-pooled BERT folder) as cached int8 ONNX.

    `threads` is for bulk encodes (several texts in one call: imports, re-embedding): their texts
    are spread over that many threads. One text runs on the caller's thread, one core, which is
    the serving setting. Thread-safe: onnxruntime sessions and the tokenizer take concurrent
    calls, and nothing here changes after construction.
    """

    def __init__(self, folder: Path, cache_dir: Path, *, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        model = ModelFolder.read(folder)
        self.model_file, self.export = ensure_int8_model(model, cache_dir)
        self.identity = f"{model.name}@{model.digest()}+{BACKEND}"
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallelism comes from texts, not inside one text
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(self.model_file), options, providers=["CPUExecutionProvider"]
        )
        # the exporter drops inputs a graph does not read (e.g. token types in some models)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self._session.get_outputs()[0].shape[-1])
        self._tokenizer = Tokenizer.from_file(str(model.transformer / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=model.max_seq_length)
        self._tokenizer.no_padding()  # one text per run: nothing to pad
        self._pool = ThreadPoolExecutor(threads, "onnx-encode") if threads > 1 else None

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._pool is None or len(texts) == 1:
            rows = [self._encode_one(t) for t in texts]
        else:
            rows = list(self._pool.map(self._encode_one, texts))
        return np.stack(rows)

    def _encode_one(self, text: str) -> FloatArray:
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        feeds = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
        }
        hidden: npt.NDArray[np.float32] = self._session.run(
            None, {k: v for k, v in feeds.items() if k in self._inputs}
        )[0][0]
        # sentence-transformers' mean pooling and Normalize; every token is real (no padding)
        pooled = hidden.mean(axis=0)
        row: FloatArray = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
        return row
