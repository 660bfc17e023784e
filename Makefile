# Everyday commands. `make test` is the whole suite and what CI runs (.ci/run).
.PHONY: build test run demo bench format clean

build:
	swift build

test:
	./scripts/test.sh

run demo:
	swift run ceptoar serve --demo

bench:
	./scripts/bench.sh

format:
	swift format --in-place --recursive Sources Tests

clean:
	rm -rf .build .venv-e2e test-artifacts
