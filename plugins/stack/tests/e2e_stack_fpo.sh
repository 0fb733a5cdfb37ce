# stack on x86 code without frame pointers: a driver built here with clang + lld-link (Middle with
# -fomit-frame-pointer, the rest with frame pointers), placed in a generated x86 dump stopped in Crash.
# The EBP chain skips DriverEntry (Middle never saved EBP); with the driver's PDB, Middle's FrameData
# record finds its return address, and the frames say they were unwound. Without the PDB the walk is
# what it was: the EBP chain.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
CLANG=$(command -v clang-14 || command -v clang); LLD=$(command -v lld-link-14 || command -v lld-link)
PDBUTIL=$(command -v llvm-pdbutil-14 || command -v llvm-pdbutil)
DPSYM="$(dirname "$DPGEN")/../symbols/dpsym"
[ -n "$CLANG" ] && [ -n "$LLD" ] || { echo "clang/lld-link missing (scripts/deps.sh installs them)"; exit 1; }
S="$DP_SOURCE_DIR/plugins/stack/tests/fpo"
CFLAGS="--target=i686-pc-windows-msvc -O1 -g -gcodeview -ffreestanding -fno-stack-protector -fno-builtin"
( cd "$DP_TMP" && "$CLANG" $CFLAGS -fno-omit-frame-pointer -c "$S/fpo_main.c" -o fpo_main.obj &&
  "$CLANG" $CFLAGS -fomit-frame-pointer -c "$S/fpo_mid.c" -o fpo_mid.obj &&
  "$LLD" /nologo /driver /subsystem:native /machine:x86 /entry:DriverEntry /nodefaultlib /debug:full \
    /timestamp:0x5F000000 /pdbaltpath:%_PDB% /pdb:fpo.pdb /out:fpo.sys fpo_main.obj fpo_mid.obj ) ||
    { _fail "fixture build"; finish; exit 1; }
"$DPSYM" dump "$DP_TMP/fpo.pdb" >"$DP_TMP/fpo.publics" || { _fail "dpsym dump"; finish; exit 1; }
python3 "$S/mkscenario.py" "$DP_TMP/fpo.sys" "$DP_TMP/fpo.publics" "$DP_TMP/fpo.yaml" || { _fail "mkscenario"; finish; exit 1; }
DUMP=$(gen "$DP_TMP/fpo.yaml")

# The PDB holds the record that matters: Middle's body, 0x18 bytes of locals and esi saved, found by
# .raSearch (clang writes FrameData for every function; llvm-pdbutil lists it where installed).
MIDDLE=$(awk '$1 == "F" && $4 == "Middle" {print $2}' "$DP_TMP/fpo.publics")
FR=$("$DPSYM" frame "$DP_TMP/fpo.pdb" "$(printf %x $((0x$MIDDLE + 0x10)))")
grep -q "locals 18 params 8 saved 4" <<<"$FR" && grep -q '\$T0 .raSearch = \$eip \$T0 ^ =' <<<"$FR" && _ok || _fail "Middle's FrameData: $FR"
if [ -n "$PDBUTIL" ]; then
    "$PDBUTIL" dump -fpo "$DP_TMP/fpo.pdb" | grep -qE "^0000$(printf %X $((0x$MIDDLE + 4))) \| +[0-9]+ \| +24 \|" && _ok ||
        _fail "llvm-pdbutil lists no FrameData with 24 bytes of locals at Middle+4"
fi

stack_text() { sed -n '/^STACK_TEXT:/,/^$/p' <<<"$OUT" | grep -v '^STACK_TEXT:\|^$'; }
expect_stack() { local got; got=$(stack_text); [ "$got" = "$1" ] && _ok || _fail "STACK_TEXT:
$got
expected:
$1"; }
sources() { python3 -c 'import json, sys
d = json.load(sys.stdin)
print(" ".join(a["fields"]["source"] for a in d["artifacts"]["stack.frame"]))' <<<"$OUT"; }

# without the PDB: the EBP chain from Crash lands in nt, DriverEntry is not on it
run -p "$DP_SOURCE_DIR/pipelines/triage.yaml" "$DUMP"
expect_rc 0
expect_stack "f8a0d000 f7a0106d fpo+0x1010
f8a0d038 80860002 fpo+0x106d
f8a0d040 00000000 nt!IopLoadDriver+0x102"
run -p "$DP_SOURCE_DIR/pipelines/triage.yaml" -o json "$DUMP"
[ "$(sources)" = "context frame-pointer frame-pointer" ] && _ok || _fail "sources without PDB: $(sources)"

# with it: Middle's record finds the return address into DriverEntry, above the two arguments Crash
# (stdcall) was given, which the record does not count: the walker searches up from .raSearch
run -p "$DP_SOURCE_DIR/pipelines/triage.yaml" -s "$DP_TMP/fpo.pdb" "$DUMP"
expect_rc 0
expect_stack "f8a0d000 f7a0106d fpo!Crash+0x10
f8a0d028 f7a0102e fpo!Middle+0x2d
f8a0d038 80860002 fpo!DriverEntry+0xe
f8a0d040 00000000 nt!IopLoadDriver+0x102"
expect_no_line "WARNING: Stack unwind information not available"
run -p "$DP_SOURCE_DIR/pipelines/triage.yaml" -s "$DP_TMP/fpo.pdb" -o json "$DUMP"
[ "$(sources)" = "context unwind unwind unwind" ] && _ok || _fail "sources with PDB: $(sources)"

# the return address into DriverEntry overwritten: Middle's record finds nothing it trusts near
# .raSearch but nt's return address further up; Crash's own record still unwinds it
sed 's/"fpo+0x102e"/0x81234567/' "$DP_TMP/fpo.yaml" >"$DP_TMP/fpo-broken.yaml"
BROKEN=$(gen "$DP_TMP/fpo-broken.yaml")
run -p "$DP_SOURCE_DIR/pipelines/triage.yaml" -s "$DP_TMP/fpo.pdb" "$BROKEN"
expect_rc 0
expect_stack "f8a0d000 f7a0106d fpo!Crash+0x10
f8a0d038 80860002 fpo!Middle+0x2d
f8a0d040 00000000 nt!IopLoadDriver+0x102"
finish
