# The two commands of the README: `make run` (the kiosk) and `make test` (the tests).
# Both do their own set-up on a fresh Debian machine (scripts/setup.sh, idempotent).
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run demo test lint bench

setup:
	./scripts/setup.sh

run: setup
	$(BIN)/kiosk run

demo: setup
	$(BIN)/kiosk demo --out out/demo

lint: setup
	$(BIN)/ruff check kiosk devices screens tests bench
	$(BIN)/ruff format --check kiosk devices screens tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -p no:cacheprovider

bench: setup
	$(BIN)/python -m bench --out docs/benchmarks.md
