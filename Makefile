# The project's commands. Every target creates .venv (Python 3.11) on first use.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: demo test bench assets proto lint typecheck tfref screenshots clean

# Installed once per change of pyproject.toml; the stamp records which extras are in.
$(VENV)/.installed-test: pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test,examples]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(PIP) install --quiet -e ".[test,examples,bench]"
	touch $@

# npm's lockfile pins the browser libraries and esbuild; build_assets.py copies library files into
# static/vendor/ and bundles each page's script into static/bundle/ (both git-ignored).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json $(VENV)/.installed-test
	$(PY) scripts/build_assets.py

# Regenerates engine/proto/*_pb2.py from the .proto files (needs grpcio-tools, in the test extra).
proto: $(VENV)/.installed-test
	$(PY) -m grpc_tools.protoc -I. --python_out=. --pyi_out=. engine/proto/*.proto

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check . && $(MAKE) --no-print-directory node_modules/.package-lock.json && node_modules/.bin/eslint static/js

# pytest exits 5 when it collected no test: make treats every non-zero exit as a failure.
# The interop tests find TensorFlow where tfref put it (tests/conftest.py's tf_python fixture asks
# scripts/tfref.py); TF_PYTHON is exported too, for any test that reads it directly.
test: $(VENV)/.installed-test assets lint typecheck tfref
	TF_PYTHON="$$($(PY) scripts/tfref.py --find)" $(PY) -m pytest

# mypy's scope and leniency are in pyproject.toml ([tool.mypy]).
typecheck: $(VENV)/.installed-test
	$(PY) -m mypy

# Real TensorFlow (2.21, the interop tests' oracle, never a dependency) in a venv cached outside the
# clone, built on first use (~2 GB, a few minutes) and reused by every clone; a preset TF_PYTHON wins.
tfref: $(VENV)/.installed-test
	$(PY) scripts/tfref.py

# Each demo starts from empty logs, so the runs hold this training only: the lecture's MLP, a character
# LSTM (its graph shows the rnn/while frame), the deep-MNIST convnet, and a 2x2 hyperparameter sweep
# with hparams summaries (the HParams page).
demo: $(VENV)/.installed-test assets
	rm -rf tmp/logs
	$(PY) examples/train_mlp.py --logdir tmp/logs
	$(PY) examples/char_lstm.py --logdir tmp/logs
	$(PY) examples/deep_mnist.py --checkpoint_dir tmp/logs/deep_mnist
	$(PY) examples/hparams_sweep.py --logdir tmp/logs/hparams_sweep
	$(VENV)/bin/board --logdir tmp/logs --port 6006

# Each benchmark times its baseline in the same run and prints ratios. TensorFlow's own figures come from
# the venv `make tfref` builds, or TF_PYTHON=/path/to/a/python/with/tensorflow.
BENCHES := tfrecord_read session_run train_step write_scalars load_logdir scalars_page graph_page projector_pca
bench: $(VENV)/.installed-bench assets
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(PY) bench/$$b.py || exit 1; done

# Re-takes the README's dashboard screenshots: the end-to-end browser test trains the demo, opens the
# dashboards and saves what it sees; the README shows those files.
screenshots: $(VENV)/.installed-test assets
	$(PY) -m pytest tests/browser/test_end_to_end.py -q
	$(PY) -m pytest tests/browser/test_trace_page.py -q -k function_graph
	$(PY) -m pytest tests/browser/test_graph_view_options.py -q -k "diff or device"
	mkdir -p docs/screenshots
	cp test-artifacts/end-to-end-time-series.png docs/screenshots/time_series.png
	cp test-artifacts/end-to-end-scalars.png docs/screenshots/scalars.png
	cp test-artifacts/end-to-end-graphs.png docs/screenshots/graphs.png
	cp test-artifacts/end-to-end-graphs-compute.png docs/screenshots/graphs_compute.png
	cp test-artifacts/end-to-end-histograms.png docs/screenshots/histograms.png
	cp test-artifacts/end-to-end-distributions.png docs/screenshots/distributions.png
	cp test-artifacts/end-to-end-images.png docs/screenshots/images.png
	cp test-artifacts/end-to-end-text.png docs/screenshots/text.png
	cp test-artifacts/end-to-end-hparams.png docs/screenshots/hparams.png
	cp test-artifacts/end-to-end-pr-curves.png docs/screenshots/pr_curves.png
	cp test-artifacts/end-to-end-custom-scalars.png docs/screenshots/custom_scalars.png
	cp test-artifacts/end-to-end-projector.png docs/screenshots/projector.png
	cp test-artifacts/end-to-end-trace.png docs/screenshots/trace.png
	cp test-artifacts/trace-function-graph.png docs/screenshots/function_graph.png
	cp test-artifacts/graph-diff-1280.png docs/screenshots/graph_diff.png
	cp test-artifacts/graph-by-device.png docs/screenshots/graph_devices.png

clean:
	rm -rf $(VENV) node_modules static/vendor static/bundle build *.egg-info tmp test-artifacts
