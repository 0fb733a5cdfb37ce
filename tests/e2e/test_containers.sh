# Hypervisor-side containers (issue 15): one guest written as a Windows dump's ELF, QEMU's ELF (with and
# without the VMCOREINFO note), QEMU's kdump-compressed file (architecture unset, as QEMU writes it), a
# raw image and a VMware .vmem with its .vmss: hvdetect must give the same SMBIOS and verdict on all.
# Then the paging ELF (-p), raw images named with --format raw, and Linux guests (exit 0, named).
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
util="python3 $DP_SOURCE_DIR/tests/e2e/containers_util.py"
quick=$DP_SOURCE_DIR/pipelines/quick.yaml

# same_verdict SCENARIO EXPECTED: every container of the scenario gives hvdetect titles EXPECTED
same_verdict() {
    local scen=${3:-$DP_SOURCE_DIR/tests/scenarios/$1.yaml} want=$2 files=() t
    for t in elf qemu-elf kdump raw; do
        "$DPGEN" -o "$DP_TMP/$1.$t" --type "$t" "$scen" || _fail "dpgen $1 --type $t"
        files+=("$DP_TMP/$1.$t")
    done
    "$DPGEN" -o "$DP_TMP/$1.win.qemu-elf" --type qemu-elf --vmcoreinfo windows "$scen" && files+=("$DP_TMP/$1.win.qemu-elf")
    # the paging form (-p): before, "more than 1048576 runs of present pages"
    "$DPGEN" -o "$DP_TMP/$1.p.qemu-elf" --type qemu-elf --paging "$scen" && files+=("$DP_TMP/$1.p.qemu-elf")
    "$DPGEN" -o "$DP_TMP/$1.named.kdump" --type kdump --kdump-machine x86_64 "$scen" && files+=("$DP_TMP/$1.named.kdump")
    # QEMU writes its kdump files flattened (makedumpfile -F); libkdumpfile 0.5.1 cannot read those itself
    python3 "$DP_SOURCE_DIR/tests/e2e/kdump_mutants.py" flatten "$DP_TMP/$1.kdump" "$DP_TMP/$1.flat.kdump" &&
        files+=("$DP_TMP/$1.flat.kdump")
    $util vmware "$DP_TMP/$1.raw" "$DP_TMP/$1.vmem" "$DP_TMP/$1.vmss" && files+=("$DP_TMP/$1.vmem")
    run -o json -p "$quick" "${files[@]}"
    expect_rc 0
    local got; got=$($util verdict <<<"$OUT" | sort | uniq -c)
    if [ "$(wc -l <<<"$got")" -eq 1 ] && grep -qF -- "${#files[@]} $want" <<<"$got"; then _ok
    else _fail "$1: containers disagree or differ from '$want': $got"; fi
}

# the seed's x86 guest with the page-table self-map every Windows has: found in every container (vCPU CR3
# or self-map, docs/guests.md), so its Xen drivers back the SMBIOS verdict everywhere
{ cat "$DP_SOURCE_DIR/tests/scenarios/seed-xen-0x19.yaml"; printf 'guest:\n  self_map: true\n'; } >"$DP_TMP/seed-sm.yaml"
same_verdict seed-xen-0x19 "SMBIOS 2.4: Xen HVM domU | Virtual machine on Xen: Xen HVM domU (SMBIOS and drivers agree)" \
    "$DP_TMP/seed-sm.yaml"
same_verdict hv-kvm "SMBIOS 2.8: QEMU Standard PC (i440FX + PIIX, 1996) | Virtual machine on KVM/QEMU: QEMU Standard PC (i440FX + PIIX, 1996) (SMBIOS only)"

# Xen's xl dump-core of the same guest: read by its sections; the format itself says Xen too
x=$(gen "$DP_SOURCE_DIR/tests/scenarios/seed-xen-0x19.yaml" --type xen)
run -o json -p "$quick" "$x"
expect_rc 0
expect_json 'd["dump"]["format"] == "xc_core_elf" and d["dump"]["arch"] == "x86"'
expect_json '[f["title"] for f in d["findings"] if f["plugin"] == "hvdetect"][0] == "SMBIOS 2.4: Xen HVM domU"'
expect_json '"Virtual machine on Xen: Xen HVM domU" in [f["title"] for f in d["findings"] if f["plugin"] == "hvdetect"][1]'
head -c 1000000 "$x" >"$DP_TMP/cut.xen"
run -p "$quick" "$DP_TMP/cut.xen"
expect_rc 3
expect_err "cut.xen: malformed ELF dump: section headers outside the file"

# QEMU's kdump leaves the architecture unset: it comes from the CPU notes (4 x NT_PRSTATUS of i386 size)
run -o json -p "$quick" "$DP_TMP/seed-xen-0x19.kdump"
expect_json 'd["dump"]["format"] == "diskdump" and d["dump"]["arch"] == "x86" and d["dump"]["processors"] == 4'
run -o json -p "$quick" "$DP_TMP/seed-xen-0x19.raw"
expect_json 'd["dump"]["format"] == "raw"'
run -o json -p "$quick" "$DP_TMP/seed-xen-0x19.vmem"
expect_json 'd["dump"]["format"] == "vmware-vmem"'

# a file that is not memory is not claimed as a raw image; named with --format raw it is read flat
head -c 2097152 /dev/zero >"$DP_TMP/zeros.bin"
run -p "$quick" "$DP_TMP/zeros.bin"
expect_rc 3
expect_err "zeros.bin: not a crash dump libkdumpfile or dumppipe can read"
run --format raw -o json -p "$quick" "$DP_TMP/zeros.bin"
expect_rc 0
expect_json 'd["dump"]["format"] == "raw"'
run --format qcow2 "$DP_TMP/zeros.bin"
expect_rc 2

# the paging ELF (dump-guest-memory -p): PT_LOADs at guest virtual addresses, pages mapped twice, a
# device page with no bytes; it opens and finds its physical pages (it once looped to 1048576 runs)
p=$(gen "$DP_SOURCE_DIR/tests/scenarios/x64-basic.yaml" --type qemu-elf --paging)
run -o json -p "$quick" "$p"
expect_rc 0
expect_json 'd["dump"]["format"] == "elf" and d["dump"]["arch"] == "x64"'
$util virtual-paddr "$p" "$DP_TMP/virtual.elf"
run -p "$quick" "$DP_TMP/virtual.elf"
expect_rc 3
expect_err "virtual.elf: paging dump whose segments carry no physical addresses: use a dump without -p"

# Linux guests: named, the Windows analyzers skipped, exit 0; hvdetect still reads SMBIOS
for t in qemu-elf kdump; do
    l=$(gen "$DP_SOURCE_DIR/tests/scenarios/hv-kvm.yaml" --type "$t" --vmcoreinfo linux:6.1.0-56-cloud-amd64)
    run "$l"
    expect_rc 0
    expect_line "[stack] info: not applicable: Linux 6.1.0-56-cloud-amd64 guest: the Windows analyzers do not apply"
    expect_line "[bugcheck] info: not applicable: Linux 6.1.0-56-cloud-amd64 guest: the Windows analyzers do not apply"
    expect_line "[hvdetect] info: Virtual machine on KVM/QEMU"
done
finish
