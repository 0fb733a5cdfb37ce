# 32-bit Windows guests in hypervisor-side dumps (issue 15): the seed's Xen HVM guest (Windows 2003 x86
# PAE, BAD_POOL_HEADER 0x19) written as QEMU's ELF, QEMU's kdump, a raw image and Xen's dump-core, with
# what such a guest's memory holds (guest: KiBugCheckData and KiProcessorBlock in ntoskrnl's .data, the
# KDBG there too, the page tables' self-map at 0xC0600000; a second CPU's live registers in QEMU's
# notes). Found from the vCPUs' CR3 (ELF, kdump) or the self-map (raw, Xen) and triaged as the seed's
# Windows dump is. Also non-PAE, and what must not be claimed. QEMU's Windows header note is x64-only
# (win_dump.c), so there is no fwcfg form here.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
seed=$DP_SOURCE_DIR/tests/scenarios/seed-xen-0x19.yaml

build() {
    local scen=$1 name=$2; shift 2
    "$DPGEN" -o "$DP_TMP/$name" "$@" "$scen" || _fail "dpgen $name"
}

# the guest: the KDBG in ntoskrnl's .data (the seed's own sits in pool), the guest: key's structures;
# CPU 1 was inside 3rdfilter's call to IofCallDriver, on the same kernel stack lower down (a test shape)
sed -e 's/^  pfn_database: 0x81800000$/&\n  kdbg: nt+0x1a5000/' "$seed" >"$DP_TMP/pae.yaml"
cat >>"$DP_TMP/pae.yaml" <<'YAML'
guest:
  bugcheck_data: nt+0x1a6b00
  processor_block: nt+0x1a6c00
  self_map: true
  cpus:
    - {rip: nt!IofCallDriver+0x45, rsp: 0xb80a6388, rbp: 0xb80a6398}
YAML
sed -e 's/^arch: x86-pae/arch: x86/' "$DP_TMP/pae.yaml" >"$DP_TMP/nopae.yaml"
for t in qemu-elf kdump raw xen; do build "$DP_TMP/pae.yaml" pae.$t --type $t; done
for t in qemu-elf raw; do build "$DP_TMP/nopae.yaml" nopae.$t --type $t; done

# triaged FILE: the seed's story, as from its Windows dump
triaged() {
    run "$1"
    expect_rc 0
    expect_line "Bugcheck:     00000019 (00000020, a34583b8, a34584f0, 0a270001)"
    expect_line "[bugcheck] CRITICAL: BAD_POOL_HEADER (0x19): a pool block header size is corrupt."
    expect_line "[stack] info: 22 frames from nt!KeBugCheckEx+0x1b"
    expect_line "b80a60cc 808927bb nt!KeBugCheckEx+0x1b"
    expect_line "b80a6144 b9591400 nt!ExFreePool+0xf"
    expect_line "b80a63d8 00000000 nt!KiFastCallEntry+0xfc"
    expect_line "[poolwalk] CRITICAL: Pool page a3458000 is corrupt: zero block size at a34584f0"
    expect_line "[tagattrib] info: Pool tag DRIV (corrupt block): owned by driver.sys"
    expect_line "IMAGE_NAME:  driver.sys"
    expect_line "FAILURE_BUCKET_ID:  0x19_20_POOL_CORRUPTION_driver.sys"
    expect_line "Virtual machine on Xen: Xen HVM domU (SMBIOS and drivers agree)"
    expect_line "f82c0000 f830d000 xenvbd"
}

# found FILE FORMAT MODE ROOT HOW: -v names the guest and how it was found
found() {
    run -v "$1"
    expect_rc 0
    expect_err "Windows $3 guest: page-table root $4 ($5), ntoskrnl at 80800000, 13 modules, KDBG at 809a5000 (tag scan), 4 CPUs"
    expect_line "Dump format: $2, 13 modules"
    triaged "$1"
}

found "$DP_TMP/pae.qemu-elf" elf "x86 PAE" 100020 vcpu
found "$DP_TMP/pae.kdump" diskdump "x86 PAE" 100020 vcpu
found "$DP_TMP/pae.raw" raw "x86 PAE" 100020 self-map
found "$DP_TMP/pae.xen" xc_core_elf "x86 PAE" 100020 self-map
found "$DP_TMP/nopae.qemu-elf" elf x86 100000 vcpu
found "$DP_TMP/nopae.raw" raw x86 100000 self-map
for f in pae.raw pae.xen nopae.raw; do
    run -o json "$DP_TMP/$f"
    expect_json 'd["dump"]["arch"] == "x86" and d["dump"]["machine_type"] == 0x14c and d["dump"]["processors"] == 4'
done

# every CPU: CPU 0 from its KPRCB's CONTEXT (bug check), CPU 1 from QEMU's note; CPUs 2 and 3 have
# neither a saved context nor live registers worth a walk
for f in pae.qemu-elf pae.kdump; do
    run "$DP_TMP/$f"
    expect_line "[stack] info: CPU 1: 4 frames from nt!IofCallDriver+0x45"
    expect_no_line "CPU 2: "
done
run "$DP_TMP/pae.raw"
expect_no_line "CPU 1: "

# without the guest: key's structures: the vCPU's root still finds the kernel and its modules, but the
# seed's KDBG lies outside ntoskrnl: no KDBG, so no claim about a bug check
build "$seed" plain.qemu-elf --type qemu-elf
run -v "$DP_TMP/plain.qemu-elf"
expect_rc 0
expect_err "Windows x86 PAE guest: page-table root 100020 (vcpu), ntoskrnl at 80800000, 13 modules, KDBG not found"
expect_line "[bugcheck] info: no bug check in this dump"
expect_line "Virtual machine on Xen: Xen HVM domU"

# not claimed: a raw image without a self-mapping root (firmware-only memory for the finder), and a
# Linux guest's ELF
build "$seed" plain.raw --type raw
run -v "$DP_TMP/plain.raw"
expect_rc 0
if grep -qF " guest: page-table root" <<<"$ERR"; then _fail "a guest claimed without a page-table root"; else _ok; fi
expect_line "Dump format: raw, 0 modules"
expect_line "Virtual machine on Xen: Xen HVM domU"
build "$DP_TMP/pae.yaml" linux.elf --type qemu-elf --vmcoreinfo linux:4.19.0-27-686-pae
run -v "$DP_TMP/linux.elf"
expect_rc 0
if grep -qF " guest: page-table root" <<<"$ERR"; then _fail "a Linux guest claimed as Windows"; else _ok; fi
expect_line "[bugcheck] info: not applicable: Linux 4.19.0-27-686-pae guest: the Windows analyzers do not apply"

# a self-map whose fourth directory does not map the PDPT's second one is not a Windows PAE root
python3 - "$DP_TMP/pae.raw" "$DP_TMP/badmap.raw" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
pdpt = 0x100020
e = struct.unpack_from('<4Q', b, pdpt)
pd3 = e[3] & 0x000ffffffffff000
struct.pack_into('<Q', b, pd3 + 8 * 2, (e[2] & ~0xfff) + 0x1000 | 0x63)
open(sys.argv[2], 'wb').write(b)
PY
run -v "$DP_TMP/badmap.raw"
expect_rc 0
if grep -qF " guest: page-table root" <<<"$ERR"; then _fail "a broken self-map accepted"; else _ok; fi
finish
