#!/bin/sh
# man.sh GCTB > gctb.1: the manual page, made from the command's own help
# texts (`gctb --help`, `gctb help COMMAND`) so that the two never differ.
set -eu
gctb=$1
# roff: a leading dot or quote starts a request; backslashes escape.
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
commands=$("$gctb" --help | sed -n 's/^  gctb \([a-z-]*\).*/\1/p')
printf '.TH GCTB 1 "" "gctb" "User Commands"\n'
printf '.SH NAME\ngctb \\- a garbage-collection testbed\n'
printf '.SH SYNOPSIS\n.nf\n'
"$gctb" --help | sed -n -e 's/^  \(gctb .*\)/\1/p' -e 's/^   *\(\[.*\)/    \1/p' | esc
printf '.fi\n.SH DESCRIPTION\n'
printf 'gctb runs garbage-collection policies side by side under the same\n'
printf 'synthetic workloads and records every pause, cycle and counter as\n'
printf 'JSON-lines result records. The documentation is installed in\n'
printf 'share/doc/gctb (docs/ of the sources); the commands follow.\n'
printf '.SH COMMANDS\n'
for c in $commands; do
  printf '.SS %s\n.nf\n' "$c"
  "$gctb" help "$c" | esc
  printf '.fi\n'
done
printf '.SH EXIT STATUS\n0 ok, 1 a wrong value was found, 2 bad usage or config, 3 out of memory.\n'
printf '.SH SEE ALSO\n.BR pkg-config (1):\n'
printf 'gctb.pc and the CMake package gctb build programs against libgctb.\n'
