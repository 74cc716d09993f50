# onnx2mcu — the commands a user needs. Works on a fresh clone: the first target that needs
# node_modules runs `npm ci` (the .npmrc next to this file configures onnxruntime-node).
#   make test        the whole test suite (vitest)
#   make convert     convert the default model to C in out/<name>/ (MODEL=..., CALIB=... for another)
#   make bench       benchmarks (timings printed; figures recorded in README.md)
#   make typecheck   tsc --noEmit

SHELL := /bin/bash
.DEFAULT_GOAL := test

SHARED        ?= $(or $(ONNX2MCU_SHARED),../shared)
DEFAULT_MODEL := $(SHARED)/models/vww_96_mlcommons.onnx
MODEL         ?= $(DEFAULT_MODEL)
DEFAULT_CALIB := $(SHARED)/images/vww
CALIB         ?= $(DEFAULT_CALIB)
OUT           ?= out
# Used when ../shared is absent: a MobileNet v1 0.25/96 with seeded random weights, calibrated
# on seeded synthetic images.
GENERATED_MODEL := $(OUT)/generated/mobilenet_v1_0.25_96.onnx
GENERATED_CALIB := $(OUT)/generated/calib

BIN  := node_modules/.bin
CLI  := node bin/onnx2mcu.js
# npm keeps this file in sync with node_modules: reinstall when it is missing or older than the lock.
DEPS := node_modules/.package-lock.json

.PHONY: test convert bench typecheck deps clean

$(DEPS): package-lock.json
	npm ci
	@touch $@

deps: $(DEPS)

test: $(DEPS)
	$(BIN)/vitest run

typecheck: $(DEPS)
	$(BIN)/tsc --noEmit -p .

convert: $(DEPS)
	@set -euo pipefail; \
	model='$(MODEL)'; calib='$(CALIB)'; \
	if [ ! -f "$$model" ]; then \
	  if [ "$$model" != '$(DEFAULT_MODEL)' ]; then echo "make convert: MODEL=$$model does not exist" >&2; exit 1; fi; \
	  echo "make convert: $$model not found ($(SHARED) absent): using a generated MobileNet v1 0.25/96 with seeded weights"; \
	  $(CLI) generate --width 0.25 --resolution 96 --classes 2 --seed 1 --out '$(GENERATED_MODEL)'; \
	  model='$(GENERATED_MODEL)'; \
	fi; \
	if [ ! -e "$$calib" ]; then \
	  if [ "$$calib" != '$(DEFAULT_CALIB)' ]; then echo "make convert: CALIB=$$calib does not exist" >&2; exit 1; fi; \
	  echo "make convert: $$calib not found: calibrating on synthetic images ($(GENERATED_CALIB))"; \
	  $(CLI) generate --width 0.25 --resolution 96 --classes 2 --seed 1 --out '$(GENERATED_MODEL)' --calib-out '$(GENERATED_CALIB)' --calib-count 16 >/dev/null; \
	  calib='$(GENERATED_CALIB)'; \
	fi; \
	name=$$(basename "$$model" .onnx); \
	echo "converting $$model (calibration: $$calib)"; \
	$(CLI) convert "$$model" --calib "$$calib" --out "$(OUT)/$$name"

bench: $(DEPS)
	$(BIN)/tsx bench/run.ts

clean:
	rm -rf $(OUT)
