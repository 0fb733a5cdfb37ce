# stack: STACK_TEXT, the culprit and the bucket on generated dumps (x86 seed, x64 with unwind data,
# small dumps, moved modules, hostile frame chains) and on the real Windows 10 small memory dump.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN=$DP_SOURCE_DIR/tests/scenarios

# text and JSON pipelines over the same steps; tagattrib and codeptr are also pointed at the DRIV block
# explicitly, so the culprit's reasons hold whether or not poolwalk names it the corrupt block.
steps() {
    cat <<YAML
version: 1
steps:
  - plugin: bugcheck
  - plugin: poolwalk
  - plugin: tagattrib
    options: { tags_of_interest: [DRIV] }
  - plugin: codeptr
    options: { ranges: ["a34583b8+0x138"] }
  - plugin: stack
$1
YAML
}
TEXT=$(steps "sinks: [{plugin: text}]" | pipeline seed-text)
JSON=$(steps "sinks: [{plugin: json}]" | pipeline seed-json)
bucket() { sed -n 's/^FAILURE_BUCKET_ID:  //p' <<<"$OUT"; }

# ---- the seed: x86 PAE complete dump, EBP chain through driver.sys and the filter drivers ----
SEED=$(gen "$SCEN/seed-xen-0x19.yaml")
run -p "$TEXT" "$SEED"
expect_rc 0
for line in "b80a60cc 808927bb nt!KeBugCheckEx+0x1b" "b80a6134 80892b6f nt!ExFreePoolWithTag+0x477" \
    "b80a6144 b9591400 nt!ExFreePool+0xf" "b80a615c b957b954 driver+0x38400" "b80a617c b957d482 driver+0x22954" \
    "b80a61c0 b957abf4 driver+0x24482" "b80a6260 b957ccef driver+0x21bf4" "b80a62a8 8081df65 driver+0x23cef" \
    "b80a62bc f721ac45 nt!IofCallDriver+0x45" "b80a62e4 8081df65 fltMgr!FltpDispatch+0x6f" \
    "b80a6308 b99da6ee filter!Dispatch+0xfb" "b80a6318 8081df65 filter!dispatch+0x6e" \
    "b80a6334 8081df65 2ndfilter!Redirect+0x7ea" "b80a6374 b9bd1860 3rdfilter!PassThrough+0x136" \
    "b80a6384 8081df65 3rdfilter!Dispatch+0x80" "b80a63ac 808ef963 nt!IopSynchronousServiceTail+0x10b" \
    "b80a63d0 8088978c nt!NtQueryDirectoryFile+0x5d"; do
    expect_line "$line"
done
expect_line "[stack] info: 22 frames from nt!KeBugCheckEx+0x1b (confidence 95%)"
expect_no_line "WARNING: Stack unwind information not available"
expect_line "Culprit: driver.sys"
expect_line "  - first non-OS module on the stack: driver+0x38400 (frame 3, which called nt!ExFreePool+0xf)"
expect_line "  - pool tag DRIV"
expect_line "is driver.sys's (code)"
expect_line "holds a code pointer to driver+0x36532 at a34583c8 (function-entry)"
expect_line "MODULE_NAME: driver"
expect_line "IMAGE_NAME:  driver.sys"
expect_line "FAILURE_BUCKET_ID:  0x19_20_POOL_CORRUPTION_driver.sys"
SEED_BUCKET=$(bucket)

run -p "$JSON" "$SEED"
expect_json "[r['fields']['module'] for r in d['artifacts']['stack.frame']][3] == 'driver.sys'"
expect_json "all(r['fields']['source'] in ('context', 'frame-pointer') for r in d['artifacts']['stack.frame'])"
expect_json "any(v['fields']['module'] == 'driver.sys' and v['fields']['weight'] == 50 and v['publisher'] == 'stack' and 'function' not in v['fields'] for v in d['artifacts']['culprit.vote'])"
expect_json "d['summary']['culprit']['module'] == 'driver.sys'"

# the same crash with driver.sys loaded elsewhere: other addresses, same bucket
sed 's/base: 0xb9559000/base: 0xb9759000/' "$SCEN/seed-xen-0x19.yaml" >"$DP_TMP/seed-moved.yaml"
run -p "$TEXT" "$(gen "$DP_TMP/seed-moved.yaml")"
expect_line "b80a6144 b9791400 nt!ExFreePool+0xf"
if [ "$(bucket)" = "$SEED_BUCKET" ]; then _ok; else _fail "moved driver: bucket $(bucket) != $SEED_BUCKET"; fi

# a small memory dump of the seed: no images, so frames are accepted by module range, less surely
run -p "$TEXT" "$(gen "$SCEN/seed-xen-0x19.yaml" --type small)"
expect_line "b80a615c b957b954 driver+0x38400"
expect_line "frames accepted by module range alone"
expect_line "Culprit: driver.sys"
expect_line "(a value inside driver.sys on the stack; its code is not in the dump to confirm a call)"

# hostile chain: driver+0x38400's frame points at itself. The walk must end, and scan past it.
{ cat "$SCEN/seed-xen-0x19.yaml"; printf 'patches:\n  - {va: 0xb80a615c, dwords: [0xb80a615c]}\n'; } >"$DP_TMP/seed-cycle.yaml"
run -p "$TEXT" "$(gen "$DP_TMP/seed-cycle.yaml")"
expect_rc 0
expect_line "WARNING: Stack unwind information not available. Following frames may be wrong."
expect_line "b957b954 driver+0x38400"
expect_line "nt!IopSynchronousServiceTail+0x10b"
expect_line "Culprit: driver.sys"

# ---- x64: unwind data, a leaf, a frameless function, an rbp frame ----
X64=$DP_TMP/x64.yaml
cp "$SCEN/stack-x64-unwind.yaml" "$X64"
P64=$(printf 'version: 1\nsteps:\n  - plugin: bugcheck\n  - plugin: stack\nsinks: [{plugin: text}]\n' | pipeline x64-text)
J64=$(printf 'version: 1\nsteps:\n  - plugin: bugcheck\n  - plugin: stack\nsinks: [{plugin: json}]\n' | pipeline x64-json)
D64=$(gen "$X64")
run -p "$P64" "$D64"
expect_line "fffff880\`02f1e000 fffff880\`04a0110d mydrv!ReadRegister"
expect_line "fffff880\`02f1e008 fffff880\`04a0120f mydrv!PollDevice+0xd"
expect_line "fffff880\`02f1e038 fffff800\`02a471c7 mydrv!DispatchIoctl+0xf"
expect_line "fffff880\`02f1e088 fffff800\`02a5b00b nt!IofCallDriver+0x7"
expect_line "fffff880\`02f1e0c8 fffff800\`02a6b009 nt!IopSynchronousServiceTail+0xb"
expect_line "fffff880\`02f1e108 00000000\`00000000 nt!PspSystemThreadStartup+0x9"
expect_no_line "WARNING: Stack unwind information not available"
expect_line "Culprit: mydrv.sys"
expect_line "IMAGE_NAME:  mydrv.sys"
expect_line "FAILURE_BUCKET_ID:  0xD1_EXCEPTION_mydrv.sys!ReadRegister"
X64_BUCKET=$(bucket)
run -p "$J64" "$D64"
expect_json "[r['fields']['source'] for r in d['artifacts']['stack.frame']] == ['context'] + ['unwind'] * 5"
expect_json "any(v['fields'].get('function') == 'ReadRegister' for v in d['artifacts']['culprit.vote'])"

# modules loaded elsewhere: same bucket; another driver: another bucket
sed -e 's/base: 0xfffff88004a00000/base: 0xfffff88007e40000/' -e 's/base: 0xfffff80002a0b000/base: 0xfffff80003c1d000/' \
    "$SCEN/stack-x64-unwind.yaml" >"$DP_TMP/x64-moved.yaml"
run -p "$P64" "$(gen "$DP_TMP/x64-moved.yaml")"
expect_line "mydrv!PollDevice+0xd"
if [ "$(bucket)" = "$X64_BUCKET" ]; then _ok; else _fail "moved x64: bucket $(bucket) != $X64_BUCKET"; fi
sed 's/mydrv/otherdrv/g' "$SCEN/stack-x64-unwind.yaml" >"$DP_TMP/x64-other.yaml"
run -p "$P64" "$(gen "$DP_TMP/x64-other.yaml")"
expect_line "FAILURE_BUCKET_ID:  0xD1_EXCEPTION_otherdrv.sys!ReadRegister"
if [ "$(bucket)" != "$X64_BUCKET" ]; then _ok; else _fail "another culprit gave the same bucket"; fi

# os_modules: a pipeline that declares mydrv part of the OS leaves nothing to blame
POS=$(printf 'version: 1\nsteps:\n  - plugin: stack\n    options: { os_modules: [mydrv] }\nsinks: [{plugin: text}]\n' | pipeline x64-os)
run -p "$POS" "$D64"
expect_line "[stack] warning: mydrv.sys: the fault happened there"
expect_line "(an operating-system module: a driver on the same stack would outweigh it)"
expect_line "SYMBOL_NAME:  mydrv!ReadRegister"

# ---- the real small memory dumps: the fault's own context, its stack, the culprit and the keys ----
# real_dump FILE LINE...: the x64 pipeline on a real dump (skipped when absent): exit 0 and every LINE.
real_dump() {
    local f=${DP_REAL_DIR:-}/$1; shift
    if [ ! -r "$f" ]; then echo "skipping $f: not readable"; return 1; fi
    run -p "$P64" "$f"
    expect_rc 0
    local l
    for l in "$@"; do expect_line "$l"; done
}

if real_dump triage_x64.dmp \
    "[stack] info: context record of the fault: .cxr 0xffff850429891720 (Arg4)" \
    "EXCEPTION_RECORD:  ffff850429891ee8 -- (.exr 0xffff850429891ee8)" \
    "   ExceptionCode: c0000005 (Access violation)" \
    "Attempt to write to address ffffffffffffffff" \
    "CONTEXT:  ffff850429891720 -- (.cxr 0xffff850429891720)" \
    "rip=fffff8048b58334c rsp=ffff850429892120 rbp=fffff8048b58f598" \
    "fffff804\`8b58334c 43891401        mov     dword ptr [r9+r8],edx" \
    "ffff8504\`29892120 fffff804\`8b5a2e2c amdppm+0x334c" \
    "amdppm+0x313f" \
    "Culprit: amdppm.sys" \
    "  - the bug check's exception_address amdppm+0x334c is in amdppm.sys" \
    "BUGCHECK_CODE:  1000007e" \
    "BUGCHECK_P4: ffff850429891720" \
    "PROCESS_NAME:  System" \
    "SYMBOL_NAME:  amdppm+0x334c" \
    "IMAGE_NAME:  amdppm.sys" \
    "STACK_COMMAND:  .cxr 0xffff850429891720 ; kb" \
    "FAILURE_BUCKET_ID:  0x7E_C0000005_EXCEPTION_amdppm.sys!unknown_function+0x334c" \
    "FAILURE_ID_HASH:  {"; then
    run -p "$J64" "${DP_REAL_DIR:-}/triage_x64.dmp"
    expect_json "d['summary']['culprit']['module'] == 'amdppm.sys'"
    expect_json "[r['fields']['source'] for r in d['artifacts']['stack.frame']][0] == 'context'"
    expect_json "d['summary']['process_name'] == 'System' and d['summary']['image_name'] == 'amdppm.sys' and d['summary']['current_irql'] == 0"
    expect_json "d['summary']['stack_command'] == '.cxr 0xffff850429891720 ; kb' and d['summary']['symbol_name'] == 'amdppm+0x334c'"
    expect_json "d['artifacts']['stack.context'][0]['fields']['exception_code'] == 0xc0000005"
fi

real_dump mini_x64_0x50_ntfs.dmp \
    "[stack] info: trap frame of the fault: .trap 0xfffffd827df3a030 (found on the stack)" \
    "rip=fffff804206cb873 rsp=fffffd827df3a1c0 rbp=0000000000000003" \
    "fffffd82\`7df3a1c0 fffff804\`206ab2e9 Ntfs+0xfb873" \
    "Culprit: Ntfs.sys" \
    "PROCESS_NAME:  svchost.exe" \
    "MODULE_NAME: Ntfs" \
    "IMAGE_NAME:  Ntfs.sys" \
    "FAILURE_BUCKET_ID:  0x50_EXCEPTION_Ntfs.sys!unknown_function+0xfb873"

real_dump mini_x64_0x1e.dmp \
    "[stack] info: context record of the fault: .cxr 0xffff9100be79adc0 (found on the stack)" \
    "EXCEPTION_RECORD:  ffff9100be79b588 -- (.exr 0xffff9100be79b588)" \
    "fffff803\`1b40f001 0fb68a89020000  movzx   ecx,byte ptr [rdx+0x289]" \
    "ffff9100\`be79b7c8 ffffccd0\`b584c9ff nt+0x20f001" \
    "PROCESS_NAME:  opera.exe" \
    "MODULE_NAME: nt" \
    "IMAGE_NAME:  ntkrnlmp.exe" \
    "FAILURE_BUCKET_ID:  0x1E_C0000005_EXCEPTION_ntkrnlmp.exe!unknown_function+0x20f001"

real_dump mini_x64_0x133_dell.dmp \
    "[stack] info: no context of the fault: bug check 0x133 names no context of a fault" \
    "CURRENT_IRQL:  d" \
    "FAILURE_BUCKET_ID:  0x133_1_HANG_ntkrnlmp.exe"

finish
