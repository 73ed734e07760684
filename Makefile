# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
PORT   ?= 8000
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The demo's local conveniences (demo secrets, console e-mail, http cookies) without Django's debug pages.
export LINLI_DEMO ?= 1

.PHONY: run test install lint demo worker clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml requirements.lock package.json package-lock.json
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@# axe-core for the browser tests' accessibility check (npm is optional: without it that check is skipped locally)
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; fi
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/linli migrate --no-input
	$(BIN)/linli demo --if-empty
	@echo ""
	@echo "  邻里 Linli 已启动：http://127.0.0.1:$(PORT)/"
	@echo "  演示账号（密码均为 linli-demo）：resident1 member1 volunteer1 volunteer2 partner1 grid1 grid2 community1 branch1 property1 street1 district1 admin"
	@echo "  后台：任务 worker（日志 data/worker.log）与每 60 秒一次的 sla-sweep（日志 data/sweep.log）"
	@echo ""
	$(BIN)/linli db_worker --queue-name '*' >> data/worker.log 2>&1 & \
	  worker=$$!; \
	  ( trap 'kill $$nap 2>/dev/null; exit 0' TERM; \
	    while :; do $(BIN)/linli sla-sweep >> data/sweep.log 2>&1; sleep 60 & nap=$$!; wait $$nap; done ) & \
	  sweep=$$!; trap "kill $$worker $$sweep 2>/dev/null" EXIT INT TERM; \
	  $(BIN)/linli runserver --noreload 127.0.0.1:$(PORT)

demo: install
	$(BIN)/linli migrate --no-input
	$(BIN)/linli demo

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	DEBUG=0 $(BIN)/linli makemigrations --check --dry-run --settings=linli.settings_test

clean:
	rm -rf $(VENV) data/*.sqlite3

# Refresh the English catalogue after changing translatable strings (needs GNU gettext).
messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l en --ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*' --ignore 'data/*'
	msgfmt --check -o linli/locale/en/LC_MESSAGES/django.mo linli/locale/en/LC_MESSAGES/django.po
