# Backup Desktop — build, test, demo, package.
#   make demo   bring up a sample Inventory database and media folder, back it up, open the app
#   make test   install what is missing (apt, as root) and run every check and test

GO        ?= go
BIN       := bin/backup-desktop
DEMO_DIR  ?= $(CURDIR)/.demo
VERSION   ?= $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 10s
# Minimizing a new interesting input may take up to 60 s by default, during
# which the fuzzer runs nothing else: a short run would do little but that.
FUZZFLAGS ?= -fuzzminimizetime 1s
# make bench also measures peak memory at twice the scale.
BENCHFLAGS ?= --growth
# Packages without Fyne, vetted for Windows too.
CORE_PKGS := ./internal/core/... ./internal/cli/...

export CGO_ENABLED=1

.PHONY: all build deps lint test test-go test-race test-fuzz test-tray demo demo-down bench screenshot package clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/backup-desktop

deps:
	@scripts/install-deps.sh

lint:
	@echo "== gofmt"
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@echo "== core never imports Fyne"
	@if grep -rln --include='*.go' '"fyne.io/' internal/core; then echo "internal/core must not import Fyne"; exit 1; fi
	@echo "== go vet"
	$(GO) vet -tags ci ./...
	GOOS=windows $(GO) vet $(CORE_PKGS)
	GOOS=darwin CGO_ENABLED=0 $(GO) vet $(CORE_PKGS)

# The tray test (cmd/traytest: a real D-Bus tray host under xvfb-run and
# dbus-run-session clicking "Back up now") runs inside test-go.
test: deps lint test-go test-race test-fuzz
	@echo "make test: all checks passed"

test-go:
	$(GO) test -tags ci -count=1 -timeout 20m ./...

# The race detector over the code that runs on several goroutines.
test-race:
	$(GO) test -tags ci -race -short -count=1 -timeout 15m ./internal/core/lock/ ./internal/core/scheduler/ ./internal/core/history/ ./internal/core/archive/ ./internal/single/ ./internal/gui/...

test-fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzScan$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./internal/core/dump/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./internal/core/archive/

test-tray:
	$(GO) test -tags ci -count=1 -v -run TestTrayEndToEnd ./cmd/traytest/

demo: build
	$(GO) run ./cmd/bd-demo up --dir $(DEMO_DIR)
	$(BIN) --config $(DEMO_DIR)/settings.json create-backup
	$(BIN) --config $(DEMO_DIR)/settings.json list
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		echo "Opening the app (close it from the tray menu: Quit)"; \
		$(BIN) --config $(DEMO_DIR)/settings.json; \
	else \
		echo "No display here, so the window is not opened. On a desktop run: $(BIN) --config $(DEMO_DIR)/settings.json"; \
	fi

demo-down:
	$(GO) run ./cmd/bd-demo down --dir $(DEMO_DIR)

bench: build
	$(GO) run ./cmd/bd-bench --bin $(BIN) --write docs/benchmarks.md $(if $(SCALE),--scale $(SCALE)) $(BENCHFLAGS)

# Pictures of the real window under Xvfb, against the demo (brought up if needed).
screenshot: build
	$(GO) run ./cmd/bd-demo up --dir $(DEMO_DIR)
	@ls $(DEMO_DIR)/backups/*.zip >/dev/null 2>&1 || $(BIN) --config $(DEMO_DIR)/settings.json create-backup
	DEMO_DIR=$(DEMO_DIR) scripts/screenshot.sh $(BIN) screenshots $(DEMO_DIR)/settings.json

package:
	WITH_PACKAGE_TOOLS=1 scripts/install-deps.sh
	scripts/package.sh $(VERSION)

clean:
	rm -rf bin dist screenshots
