# Issue 13's kdump findings, each from the smallest reproducer the test writes (kdump_mutants.py), all
# plugins in-process so a reader crash would kill dumppipe; then 200 mutated kdump and ELF files in ONE
# invocation: every file gets a report or a one-line error and the process survives.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
quick=$DP_SOURCE_DIR/pipelines/quick.yaml
mut="python3 $DP_SOURCE_DIR/tests/e2e/kdump_mutants.py"
# the blow-ups reached 4.2 and 8.4 GB: every run here is measured (peak RSS of the child, which works
# under ASan where ulimit -v does not) and must stay under MAX_RSS_MB
MAX_RSS_MB=1024
rss_run() {
    OUT=$(python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, stderr=open(sys.argv[1], "w"))
sys.stdout.buffer.write(r.stdout)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=open(sys.argv[1] + ".rss", "w"))
sys.exit(r.returncode if r.returncode >= 0 else 128 - r.returncode)' "$DP_TMP/stderr" timeout 600 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" "$@")
    RC=$?
    ERR=$(cat "$DP_TMP/stderr")
    local rss; rss=$(cat "$DP_TMP/stderr.rss")
    if [ "$rss" -lt "$MAX_RSS_MB" ]; then _ok; else _fail "peak RSS $rss MiB (limit $MAX_RSS_MB): $*"; fi
}

k=$(gen "$DP_SOURCE_DIR/tests/scenarios/x64-basic.yaml" --type kdump)
$mut regressions "$DP_TMP/reg" "$k"

# expect_refused NAME MESSAGE
expect_refused() {
    rss_run --no-isolation -p "$quick" "$DP_TMP/reg/$1.kdump"
    expect_rc 3
    expect_err "dumppipe: $DP_TMP/reg/$1.kdump: $2"
}
# crashed in kdump_free() after libkdumpfile's failed open (SIGSEGV)
expect_refused bitmap-blocks-absurd "malformed kdump: bitmap of 4294967295 blocks (bitmap_blocks) at 0x2000 outside the file"
expect_refused max-mapnr-absurd "malformed kdump: block size 1048576: only 4096-byte pages are supported"
expect_refused block-size-absurd "malformed kdump: block size 1073741824: only 4096-byte pages are supported"
expect_refused size-note-absurd-small "malformed kdump: notes (size_note 0xffffffff at 0x1068) outside the file"
# 4.2 GB and 8.4 GB of RSS
expect_refused size-note-4g "malformed kdump: notes (size_note 0xffffffff at 0x1068) outside the file"
expect_refused total-ram-blocks-absurd "malformed kdump: block size 1048576: only 4096-byte pages are supported"
# SIGBUS: inside the open, and reading the pages of a cut file
expect_refused cut-after-header "malformed kdump: sub-header of 1 blocks outside the file"
expect_refused cut-in-descriptors "truncated kdump: none of its 0x274 pages (descriptors at 0x22000) lies inside the file"
expect_refused flattened "malformed flattened kdump (makedumpfile -F): record outside 4 GiB"
expect_refused flattened-cut "malformed flattened kdump (makedumpfile -F): record data past the end of the file (truncated)"
# page data cut in half: read, the missing pages absent (the SMBIOS table's among them)
run --no-isolation -p "$quick" "$DP_TMP/reg/cut-in-page-data.kdump"
expect_rc 0
expect_line "[hvdetect] info: SMBIOS not read: entry point at 0xf5a80: table at 0x7fe00000 (205 bytes) is not in the dump"

# 200 mutants, one invocation, every plugin in-process
e=$(gen "$DP_SOURCE_DIR/tests/scenarios/hv-kvm.yaml" --type qemu-elf --vmcoreinfo windows)
$mut mutants "$DP_TMP/mut" 200 13 "$k" "$e"
files=("$DP_TMP"/mut/*)
rss_run --no-isolation -o json -p "$quick" "${files[@]}"
case $RC in 0|3|4) _ok ;; *) _fail "200 mutants: exit code $RC (a signal or a hang)" ;; esac
printf '%s\n' "$OUT" >"$DP_TMP/stdout"
missing=$(python3 - "$DP_TMP/stdout" "$DP_TMP/stderr" "${files[@]}" <<'PY'
import json, sys
out = open(sys.argv[1], errors="replace").read().splitlines()
err = open(sys.argv[2], errors="replace").read().splitlines()
seen = {json.loads(l)["dump"]["path"] for l in out if l.startswith("{")}
refused = {l.split(": ", 2)[1] for l in err if l.startswith("dumppipe: ") and l.count(": ") >= 2}
print(" ".join(f for f in sys.argv[3:] if f not in seen and f not in refused))
PY
)
if [ -z "$missing" ]; then _ok; else _fail "no record and no error line for: $missing"; fi
finish
