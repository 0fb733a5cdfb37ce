# hvdetect end to end: scenarios built by dpgen, run through dumppipe, text and JSON asserted.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN="$DP_SOURCE_DIR/tests/scenarios"

pipeline() { # pipeline NAME [signature lines...]: writes a pipeline running hvdetect, prints its path
    local p="$DP_TMP/$1.yaml"; shift
    { echo "steps:"; echo "  - plugin: hvdetect"
      if [ $# -gt 0 ]; then
          echo "    options:"; echo "      signatures:"
          for s in "$@"; do printf "        - '%s'\n" "$s"; done
      fi
      echo "sinks:"; echo "  - plugin: text"; } >"$p"
    echo "$p"
}
PIPE=$(pipeline plain)

# check SCENARIO VERDICT HYPERVISOR GUEST_TYPE CONFIDENCE [pipeline]: runs JSON then text output.
check() {
    local dump; dump=$(gen "$SCEN/$1.yaml")
    local pipe=${6:-$PIPE}
    run -p "$pipe" -o json "$dump"
    expect_rc 0
    local v="[f for f in d['findings'] if f['code']=='hv.verdict'][0]"
    expect_json "$v['evidence']['verdict']=='$2'"
    expect_json "$v['evidence']['hypervisor']=='$3'"
    expect_json "$v['evidence']['guest_type']=='$4'"
    expect_json "$v['confidence']==$5"
    expect_json "d['artifacts']['hv.verdict'][0]['fields']['verdict']=='$2'"
    run -p "$pipe" "$dump"
    expect_rc 0
}

check hv-xen-seed virtual Xen "Xen HVM domU" 95
expect_line "Machine ID Information [From Smbios 2.4, DMIVersion 36, Size="
expect_line "BiosMajorRelease = 3"
expect_line "BiosMinorRelease = 1"
expect_line "BiosVendor = Xen"
expect_line "BiosVersion = 3.1.0"
expect_line "SystemManufacturer = Xen"
expect_line "SystemProductName = HVM domU"
expect_line "SystemVersion = 3.1.0"
expect_line "start end module name"
expect_line "f6012000 f605f000 dump_xenvbd"
expect_line "f794b000 f795c000 xennet"
expect_line "f82c0000 f830d000 xenvbd"
expect_line "f845f000 f846b000 XENUTIL"
expect_line "f84cf000 f84db000 dump_XENUTIL"
expect_no_line "Ntfs"

check hv-vmware virtual VMware "VMware VM (BIOS firmware)" 95
expect_line "SystemManufacturer = VMware, Inc."
check hv-hyperv virtual "Microsoft Hyper-V" "Hyper-V generation 2 VM" 95
expect_line "Machine ID Information [From Smbios 3.1, DMIVersion 0, Size="
check hv-kvm virtual KVM/QEMU "QEMU Standard PC (i440FX + PIIX, 1996)" 95
check hv-virtualbox virtual "Oracle VirtualBox" "VirtualBox VM" 95
check hv-aws-nitro virtual "Amazon EC2 Nitro" "Amazon EC2 m5.large" 75
check hv-uefi-high-table virtual KVM/QEMU "QEMU Standard PC (Q35 + ICH9, 2009)" 75
expect_line "SMBIOS: SMBIOS 3.0 (_SM3_ entry point at 0x7ff0000), table at 0x7ff1000"

check hv-baremetal-dell bare-metal none "" 85
expect_line "SystemProductName = PowerEdge R740"
check hv-loose-strings bare-metal none "" 85
expect_line "Verdict: physical machine"
expect_line "Evidence:"
expect_no_line "  (none)"
expect_line "  smbios.manufacturer = Dell Inc. (no hypervisor signature)"
check hv-no-smbios unknown unknown "" 0
expect_line "  (none)"

check hv-no-smbios unknown unknown "" 0
expect_line "SMBIOS not read: no SMBIOS entry point in the dump's physical memory"
check hv-bad-checksum unknown unknown "" 0

# Without a signature the in-house hypervisor reads as bare metal; a pipeline signature names it.
check hv-custom bare-metal none "" 85
CUSTOM=$(pipeline custom 'acme smbios.manufacturer "ACME Hypervisor*"' 'acme driver acmevirt' \
    'acme name "ACME HV"' 'acme guest smbios.product "Cloud Box*" "ACME {}"')
check hv-custom virtual "ACME HV" "ACME Cloud Box 9" 95 "$CUSTOM"
BAD=$(pipeline bad 'acme smbios.colour ACME')
run -p "$BAD" "$DP_TMP/hv-custom.dmp"
expect_line "option signatures[0] line 1: unknown source (driver, format or smbios.<field>)"
expect_no_line "Verdict:"

finish
