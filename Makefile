# Everyday commands. `make test` is the whole suite and what CI runs (.ci/run).
.PHONY: build test fuzz run demo bench format clean

build:
	swift build

test:
	./scripts/test.sh

# The fuzzers, longer than in `make test` (needs the venv and a build: run `make test` once).
fuzz:
	swift build
	CEPTOAR_FUZZ_ITERATIONS=100000 swift test --filter ParserFuzzTests
	CEPTOAR_FUZZ_SECONDS=600 .venv-e2e/bin/pytest -q tests/e2e/test_fuzz.py

run demo:
	swift run ceptoar serve --demo

bench:
	./scripts/bench.sh

format:
	swift format --in-place --recursive Sources Tests

clean:
	rm -rf .build .venv-e2e test-artifacts
