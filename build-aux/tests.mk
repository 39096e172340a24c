# build-aux/tests.mk: test and check targets that need no configure.
#
# Included by Makefile (a configured tree) and by GNUmakefile in a fresh
# clone, so that `make test-unit` and `make check-python` run before
# configure.  Everything here reads only the source tree.
#
#   make test-unit       pytest test/unit (no Apache, no build)
#   make check-python    ruff check and mypy --strict (pinned versions)
#   make test-deps       install pytest/requests when missing
#   make check-deps      install the pinned ruff/mypy when missing or different

srcdir      ?= .
TEST_PYTHON ?= python3
PYTEST_ARGS ?=

TEST_REQUIREMENTS  = $(srcdir)/test/requirements.txt
CHECK_REQUIREMENTS = $(srcdir)/test/requirements-check.txt
# What ruff checks (mypy checks the package only).
RUFF_PATHS = $(srcdir)/lib/python $(srcdir)/test $(srcdir)/build-aux/include-graph.py

.PHONY: test-deps check-deps test-unit check-python

test-deps:
	@$(TEST_PYTHON) -c 'import pytest, requests' 2>/dev/null || \
	    sh $(srcdir)/build-aux/install-test-deps $(TEST_PYTHON) $(TEST_REQUIREMENTS)

check-deps:
	@sh $(srcdir)/build-aux/install-test-deps --pinned $(TEST_PYTHON) $(CHECK_REQUIREMENTS)

# $(call run_pytest,ENV,DIRS): pytest's exit status 5 ("no tests collected")
# counts as a failure.
define run_pytest
	@echo "$(TEST_PYTHON) -m pytest $(2) $(PYTEST_ARGS)"
	@rc=0; $(1) $(TEST_PYTHON) -m pytest $(2) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; \
	exit $$rc
endef

test-unit: test-deps
	$(call run_pytest,,$(srcdir)/test/unit)

# mypy finds _apache (the C module) through a copy of its stub and
# mod_python through lib/python; --python-version is the floor configure
# enforces, whatever Python runs mypy.  build/ is ignored by git.
CHECK_STUBS = build/stubs

check-python: check-deps
	@mkdir -p $(CHECK_STUBS)
	@rm -f $(CHECK_STUBS)/_apache.pyi && cp $(srcdir)/lib/python/mod_python/_apache.pyi $(CHECK_STUBS)/
	$(TEST_PYTHON) -m ruff check $(RUFF_PATHS)
	MYPYPATH=$(CHECK_STUBS):$(srcdir)/lib/python $(TEST_PYTHON) -m mypy --strict \
	    --python-version 3.11 --cache-dir build/mypy-cache $(srcdir)/lib/python/mod_python
