#!/bin/sh
# Writes the SUBCOMMANDS section of dumppipe(1) for help2man from each subcommand's own --help, so the
# manual page never drifts from the program. usage: subcommands.sh DUMPPIPE OUTPUT
set -e
out=$2
printf '[SUBCOMMANDS]\nTriage at scale on Redis Streams (docs/scale\\-out.md):\n' >"$out"
for cmd in submit worker buckets; do
    printf '.SS "dumppipe %s"\n.nf\n' "$cmd" >>"$out"
    "$1" "$cmd" --help 2>&1 | sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" >>"$out"
    printf '.fi\n' >>"$out"
done
