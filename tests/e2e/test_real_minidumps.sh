# The five real Windows small dumps in ../shared/testdata/real (README there) through the shipped
# triage pipeline: exit 0, no step failed, SMBIOS from the dumps' secondary data, the physical-machine
# verdict, the ARM64 frame chain; then generated ARM64 dumps and a 32-bit ARM one. Real-dump checks skip
# when ../shared is absent.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
REAL=${DP_REAL_DIR:-}
F="[f for f in d['findings'] if f['code']=="
SMB="$F'hv.smbios'][0]['evidence']"
VER="$F'hv.verdict'][0]"

# triage NAME: the shipped pipeline as JSON; every step ok or skipped, exit 0.
triage() {
    run -o json "$REAL/$1"
    expect_rc 0
    expect_json "all(s['status'] in ('ok', 'skipped') for s in d['steps'])"
}

# smbios NAME FIELD=VALUE...: exact strings of the decoded table.
smbios() {
    local name=$1; shift
    for kv in "$@"; do expect_json "$SMB.get('smbios.${kv%%=*}')=='''${kv#*=}'''"; done
}

physical() { # a physical machine, with SMBIOS evidence in the details
    expect_json "$VER['evidence']['verdict']=='bare-metal'"
    expect_json "$VER['title'].startswith('Physical machine: $1')"
    expect_json "'smbios.manufacturer = $1 (no hypervisor signature)' in $VER['details']"
    expect_json "$SMB['dump_tag']=='{BC5C008F-1E3A-44D7-988D-86F6884C6758}'"
}

if [ -r "$REAL/mini_arm64_0xe2.dmp" ]; then
    for n in mini_x64_0x50_ntfs mini_x64_0x1e; do
        triage $n.dmp
        smbios $n manufacturer="ASUSTeK COMPUTER INC." product="ASUS TUF Gaming A15 FA506IV_FA506IV" \
            bios_vendor="American Megatrends Inc." bios_version=FA506IV.320 bios_date=06/01/2022 \
            board_product=FA506IV board_version=1.0
        physical "ASUSTeK COMPUTER INC."
        # Vid.sys and winhvr.sys: this machine hosts Hyper-V (root partition), it is not a guest
        expect_json "$VER['evidence']['host.Vid.sys']=='hyperv'"
        expect_json "'root partition of a Hyper-V host' in $VER['details']"
    done

    triage mini_x64_0x133_dell.dmp
    smbios dell manufacturer="Dell Inc." product="Vostro 3020 T" sku=0BD5 family=Vostro bios_vendor="Dell Inc." \
        bios_version=1.12.0 bios_date=01/30/2024 board_manufacturer="Dell Inc." board_product=072R81 board_version=A00
    physical "Dell Inc."
    expect_json "d['artifacts']['smbios.info'][0]['fields']['product']=='Vostro 3020 T'"

    triage mini_arm64_0xe2.dmp
    smbios arm64 manufacturer="ASUSTeK COMPUTER INC." product="NovaGo TP370QL" bios_vendor="Qualcomm Inc." \
        bios_version=TP370QL.259 bios_date=06/08/2018 processor="Snapdragon(TM) 835"
    physical "ASUSTeK COMPUTER INC."
    expect_json "d['dump']['arch']=='arm64' and d['dump']['paging']=='aarch64'"
    # kdlibcpp's own test of this dump: at least 11 frames, frame 0 in nt!KeBugCheck2, frame 11 in Wdf01000
    FR="[r['fields'] for r in d['artifacts']['stack.frame']]"
    expect_json "len($FR) >= 12"
    expect_json "$FR[0]['module']=='ntoskrnl.exe' and $FR[0]['ip']=='0xfffff801bcd52de8'"
    expect_json "$FR[11]['module']=='Wdf01000.sys' and $FR[11]['symbol']=='Wdf01000+0x2710c'"
    expect_json "all(f['source']=='frame-pointer' for f in $FR[1:])"
    expect_json "[s['status'] for s in d['steps'] if s['plugin']=='stack']==['ok']"
    run "$REAL/mini_arm64_0xe2.dmp"
    expect_rc 0
    expect_line "Machine ID Information [From Smbios 3.0, DMIVersion 0, Size=682]"
    expect_line "Verdict: physical machine"

    # all five on one command line, in-process: still exit 0
    run --no-isolation -o json "$REAL"/*.dmp
    expect_rc 0
    if [ "$(printf '%s\n' "$OUT" | grep -c '^{')" -eq 5 ]; then _ok; else _fail "expected five JSON reports"; fi

    triage triage_x64.dmp
    expect_json "$F'hv.smbios'][0]['title']=='SMBIOS not read: this dump carries no SMBIOS table (no physical memory, none in its secondary data)'"
    expect_json "'smbios.info' not in d['artifacts']"
    # a Hyper-V root partition and VMware/VirtualBox host: its vmci/vsock/hvsocket prove nothing
    expect_json "$VER['evidence']['verdict']=='bare-metal' and $VER['confidence']==60"
    expect_json "$VER['evidence']['host.vmbusr.sys']=='hyperv'"
else
    echo "SKIP: real dumps not present in ${REAL:-../shared/testdata/real}"
fi

# --- generated ARM64 dumps ---
SMALL=$(gen "$DP_SOURCE_DIR/tests/scenarios/small-arm64.yaml")
run -o json "$SMALL"
expect_rc 0
FR="[r['fields'] for r in d['artifacts']['stack.frame']]"
expect_json "len($FR)==15"
expect_json "[f['symbol'] for f in $FR][:3]==['nt+0x222de8', 'kbdhid+0x3a8c', 'HIDPARSE+0x48f0']"   # no PE headers in a small dump: no exports
expect_json "$FR[9]['symbol']=='Wdf01000+0x2710c' and $FR[14]['ret']=='0x0'"
expect_json "[f['confidence'] for f in $FR if f['symbol']=='nt+0x8397c']==[95, 95]"   # the bl before it is in the dump
smbios small manufacturer="ASUSTeK COMPUTER INC." product="NovaGo TP370QL" bios_vendor="Qualcomm Inc."
expect_json "$VER['evidence']['verdict']=='bare-metal'"

BITMAP=$(gen "$DP_SOURCE_DIR/tests/scenarios/arm64-bitmap.yaml")
run -o json "$BITMAP"
expect_rc 0
expect_json "d['dump']['dump_type']=='bitmap-kernel' and d['dump']['paging']=='aarch64'"
FR="[r['fields'] for r in d['artifacts']['stack.frame']]"
expect_json "[f['symbol'] for f in $FR]==['nt!KeBugCheckEx', 'faulty+0x2344', 'faulty+0x2504', 'nt!IofCallDriver+0x20']"
expect_json "all(f['confidence']==95 for f in $FR)"
expect_json "$VER['evidence']['hypervisor']=='Microsoft Hyper-V'"    # SMBIOS and vmbus/storvsc, read through AArch64 tables
expect_json "$SMB['smbios.product']=='Virtual Machine'"

# --- 32-bit ARM (ARMNT): refused with one line, exit 3 ---
X86=$(gen "$DP_SOURCE_DIR/tests/scenarios/x86-basic.yaml")
printf '\xc4\x01\x00\x00' | dd of="$X86" bs=1 seek=$((0x20)) conv=notrunc status=none
run "$X86"
expect_rc 3
expect_err "32-bit ARM (ARMNT, machine 0x1c4) dumps are not supported"
if [ "$(printf '%s\n' "$ERR" | grep -c .)" -eq 1 ]; then _ok; else _fail "ARMNT refusal is not one line: $ERR"; fi
finish
