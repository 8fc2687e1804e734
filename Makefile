# The two commands: `make book` builds the HTML book, `make test` runs every gate.
# Both create .venv and install what they need. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
MATHJAX := _mathjax/_static/mathjax
JB_FLAGS := -W -n --keep-going

.PHONY: help venv mathjax book pdf book-clean book-teaching test lint unit nbval render bench bench-gates setup-cells student release serve clean

help:
	@echo "make book   - build the HTML book (executes every notebook) into _build/html"
	@echo "make test   - every gate: ruff, unit tests, nbval, strict clean book build, render check"
	@echo "make bench  - notebook times, sampler overhead, attention and k-NN peers; writes benchmarks/results/"
	@echo "make bench-gates - time each gate of make test and a cold and warm book build"
	@echo "make pdf    - a printable PDF of the whole book into _build/latex/book.pdf (installs TeX if missing)"
	@echo "make book-teaching - the book with all solutions hidden, into _build/teaching"
	@echo "make student - learner copies of the notebooks (exercise bodies removed) in _build/student"
	@echo "make setup-cells - rewrite every notebook's first cell from _config.yml"
	@echo "make release VERSION=x.y.z - set the one version number and update the setup cells"

# ---- environment -----------------------------------------------------------
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

node_modules/mathjax/es5/tex-mml-chtml.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Only what the book needs (about 2 MB), served from html_extra_path, never _static/.
$(MATHJAX)/tex-mml-chtml.js: node_modules/mathjax/es5/tex-mml-chtml.js
	rm -rf _mathjax
	mkdir -p $(MATHJAX)/output/chtml/fonts $(MATHJAX)/input/tex
	cp node_modules/mathjax/es5/tex-mml-chtml.js $(MATHJAX)/
	cp -r node_modules/mathjax/es5/output/chtml/fonts/woff-v2 $(MATHJAX)/output/chtml/fonts/
	cp -r node_modules/mathjax/es5/input/tex/extensions $(MATHJAX)/input/tex/

mathjax: $(MATHJAX)/tex-mml-chtml.js

# ---- the book ----------------------------------------------------------------
book: venv mathjax
	$(BIN)/jupyter-book build $(JB_FLAGS) .
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

# A printable PDF through Jupyter Book's LaTeX builder (XeLaTeX + xeCJK for the Chinese glossary terms).
# It builds with a copy of _config.yml that adds book/_ext/latex_fixes.py (parts, front/main/back
# matter, exercise numbers, bibliography); the HTML builds do not load that extension.
TEX_PACKAGES := texlive-xetex texlive-latex-extra texlive-fonts-recommended texlive-lang-chinese latexmk \
	fonts-freefont-otf tex-gyre fonts-noto-cjk
pdf: venv
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null && fc-list :lang=zh | grep -q . || { \
	  echo "Installing Debian's TeX packages (a few minutes, once)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES); }
	$(PY) book/_ext/latex_fixes.py _config.yml _build/pdf_config.yml
	$(BIN)/jupyter-book build -n --keep-going --builder pdflatex --config _build/pdf_config.yml .
	@! grep -q 'There were undefined references' _build/latex/book.log || { \
	  echo "Undefined references in the PDF (printed as ??): see _build/latex/book.log"; exit 1; }
	@echo "The PDF is at $(CURDIR)/_build/latex/book.pdf"

book-clean:
	rm -rf _build

# ---- the gates -----------------------------------------------------------------
lint: venv
	$(BIN)/ruff check .

# Two pytest workers on two cores: one thread each, or PyTorch's thread pools fight (10-40x slower).
unit: venv
	OMP_NUM_THREADS=1 $(BIN)/pytest -q -n 2 --doctest-modules tutorial_lib tests -m "not render"

nbval: venv
	OMP_NUM_THREADS=1 $(BIN)/pytest -q -p no:randomly --nbval-lax -n 2 --dist loadscope notebooks

render: venv
	$(BIN)/pytest -q -m render tests/test_render.py

test: venv mathjax
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory nbval
	$(MAKE) --no-print-directory book-clean
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory render

# ---- helpers ---------------------------------------------------------------------
bench: venv
	$(PY) benchmarks/run_notebooks.py
	$(PY) benchmarks/langevin_overhead.py
	$(PY) benchmarks/attention.py
	$(PY) benchmarks/knn_peers.py

# The time of each `make test` gate, and of a cold and a warm book build (about 12 minutes).
bench-gates: venv
	$(PY) benchmarks/make_test_times.py

student: venv
	$(PY) tests/student.py

# A teaching build: the same book with every {solution} hidden (sphinx-exercise's hide_solutions).
book-teaching: venv mathjax
	mkdir -p _build
	sed 's/^    hide_solutions: false/    hide_solutions: true/' _config.yml > _build/teaching_config.yml
	grep -q '^    hide_solutions: true' _build/teaching_config.yml
	$(BIN)/jupyter-book build $(JB_FLAGS) --config _build/teaching_config.yml --path-output _build/teaching .
	@echo "The teaching book (solutions hidden) is at file://$(CURDIR)/_build/teaching/_build/html/index.html"

setup-cells: venv
	$(PY) tests/conventions.py --write

# Cut a release: one version number (tutorial_lib/__init__.py) feeds the package, the status page
# and every notebook's Colab install line. Then commit, tag vX.Y.Z and push the tag.
release: venv
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	$(PY) tests/conventions.py --set-version $(VERSION)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(PY) tests/conventions.py --write
	@echo "Release $(VERSION) prepared: run make test, commit, then git tag v$(VERSION) && git push --tags"

serve: book
	$(PY) -m http.server --directory _build/html 8000

clean:
	rm -rf _build _mathjax .pytest_cache .hypothesis
