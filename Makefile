# onnx2mcu — the commands a user needs. Works on a fresh clone: the first target that needs
# node_modules runs `npm ci` (the .npmrc next to this file configures onnxruntime-node).
#   make test        the whole test suite (vitest) and the import-layer check (what CI runs)
#   make check       the quick tier for the edit loop: no real-model files, one compiler, no sanitizer
#                    builds of the generated runners, 2,000 libFuzzer runs, a smaller sweep
#   make convert     convert the default model to C in out/<name>/ (MODEL=..., CALIB=... for another)
#   make bench       benchmarks (timings printed; figures recorded in README.md); bench-target: the Cortex-M part alone
#   make fuzz        the C blob loader under libFuzzer for FUZZ_SECONDS (default 300)
#   make sweep       MobileNet v1 over the paper's width x resolution grid: out/sweep/sweep.{json,md,html}
#   make accept      rewrite the golden baselines (fixtures/baselines/) after a deliberate change
#   make typecheck   tsc --noEmit
#   make deps-check  the import rules of .dependency-cruiser.cjs (layers, no cycles)

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

.PHONY: test check convert bench bench-target fuzz sweep typecheck deps deps-check accept test-tools bench-tools clean

# Debian packages the tests and benchmarks use, installed when missing (CI and fresh machines run
# as root with apt). The tests compile the generated C with gcc AND clang, open report.html and
# sweep.html in headless Chromium; the benchmarks count instructions with valgrind and run the
# runner on an emulated Cortex-M4.
# The Arm cross toolchain and QEMU are test tools too: the suite runs VWW and the kernels' DSP,
# Helium and portable paths bit-exact on emulated Cortex-M cores.
TEST_TOOLS  := clang:clang valgrind:valgrind chromium:chromium arm-none-eabi-gcc:gcc-arm-none-eabi arm-none-eabi-gcc:libnewlib-arm-none-eabi qemu-system-arm:qemu-system-arm
BENCH_TOOLS := $(TEST_TOOLS)
define apt_install
	@missing=$$(for t in $(1); do cmd=$${t%%:*}; pkg=$${t#*:}; \
	  if [ "$$pkg" = libnewlib-arm-none-eabi ]; then dpkg -s $$pkg >/dev/null 2>&1 || echo $$pkg; \
	  else command -v $$cmd >/dev/null 2>&1 || echo $$pkg; fi; done | sort -u | tr '\n' ' '); \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "warning: missing $$missing (install them for the full suite; the parts that need them are skipped)" >&2; fi; \
	fi
endef

test-tools:
	$(call apt_install,$(TEST_TOOLS))

bench-tools:
	$(call apt_install,$(BENCH_TOOLS))

$(DEPS): package-lock.json
	npm ci
	@touch $@

deps: $(DEPS)

test: $(DEPS) test-tools deps-check
	$(BIN)/vitest run

# Everything but the files that need ../shared (pointed at a folder that does not exist), with one
# compiler and no sanitizer builds, modules shared between test files (--no-isolate).
# deps-check runs beside the tests (its 2 s of CPU overlap their waits); either failing fails check.
check: $(DEPS)
	@$(MAKE) --no-print-directory deps-check & deps=$$!; \
	ONNX2MCU_SHARED=$(CURDIR)/.no-shared ONNX2MCU_QUICK=1 ONNX2MCU_FUZZ_RUNS=2000 $(BIN)/vitest run --no-isolate; status=$$?; \
	wait $$deps && exit $$status

deps-check: $(DEPS)
	@$(BIN)/depcruise src pipeline bench bin --config .dependency-cruiser.cjs --output-type err

accept: $(DEPS)
	$(BIN)/tsx fixtures/accept_baselines.ts

typecheck: $(DEPS)
	$(BIN)/tsc --noEmit -p .

convert: $(DEPS)
	@set -euo pipefail; \
	model='$(MODEL)'; calib='$(CALIB)'; \
	if [ ! -e "$$model" ]; then \
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
	case "$$model" in *.onnx) name=$$(basename "$$model" .onnx) ;; */model.json) name=$$(basename "$$(dirname "$$model")") ;; *) name=$$(basename "$$model") ;; esac; \
	echo "converting $$model (calibration: $$calib)"; \
	$(CLI) convert "$$model" --calib "$$calib" --out "$(OUT)/$$name"

bench: $(DEPS) bench-tools
	$(BIN)/tsx bench/run.ts
	@$(MAKE) --no-print-directory bench-target

# Speed on the target (issue 10): VWW on every core and MobileNet v1 0.25/128 on Cortex-M4 and M55,
# each beside CMSIS-NN running the same quantized model, outputs checked byte for byte. The
# README's speed table comes from this output. And RAM below the largest tensor (issue 11): VWW
# with --ram-limit 24000 (first layers streamed row by row) beside the whole-tensor runner.
BENCH_OUT := $(OUT)/bench
bench-target: $(DEPS) bench-tools
	@set -euo pipefail; \
	if [ ! -f '$(DEFAULT_MODEL)' ]; then echo "bench-target: skipped ($(SHARED) not found: the real models and CMSIS-NN live there)"; exit 0; fi; \
	$(CLI) convert '$(DEFAULT_MODEL)' --calib '$(DEFAULT_CALIB)' --out '$(BENCH_OUT)/vww_96_mlcommons' --force >/dev/null; \
	$(CLI) bench '$(BENCH_OUT)/vww_96_mlcommons' --cpu all --peer cmsis-nn --no-layers; \
	$(CLI) convert '$(DEFAULT_MODEL)' --calib '$(DEFAULT_CALIB)' --out '$(BENCH_OUT)/vww_96_ram24000' --ram-limit 24000 --force >/dev/null; \
	$(CLI) convert '$(DEFAULT_MODEL)' --calib '$(DEFAULT_CALIB)' --out '$(BENCH_OUT)/vww_96_ram20000' --ram-limit 20000 --force >/dev/null; \
	$(BIN)/tsx bench/ram_limit.ts '$(DEFAULT_CALIB)/person.png' '$(BENCH_OUT)/vww_96_mlcommons' '$(BENCH_OUT)/vww_96_ram24000' '$(BENCH_OUT)/vww_96_ram20000'; \
	$(CLI) convert '$(SHARED)/models/mobilenet_v1_0.25_128_imagenet.onnx' --calib '$(SHARED)/images/imagenet-val128' --out '$(BENCH_OUT)/mobilenet_v1_0.25_128' --force >/dev/null; \
	$(CLI) bench '$(BENCH_OUT)/mobilenet_v1_0.25_128' --cpu cortex-m4,cortex-m55 --peer cmsis-nn --no-layers

# Every alpha x rho of the paper's grid converted and measured (host instructions with valgrind,
# Cortex-M4 with the Arm tools); SWEEP_ARGS adds options, e.g. SWEEP_ARGS=--no-m4 or --jobs 1.
SWEEP_ARGS ?=
sweep: $(DEPS) bench-tools
	$(CLI) sweep --out $(OUT)/sweep $(SWEEP_ARGS)

# A longer campaign than make test's fixed 10000 runs: the generated blob loader and the kernels
# behind it, clang -fsanitize=fuzzer,address,undefined (fixtures/blob_fuzz.ts). FUZZ_SEED to repeat one.
fuzz: $(DEPS) test-tools
	$(BIN)/tsx fixtures/blob_fuzz.ts

clean:
	rm -rf $(OUT)
