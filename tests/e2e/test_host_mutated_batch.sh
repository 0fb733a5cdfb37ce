# 200 mutated dumps (Windows complete and small dumps, ELF) in one invocation with -j 2: the process
# that was started survives, and every input gets exactly one record, in order, whatever the reader
# or the plugins made of it (issue 13: "every dump given gets a report or a one-line error").
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
S=$DP_SOURCE_DIR/tests/scenarios
"$DPGEN" -o "$DP_TMP/complete.dmp" "$S/seed-xen-0x19.yaml" >&2 || exit 1
"$DPGEN" --type small -o "$DP_TMP/small.dmp" "$S/small-x64.yaml" >&2 || exit 1
"$DPGEN" --type elf -o "$DP_TMP/elf.dmp" "$S/x64-basic.yaml" >&2 || exit 1
mkdir "$DP_TMP/m"
python3 - "$DP_TMP" <<'PY'
import random, sys
tmp = sys.argv[1]
rng = random.Random(13)
bases = [open(f"{tmp}/{n}.dmp", "rb").read() for n in ("complete", "small", "elf")]
for i in range(200):
    d = bytearray(bases[i % 3])
    kind = i % 4
    if kind == 0:    # flip a few bytes in the headers
        for _ in range(rng.randint(1, 8)):
            d[rng.randrange(min(len(d), 0x3000))] ^= 1 << rng.randrange(8)
    elif kind == 1:  # cut short
        del d[rng.randrange(16, len(d)):]
    elif kind == 2:  # a run of 0xff anywhere
        at = rng.randrange(len(d)); d[at:at + 64] = b"\xff" * len(d[at:at + 64])
    else:            # random 32-bit values at random header offsets
        for _ in range(4):
            at = rng.randrange(0, min(len(d), 0x2000) - 4); d[at:at + 4] = rng.getrandbits(32).to_bytes(4, "little")
    open(f"{tmp}/m/{i:03d}.dmp", "wb").write(d)
PY
OUT=$(timeout 900 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p "$DP_SOURCE_DIR/pipelines/quick.yaml" -o json -j 2 "$DP_TMP/m" 2>"$DP_TMP/stderr"); RC=$?
ERR=$(cat "$DP_TMP/stderr")
case $RC in 0|3|4) _ok ;; *) _fail "exit code $RC (a signal or a hang?)" ;; esac
expect_json_lines 'len(d) == 200'
expect_json_lines '[r["input"]["path"] for r in d] == ["'"$DP_TMP"'/m/%03d.dmp" % i for i in range(200)]'
expect_json_lines 'all(r["input"]["status"] in ("ok", "unreadable", "malformed", "crashed", "timeout", "memory") for r in d)'
expect_json_lines 'all((r["input"]["status"] == "ok") == (r["input"]["error"] is None) for r in d)'
# each refused input has its error line (plugins may log more)
bad=$(python3 -c 'import json,sys; print(sum(json.loads(l)["input"]["status"] != "ok" for l in sys.stdin if l.strip()))' <<<"$OUT")
[ "$(grep -c '^dumppipe: ' <<<"$ERR")" -ge "$bad" ] && _ok || _fail "fewer error lines than refused inputs"
echo "mutated: $bad of 200 refused" >&2
finish
