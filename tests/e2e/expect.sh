#!/usr/bin/env bash
# expect.sh EXIT_CODE REGEX -- COMMAND [ARGS...]
#
# Runs COMMAND and passes only if it exits with EXIT_CODE and its combined
# stdout+stderr matches the extended regular expression REGEX. A command
# killed by a signal (status >= 128: a crash, an abort, a core dump) always
# fails, whatever EXIT_CODE says: bad input must end with a message, never a
# crash.
set -u

if [ $# -lt 4 ] || [ "$3" != "--" ]; then
  echo "usage: expect.sh EXIT_CODE REGEX -- COMMAND [ARGS...]" >&2
  exit 2
fi
want=$1
regex=$2
shift 3
cmd="$*"

out=$("$@" 2>&1)
got=$?

show() {
  echo "expect.sh: $1" >&2
  echo "  command: $cmd" >&2
  echo "--- output ---" >&2
  printf '%s\n' "$out" >&2
  echo "--------------" >&2
}

if [ "$got" -ge 128 ]; then
  show "killed by signal $((got - 128)) (exit $got)"
  exit 1
fi
if [ "$got" -ne "$want" ]; then
  show "exit code $got, expected $want"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  show "output does not match /$regex/"
  exit 1
fi
echo "expect.sh: ok (exit $got, output matches /$regex/)"
