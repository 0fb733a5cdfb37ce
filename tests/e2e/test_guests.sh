# Windows guests in hypervisor-side dumps (issue 15 item 2; x86 guests: test_guests_x86.sh): one x64 guest that bug-checked (plain KDBG,
# context in KPRCB 0) and one that hung (no bug check, encoded KDBG), each written as QEMU's ELF (with and
# without the fwcfg header note), QEMU's kdump, a raw image, Xen's dump-core and a VMware .vmem: the
# guest is found (page-table root, ntoskrnl, modules, KDBG), triaged like a Windows dump (bug check or
# its absence, the stack of every CPU whose registers the container holds, SMBIOS, culprit).
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
util="python3 $DP_SOURCE_DIR/tests/e2e/containers_util.py"

# build SCENARIO NAME DPGEN-ARGS...: writes $DP_TMP/NAME
build() {
    local scen=$1 name=$2; shift 2
    "$DPGEN" -o "$DP_TMP/$name" "$@" "$scen" || _fail "dpgen $name"
}

# found FILE FORMAT ROOT KDBG CPU1: -v names how the guest was found; the module list and SMBIOS read
found() {
    run -v "$1"
    expect_rc 0
    expect_err "Windows x64 guest: page-table root 100000 ($3), ntoskrnl at fffff80002a0b000, 3 modules, KDBG at $4, 2 CPUs"
    expect_line "Dump format: $2, 3 modules"
    expect_line "SMBIOS 3.0: QEMU Standard PC (Q35 + ICH9, 2009)"
    expect_line "Virtual machine on KVM/QEMU: QEMU Standard PC (Q35 + ICH9, 2009)"
    if [ "$5" = cpu1 ]; then
        expect_line "CPU 1: 2 frames from nt!IopSynchronousServiceTail+0x6"
        expect_line "fffff880\`02f30f40 00000000\`00000000 nt!PspSystemThreadStartup+0x9"
    else
        expect_no_line "CPU 1:"
    fi
}

cpu0_stack() {
    expect_line "fffff880\`02f1e000 fffff880\`04a0110d mydrv!ReadRegister"
    expect_line "fffff880\`02f1e088 fffff800\`02a5b00b nt!IofCallDriver+0x7"
    expect_line "fffff880\`02f1e108 00000000\`00000000 nt!PspSystemThreadStartup+0x9"
}

for s in bugcheck running; do
    scen=$DP_SOURCE_DIR/tests/scenarios/guest-x64-$s.yaml
    build "$scen" $s.elf --type qemu-elf
    build "$scen" $s.win.elf --type qemu-elf --vmcoreinfo windows
    build "$scen" $s.p.elf --type qemu-elf --paging
    build "$scen" $s.kdump --type kdump
    build "$scen" $s.raw --type raw
    build "$scen" $s.xen --type xen
    $util vmware "$DP_TMP/$s.raw" "$DP_TMP/$s.vmem" "$DP_TMP/$s.vmss" || _fail "vmware $s"
done

# --- a bug check: KiBugCheckData through the KDBG; CPU 0's registers from its KPRCB's CONTEXT ---
plain="fffff80002bab000 (tag scan)"
found "$DP_TMP/bugcheck.elf" elf vcpu "$plain" cpu1
# the fwcfg header was captured at boot: its bug-check fields are zero, the bug check comes from memory
found "$DP_TMP/bugcheck.win.elf" elf header "fffff80002bab000 (header)" cpu1
found "$DP_TMP/bugcheck.p.elf" elf vcpu "$plain" cpu1
found "$DP_TMP/bugcheck.kdump" diskdump vcpu "$plain" cpu1
found "$DP_TMP/bugcheck.raw" raw "low stub" "$plain" no
found "$DP_TMP/bugcheck.xen" xc_core_elf "low stub" "$plain" no
found "$DP_TMP/bugcheck.vmem" vmware-vmem "low stub" "$plain" no
for f in elf win.elf p.elf kdump raw xen vmem; do
    run "$DP_TMP/bugcheck.$f"
    expect_line "Bugcheck:     000000d1 (0000000000000000, 0000000000000002, 0000000000000000, fffff88004a01000)"
    expect_line "[bugcheck] ERROR: DRIVER_IRQL_NOT_LESS_OR_EQUAL (0xD1)"
    cpu0_stack
    expect_line "Culprit: mydrv.sys"
    expect_line "FAILURE_BUCKET_ID:  0xD1_EXCEPTION_mydrv.sys!ReadRegister"
done

# --- a hang: no bug check, the KDBG encoded (Windows 8+), every CPU's live registers from QEMU's notes ---
decoded="fffff80002bab000 (decoded)"
found "$DP_TMP/running.elf" elf vcpu "$decoded" cpu1
found "$DP_TMP/running.win.elf" elf header "fffffa8000111040 (fwcfg copy)" cpu1
found "$DP_TMP/running.kdump" diskdump vcpu "$decoded" cpu1
found "$DP_TMP/running.raw" raw "low stub" "$decoded" no
for f in elf win.elf kdump raw; do
    run -o json "$DP_TMP/running.$f"
    expect_rc 0
    expect_json 'd["dump"]["bugcheck"] is None and d["dump"]["processors"] == 2'
    expect_json '"no bug check: the guest was running when dumped" in [f["title"] for f in d["findings"]]'
done
run "$DP_TMP/running.kdump"
cpu0_stack
# a raw image has no CPU notes, and a running guest saved no context: nothing to walk, said so
run "$DP_TMP/running.raw"
expect_rc 0
expect_line "[stack] info: not applicable: the dump has no context record of the crashing processor"

# --- a fwcfg header whose PsLoadedModuleList leads nowhere is dropped: the vCPUs' root is used ---
python3 - "$DP_TMP/bugcheck.win.elf" "$DP_TMP/badhdr.elf" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
h = b.index(b'PAGEDU64')
b[h + 0x20:h + 0x28] = (0xfffff80002a00000).to_bytes(8, 'little')
open(sys.argv[2], 'wb').write(b)
PY
found "$DP_TMP/badhdr.elf" elf vcpu "$plain" cpu1

# --- pool analyses on the guest's physical memory: a 0x19 (BAD_POOL_HEADER) with a bit flipped in a
# block size, the bug-check scenario otherwise ---
python3 - "$DP_SOURCE_DIR/tests/scenarios/guest-x64-bugcheck.yaml" "$DP_TMP/pool.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
a, b = s.index('bugcheck:\n'), s.index('context:\n')
open(sys.argv[2], 'w').write(s[:a] + """bugcheck:
  code: 0x19
  params: [0x20, 0xfffffa8001231200, 0xfffffa8001231280, 0x0c080008]
pools:
  - page: 0xfffffa8001231000
    blocks:
      - {tag: Proc, protected: true, size: 0x200}
      - {tag: NpAt, size: 0x80, header_size: 0xc0}
      - {tag: Even, free: true, size: 0x100}
      - {tag: File, size: 0x400}
      - {tag: "Irp", size: 0x880}
""" + s[b:])
PY
for t in kdump raw; do
    build "$DP_TMP/pool.yaml" pool.$t --type $t
    run "$DP_TMP/pool.$t"
    expect_rc 0
    expect_line "[poolwalk] CRITICAL: Pool page fffffa80\`01231000 is corrupt"
    expect_line "[ fffffa80\`01231200 ] block size: stored 0xc, expected 0x8: single bit error (bit 2)"
    expect_line "[tagattrib] info: Pool tag Proc (previous neighbour): nt!ps - process objects (EPROCESS)"
    expect_line "FAILURE_BUCKET_ID:  0x19_20_POOL_CORRUPTION_hardware"
done

# --- neither CPU notes nor a low stub: the self-referencing PML4 (slot 0x1ED) is the root ---
sed -e '/low_stub:/d' -e 's/^patches:$/patches:\n  - {pa: 0x100f68, qwords: [0x100063]}/' \
    "$DP_SOURCE_DIR/tests/scenarios/guest-x64-bugcheck.yaml" >"$DP_TMP/selfmap.yaml"
build "$DP_TMP/selfmap.yaml" selfmap.raw --type raw
found "$DP_TMP/selfmap.raw" raw self-map "$plain" no
expect_line "Bugcheck:     000000d1"

# --- no root at all: the container stays what it is, nothing claimed ---
sed -e '/low_stub:/d' "$DP_SOURCE_DIR/tests/scenarios/guest-x64-bugcheck.yaml" >"$DP_TMP/noroot.yaml"
build "$DP_TMP/noroot.yaml" noroot.raw --type raw
run -v "$DP_TMP/noroot.raw"
expect_rc 0
if grep -qF "Windows x64 guest" <<<"$ERR"; then _fail "a guest claimed without a page-table root"; else _ok; fi
expect_line "Dump format: raw, 0 modules"

# --- KdCopyDataBlock loading KiWaitAlways before KiWaitNever: the decoded header fails its check, so no
# KDBG (and no claim about the bug check); the guest is still found ---
sed -e 's/4c 8b 15 <nt+0x1a1208>/4c 8b 15 <nt+0x1a1210>/' -e 's/4c 8b 1d <nt+0x1a1210>/4c 8b 1d <nt+0x1a1208>/' \
    "$DP_SOURCE_DIR/tests/scenarios/guest-x64-running.yaml" >"$DP_TMP/swapped.yaml"
build "$DP_TMP/swapped.yaml" swapped.elf --type qemu-elf
run -v "$DP_TMP/swapped.elf"
expect_rc 0
expect_err "3 modules, KDBG not found"
expect_line "[bugcheck] info: no bug check in this dump"
finish
