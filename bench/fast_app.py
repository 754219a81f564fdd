"""`matchfair serve` with the int8 ONNX encoder, for `bench.serve` while `Settings.embedder` has
no "onnx-int8" choice: the same uvicorn call, workers and logging as `service.cli.main.serve`,
each worker's app built by `service.app.create_app` around an `OnnxEmbedder`. Once the setting
exists, `bench.serve` runs `matchfair serve` itself with MATCHFAIR_EMBEDDER=onnx-int8.

    python -c "from bench.fast_app import main; main()" --port 8000 [--workers N]

(`python -m` would make each spawned worker import this module again before it answers
uvicorn's health check; see bench/serving.py)
"""

import argparse
import os

from fastapi import FastAPI

from service.app import create_app as service_app
from service.config import Settings
from service.logs import logging_config
from service.matching.onnx_encoder import OnnxEmbedder


def create_app() -> FastAPI:
    settings = Settings()
    encoder = OnnxEmbedder(settings.resolved_model_path(), settings.cache_dir)
    return service_app(settings, embedder=encoder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    import uvicorn

    uvicorn.run(
        "bench.fast_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=logging_config(),
        access_log=False,
    )


if __name__ == "__main__":
    main()
