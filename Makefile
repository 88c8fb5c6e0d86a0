# hpgsim: set-up and everyday commands. Every target installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow bench examples validate calibrate lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/hpgsim run examples/stop_cypionate_hcg.yaml --out demo-out
	@echo "Report: $(CURDIR)/demo-out/report.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/population.py

validate: $(STAMP)
	$(BIN)/hpgsim validate --out validation-out
	@echo "Report: $(CURDIR)/validation-out/report.html"

calibrate: $(STAMP)
	$(BIN)/hpgsim calibrate --out calibration-out

examples: $(STAMP)
	for f in examples/*.yaml; do $(BIN)/hpgsim run $$f --out out/$$(basename $$f .yaml) || exit 1; done

lock:
	$(PY) -m venv /tmp/hpgsim-lock && /tmp/hpgsim-lock/bin/pip install --quiet -e '.[test]' && \
	  ( echo "# Exact versions of every runtime and test dependency (pip freeze of a resolved environment)."; \
	    echo "# Regenerate with \`make lock\` after changing pyproject.toml."; \
	    /tmp/hpgsim-lock/bin/pip freeze --exclude-editable | grep -v '^hpgsim' ) > requirements.lock

clean:
	rm -rf $(VENV) out demo-out bench-out validation-out calibration-out
