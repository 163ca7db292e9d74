.PHONY: demo test bench dist install
PREFIX ?= /usr/local
DESTDIR ?=
demo:
	scripts/demo
test:
	scripts/test
bench:
	bench/run
# dist/skiff-VERSION-linux-x86_64.tar.gz and dist/skiff_VERSION_amd64.deb (scripts/dist).
dist:
	scripts/dist
# The same files from a checkout: make install PREFIX=/usr/local (scripts/install-release).
install:
	scripts/install-release "$(PREFIX)" "$(DESTDIR)"
