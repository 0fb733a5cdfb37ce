# Symbol files end to end: a driver built here with clang + lld-link, put into a generated small
# dump with no exports, named in STACK_TEXT, the culprit and the bucket through its PDB, through an
# ISF and a Breakpad .sym written from that PDB; without symbols the output stays module+offset.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
CLANG=$(command -v clang-14 || command -v clang); LLD=$(command -v lld-link-14 || command -v lld-link)
DPSYM="$(dirname "$DPGEN")/../symbols/dpsym"
[ -n "$CLANG" ] && [ -n "$LLD" ] || { echo "clang/lld-link missing (scripts/deps.sh installs them)"; exit 1; }
S="$DP_SOURCE_DIR/tests/symbols"
( cd "$DP_TMP" && "$CLANG" --target=x86_64-pc-windows-msvc -O1 -g -gcodeview -ffreestanding -funwind-tables \
    -fno-stack-protector -fno-builtin -fno-omit-frame-pointer -c "$S/drv.c" -o drv.obj &&
  "$LLD" /nologo /driver /subsystem:native /machine:x64 /entry:DriverEntry /nodefaultlib /debug:full \
    /timestamp:0x5F000000 /pdbaltpath:%_PDB% /pdb:drvx64.pdb /out:drvx64.sys drv.obj ) || { _fail "fixture build"; finish; exit 1; }
python3 "$S/mkscenario.py" "$DP_TMP/drvx64.sys" "$DP_TMP/drv-small.yaml"
DUMP=$(gen "$DP_TMP/drv-small.yaml")

stack_text() { sed -n '/^STACK_TEXT:/,/^$/p' <<<"$OUT" | grep -v '^STACK_TEXT:\|^WARNING\|^$'; }
expect_frames() { # the frames' symbols, in order
    local got; got=$(stack_text | awk '{print $3}' | paste -sd' ')
    [ "$got" = "$1" ] && _ok || _fail "STACK_TEXT frames '$got', expected '$1'"
}

# no symbols: what dumppipe printed before symbol files
P0=$(pipeline plain <<YAML
extends: $DP_SOURCE_DIR/pipelines/triage.yaml
YAML
)
run -p "$P0" "$DUMP"
expect_rc 0
expect_frames "nt+0x5f5a80 drvx64+0x10ef drvx64+0x1102"
expect_no_line "symbols.missing"

for kind in pdb isf.json.xz sym; do
    case $kind in
    pdb) F="$DP_TMP/drvx64.pdb" ;;
    isf.json.xz) F="$DP_TMP/drvx64.isf.json.xz"
        "$DPSYM" dump "$DP_TMP/drvx64.pdb" | python3 -c '
import json, lzma, sys
syms = {}
for line in sys.stdin:
    kind, rva, end, name = line.split(" ", 3)
    syms.setdefault(name.strip(), {"address": int(rva, 16)})
doc = {"metadata": {"windows": {"pdb": {"database": "drvx64.pdb"}}}, "symbols": syms}
open(sys.argv[1], "wb").write(lzma.compress(json.dumps(doc).encode()))' "$F" ;;
    sym) F="$DP_TMP/drvx64.sym"
        "$DPSYM" dump "$DP_TMP/drvx64.pdb" | python3 -c '
import sys
out = ["MODULE windows x86_64 0 drvx64.pdb"]
for line in sys.stdin:
    kind, rva, end, name = line.split(" ", 3)
    if kind == "F": out.append("FUNC %s %x 0 %s" % (rva, int(end, 16) - int(rva, 16), name.strip()))
open(sys.argv[1], "w").write("\n".join(out) + "\n")' "$F" ;;
    esac
    P=$(pipeline "with-$kind" <<YAML
extends: $DP_SOURCE_DIR/pipelines/triage.yaml
symbols: [$F]
sinks: [{plugin: text, options: {modules: true}}]
YAML
)
    run -p "$P" "$DUMP"
    expect_rc 0
    expect_frames "nt+0x5f5a80 drvx64!CrashHere+0x3f drvx64!DriverEntry+0x12"
    expect_line "ffff8504\`29890ef0 fffff804\`90001102 drvx64!CrashHere+0x3f"
    expect_line "the bug check's code_address drvx64!CrashHere+0x19 is in drvx64.sys"
    expect_line "FAILURE_BUCKET_ID:  0xD1_"
    # the PDB carries a GUID the small dump cannot confirm (no image headers): said so
    if [ $kind = pdb ]; then
        expect_line "[host] warning: Symbols of 1 module(s) matched by name only: the dump does not say which build they are"
        expect_line "drvx64.sys: $F"
    else
        expect_no_line "matched by name only"
    fi
    expect_line "drvx64.sys!CrashHere"
    # the lm list: the driver named by the file, the kernel (no image in a small dump) by nothing
    expect_line "fffff804\`90000000 fffff804\`90008000   drvx64.sys   (${kind%%.*} symbols)      $F"
    expect_line "fffff804\`7b800000 fffff804\`7bf00000   ntoskrnl.exe (no symbols)"
    expect_line "fffff804\`91000000 fffff804\`91004000   idle.sys     (deferred)" # nothing named in it
done

# The same crash as a real small dump has it: the driver only named by the module list (no pages), its
# image and PDB in a symbol store. The image gives the PDB's key, the key the PDB, loaded before the
# steps: the frames are named and nothing is unverified.
python3 "$S/mkscenario.py" --store "$DP_TMP/drvx64.sys" "$DP_TMP/drv-store.yaml"
SDUMP=$(gen "$DP_TMP/drv-store.yaml")
KEYS=$(python3 "$S/mkstore.py" "$DP_TMP/store" "$DP_TMP/drvx64.sys" "$DP_TMP/drvx64.pdb")
PDBKEY=$(sed -n 2p <<<"$KEYS")
PS=$(pipeline store <<YAML
extends: $DP_SOURCE_DIR/pipelines/triage.yaml
sinks: [{plugin: text, options: {modules: true}}]
YAML
)
run -p "$PS" -s "$DP_TMP/store" "$SDUMP"
expect_rc 0
expect_frames "nt+0x5f5a80 drvx64!CrashHere+0x3f drvx64!DriverEntry+0x12"
expect_line "drvx64.sys   (pdb symbols)      $DP_TMP/store/$PDBKEY/drvx64.pdb"
expect_no_line "matched by name only"
expect_no_line "$PDBKEY: not found" # found: not among the misses
expect_line "ntoskrnl.exe/45D69710700000: not found in $DP_TMP/store"
# the same store without the PDB: module+offset, and the PDB's key among the misses
mv "$DP_TMP/store/drvx64.pdb" "$DP_TMP/drvx64.pdb.away"
run -p "$PS" -s "$DP_TMP/store" "$SDUMP"
expect_frames "nt+0x5f5a80 drvx64+0x10ef drvx64+0x1102"
expect_line "$PDBKEY: not found in $DP_TMP/store"

# A real small dump with an ISF the test writes for its kernel: ../shared has no ISF for it. Its
# STACK_TEXT starts in the bug-check context, whose rip is KeBugCheckEx's entry (the context record
# is saved there), at nt+0x3fd890 in this kernel.
REAL="$DP_SOURCE_DIR/../shared/testdata/real/mini_x64_0x133_dell.dmp"
if [ -f "$REAL" ]; then
    python3 -c 'import gzip, json, sys
doc = {"metadata": {"windows": {"pdb": {"database": "ntkrnlmp.pdb"}}},
       "symbols": {"KeBugCheckEx": {"address": 0x3fd890}, "KiBugCheckDispatch": {"address": 0x40f000}}}
open(sys.argv[1], "wb").write(gzip.compress(json.dumps(doc).encode()))' "$DP_TMP/ntkrnlmp.json.gz"
    P=$(pipeline real-isf <<YAML
extends: $DP_SOURCE_DIR/pipelines/triage.yaml
symbols: [$DP_TMP/ntkrnlmp.json.gz]
sinks: [{plugin: text, options: {modules: true}}]
YAML
)
    run -p "$P" "$REAL"
    expect_rc 0
    [ "$(stack_text | head -1 | awk '{print $3}')" = "nt!KeBugCheckEx" ] && _ok || _fail "real dump: first frame $(stack_text | head -1)"
    expect_line "ntoskrnl.exe (isf symbols)"
    expect_no_line "matched by name only" # the ISF carries no GUID
else
    echo "skip: real dumps absent"
fi
finish
