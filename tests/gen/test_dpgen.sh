# Self-check of dpgen: every scenario in every dump type, read back by an independent reader
# (dpcheck.py), determinism, the ELF form through libkdumpfile, negative variants and scenario errors.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN="$DP_SOURCE_DIR/tests/scenarios"
CHECK="python3 $DP_SOURCE_DIR/tests/gen/dpcheck.py"
ELFCHECK=${DPGEN_ELFCHECK:-$DP_BUILD_DIR/tests/gen/dpgen_elfcheck}

# expect_ok WHAT CMD...: the command succeeds
expect_ok() { local what=$1; shift; if "$@" >"$DP_TMP/out" 2>&1; then _ok; else _fail "$what: $(cat "$DP_TMP/out")"; fi; }
expect_nok() { local what=$1; shift; if "$@" >"$DP_TMP/out" 2>&1; then _fail "$what: unexpectedly succeeded"; else _ok; fi; }

for name in seed-xen-0x19 x86-basic x64-basic small-x64; do
    for type in complete bitmap small elf; do
        ref="$DP_TMP/ref-$name-$type"; mkdir -p "$ref"
        out="$DP_TMP/$name.$type"
        expect_ok "dpgen $name --type $type" "$DPGEN" --type "$type" --refdir "$ref" -o "$out" "$SCEN/$name.yaml"
        expect_ok "dpcheck $name $type" $CHECK "$out" "$type" "$name" "$ref"
        "$DPGEN" --type "$type" -o "$out.again" "$SCEN/$name.yaml"
        expect_ok "$name $type deterministic" cmp "$out" "$out.again"
        rm -f "$out.again"
    done
done

# The ELF cores open in libkdumpfile as "elf" and hold the SMBIOS anchor at its physical address.
expect_ok "libkdumpfile reads seed ELF" "$ELFCHECK" "$DP_TMP/seed-xen-0x19.elf" 0xf0000 5f534d5f
expect_ok "libkdumpfile reads x64 ELF" "$ELFCHECK" "$DP_TMP/x64-basic.elf" 0x7fe00000 00
expect_ok "libkdumpfile reads x64 ELF anchor" "$ELFCHECK" "$DP_TMP/x64-basic.elf" 0xf5a80 5f534d335f
# QEMU's ELF form too (CPU and VMCOREINFO notes before the loads)
"$DPGEN" -o "$DP_TMP/x64-basic.qemu-elf" --type qemu-elf --vmcoreinfo windows "$DP_SOURCE_DIR/tests/scenarios/x64-basic.yaml"
expect_ok "libkdumpfile reads x64 QEMU ELF anchor" "$ELFCHECK" "$DP_TMP/x64-basic.qemu-elf" 0xf5a80 5f534d335f

# Scenario type is the default; --type overrides it.
"$DPGEN" -o "$DP_TMP/default.dmp" "$SCEN/x64-basic.yaml"
expect_ok "x64-basic defaults to bitmap" $CHECK "$DP_TMP/default.dmp" bitmap x64-basic

# Negative variants: each breaks exactly one thing.
variant() { # NAME SED-EXPR: x86-basic with one edit
    sed "$2" "$SCEN/x86-basic.yaml" >"$DP_TMP/$1.yaml"
    "$DPGEN" -o "$DP_TMP/$1.dmp" "$DP_TMP/$1.yaml" || _fail "dpgen on variant $1"
}
variant cyclic 's/^kernel:$/kernel:\n  module_list_cycle: true/'
expect_ok "cyclic module list" $CHECK "$DP_TMP/cyclic.dmp" complete cyclic
expect_nok "cyclic list fails the normal walk" $CHECK "$DP_TMP/cyclic.dmp" complete x86-basic
for mode in smbios-bad-checksum smbios-string-index smbios-overrun pool-flip cyclic; do # the checks can fail
    expect_nok "valid dump passes as $mode" $CHECK "$DP_TMP/x86-basic.complete" complete "$mode"
done
for mode in bad_checksum bad_string_index overrun; do
    variant "smb-$mode" "s/^smbios:\$/smbios:\n  $mode: true/"
done
expect_ok "smbios bad checksum" $CHECK "$DP_TMP/smb-bad_checksum.dmp" complete smbios-bad-checksum
expect_ok "smbios bad string index" $CHECK "$DP_TMP/smb-bad_string_index.dmp" complete smbios-string-index
expect_ok "smbios overrun" $CHECK "$DP_TMP/smb-overrun.dmp" complete smbios-overrun
cp "$SCEN/x86-basic.yaml" "$DP_TMP/flip.yaml"
echo 'patches: [{va: 0x81234002, flip_bit: 3}]' >>"$DP_TMP/flip.yaml"
"$DPGEN" -o "$DP_TMP/flip.dmp" "$DP_TMP/flip.yaml"
expect_ok "bit flip in a pool header" $CHECK "$DP_TMP/flip.dmp" complete pool-flip

# Scenario errors are reported with file:line and a non-zero exit, and leave no output file.
printf 'arch: x86\nmodules:\n  - {name: a.sys, base: 0x80000000, size: 0x4000, colour: red}\n' >"$DP_TMP/bad1.yaml"
expect_nok "unknown key rejected" "$DPGEN" -o "$DP_TMP/bad1.dmp" "$DP_TMP/bad1.yaml"
if grep -q "bad1.yaml:3: unknown key 'colour'" "$DP_TMP/out"; then _ok; else _fail "error message: $(cat "$DP_TMP/out")"; fi
if [ ! -e "$DP_TMP/bad1.dmp" ]; then _ok; else _fail "output left behind after an error"; fi
printf 'arch: x86\ncontext: {eip: "nosuch!Function+4"}\n' >"$DP_TMP/bad2.yaml"
expect_nok "unknown module in an expression" "$DPGEN" -o "$DP_TMP/bad2.dmp" "$DP_TMP/bad2.yaml"
printf 'arch: x64\npools:\n  - page: 0xfffffa8000001000\n    blocks: [{tag: Abcd, size: 0x800}]\n' >"$DP_TMP/bad3.yaml"
expect_nok "partial pool page rejected" "$DPGEN" -o "$DP_TMP/bad3.dmp" "$DP_TMP/bad3.yaml"
printf 'arch: x86\nmemory: {runs: [{base: 0x100000, size: 0x1000}]}\npools:\n  - page: 0x81000000\n    blocks: [{tag: Abcd, size: 0x1000}]\n' >"$DP_TMP/bad4.yaml"
expect_nok "allocation beyond explicit runs rejected" "$DPGEN" -o "$DP_TMP/bad4.dmp" "$DP_TMP/bad4.yaml"
expect_nok "bad --type" "$DPGEN" --type full -o "$DP_TMP/x.dmp" "$SCEN/x86-basic.yaml"
finish
