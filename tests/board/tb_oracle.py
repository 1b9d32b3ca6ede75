"""TensorBoard itself, in-process, as the oracle of the plugin routes (tensorboard is a test
dependency). It loads with its Python loader (`--load_fast=false`: the Rust loader samples
differently), synchronously, keeping every event of every plugin so its answers list all steps."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

KEEP_ALL = "scalars=1000000,histograms=1000000,images=1000000,audio=1000000,text=1000000"


class TensorBoardOracle:
    def __init__(self, logdir: Path):
        with warnings.catch_warnings():  # TensorBoard's vendored html5lib warns on import
            warnings.simplefilter("ignore")
            self._start(logdir)

    def _start(self, logdir: Path) -> None:
        import logging

        from tensorboard import default, program
        from tensorboard.backend import application
        from werkzeug.test import Client

        logging.getLogger("tensorboard").setLevel(logging.ERROR)
        tb = program.TensorBoard(plugins=default.get_plugins())
        tb.configure(argv=[None, "--logdir", str(logdir), "--load_fast=false",
                           "--reload_task=blocking", "--reload_interval=0",
                           f"--samples_per_plugin={KEEP_ALL}"])
        provider, multiplexer = tb._make_data_provider()
        self._ingester = tb._ingester  # keeps the loader alive
        app = application.TensorBoardWSGIApp(tb.flags, tb.plugin_loaders, provider,
                                             tb.assets_zip_provider, multiplexer)
        self.client = Client(app)

    def get(self, path: str, **params):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            response = self.client.get(path, query_string=params or None)
        assert response.status_code == 200, (path, params, response.get_data()[:300])
        return response

    def json(self, path: str, **params):
        return json.loads(self.get(path, **params).get_data())
