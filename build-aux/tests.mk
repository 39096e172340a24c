# build-aux/tests.mk: the test and check targets that need no configure.
#
# Included by Makefile (a configured tree) and by GNUmakefile in a fresh
# clone, so that these run before configure.  Everything here reads only the
# source tree and writes only under build/.
#
#   make test-unit       pytest test/unit (no Apache, no build)
#   make check-python    ruff check and mypy --strict, at the versions pinned
#                        in test/requirements-check.txt
#   make check-deps      install those versions when they are not there
#
# The test tools are installed by build-aux/install-test-deps (pip, or
# Debian's packages for Debian's Python) when build-aux/requirements-ok says
# the requirements file is not satisfied.  ruff and mypy need pip: with a
# Python that has none, pass TEST_PYTHON=/path/to/a/venv/bin/python.

srcdir      ?= .
TEST_PYTHON ?= python3
PYTEST_ARGS ?=

UNIT_REQUIREMENTS  = $(srcdir)/test/requirements.txt
CHECK_REQUIREMENTS = $(srcdir)/test/requirements-check.txt
# What ruff checks (its settings: ruff.toml); mypy checks the package.
RUFF_PATHS = $(srcdir)/lib/python $(srcdir)/test $(srcdir)/build-aux/include-graph.py \
             $(srcdir)/build-aux/requirements-ok
# mypy finds _apache (the C module) through a copy of its stub, mod_python
# through lib/python; --python-version is the floor configure enforces,
# whatever Python runs mypy.
CHECK_STUBS = build/stubs

.PHONY: test-unit-deps check-deps test-unit check-python

# $(call mp_install_if_needed,REQUIREMENTS)
define mp_install_if_needed
	@$(TEST_PYTHON) $(srcdir)/build-aux/requirements-ok --quiet $(1) || { \
	    sh $(srcdir)/build-aux/install-test-deps $(TEST_PYTHON) $(1) && \
	    $(TEST_PYTHON) $(srcdir)/build-aux/requirements-ok $(1); }
endef

test-unit-deps:
	$(call mp_install_if_needed,$(UNIT_REQUIREMENTS))

check-deps:
	$(call mp_install_if_needed,$(CHECK_REQUIREMENTS))

# pytest's exit status 5 ("no tests collected") counts as a failure.
test-unit: test-unit-deps
	@echo "$(TEST_PYTHON) -m pytest $(srcdir)/test/unit $(PYTEST_ARGS)"
	@rc=0; $(TEST_PYTHON) -m pytest $(srcdir)/test/unit $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; \
	exit $$rc

check-python: check-deps
	@mkdir -p $(CHECK_STUBS)
	@rm -f $(CHECK_STUBS)/_apache.pyi && cp $(srcdir)/lib/python/mod_python/_apache.pyi $(CHECK_STUBS)/
	$(TEST_PYTHON) -m ruff check $(RUFF_PATHS)
	MYPYPATH=$(CHECK_STUBS):$(srcdir)/lib/python $(TEST_PYTHON) -m mypy --strict \
	    --python-version 3.11 --cache-dir build/mypy-cache $(srcdir)/lib/python/mod_python
