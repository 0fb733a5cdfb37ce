# stack: the fault's own context on generated dumps. For each kind (trap frame found on the stack,
# trap frame named by a parameter, context and exception records named by parameters, a 0x1E whose
# context record and exception record must be found on the stack) on x64 and x86, with the fault in a
# driver, in Windows' own code and at an address in no module: the exact STACK_TEXT and bucket.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN=$DP_SOURCE_DIR/tests/scenarios
P=$(printf 'version: 1\nsteps:\n  - plugin: bugcheck\n  - plugin: stack\nsinks: [{plugin: text}]\n' | pipeline text)
POS=$(printf 'version: 1\nsteps:\n  - plugin: bugcheck\n  - plugin: stack\n    options: { os_modules: [mydrv] }\nsinks: [{plugin: text}]\n' | pipeline os)

# variant SCENARIO NAME SED-EXPR...: the scenario edited by sed, built; prints the dump's path.
variant() {
    local scen=$1 name=$2; shift 2
    local args=() e
    for e in "$@"; do args+=(-e "$e"); done
    sed "${args[@]}" "$SCEN/$scen.yaml" >"$DP_TMP/$name.yaml"
    gen "$DP_TMP/$name.yaml"
}
# expect_stack LINE...: STACK_TEXT holds exactly these frames, in order.
expect_stack() {
    local got want
    got=$(sed -n '/^STACK_TEXT:$/,/^$/p' <<<"$OUT" | sed '1d;/^$/d;/^WARNING/d')
    want=$(printf '%s\n' "$@")
    if [ "$got" = "$want" ]; then _ok; else _fail "STACK_TEXT is:"$'\n'"$got"$'\n'"expected:"$'\n'"$want"; fi
}
X64_TAIL=("fffff880\`02f1e008 fffff880\`04a0120f mydrv!PollDevice+0xd"
    "fffff880\`02f1e038 fffff800\`02a471c7 mydrv!DispatchIoctl+0xf"
    "fffff880\`02f1e088 fffff800\`02a5b00b nt!IofCallDriver+0x7"
    "fffff880\`02f1e0c8 fffff800\`02a6b009 nt!IopSynchronousServiceTail+0xb"
    "fffff880\`02f1e108 00000000\`00000000 nt!PspSystemThreadStartup+0x9")
X86_TAIL=("b80a6020 82a471c8 mydrv!Dispatch+0xb" "b80a6040 82a6b008 nt!IofCallDriver+0x8"
    "b80a6048 00000000 nt!PspSystemThreadStartup+0x8")
NT_IP='s/"mydrv!ReadRegister"\(.*FAULT_IP\)/"nt!IofCallDriver"\1/'
NOMOD_IP='s/"mydrv!ReadRegister"\(.*FAULT_IP\)/0xfffff88009990000\1/'

# ---- x64, 0x50: the page fault's trap frame, found on the stack by Arg3 ----
run -p "$P" "$(gen "$SCEN/stack-x64-trap.yaml")"
expect_rc 0
expect_line "[stack] info: trap frame of the fault: .trap 0xfffff88002f1d400 (found on the stack)"
expect_line "TRAP_FRAME:  fffff88002f1d400 -- (.trap 0xfffff88002f1d400)"
expect_line "rip=fffff88004a01000 rsp=fffff88002f1e000 rbp=fffff88002f1e058"
expect_line "fffff880\`04a01000 8b01            mov     eax,dword ptr [rcx]"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d mydrv!ReadRegister" "${X64_TAIL[@]}"
expect_line "STACK_COMMAND:  .trap 0xfffff88002f1d400 ; kb"
expect_line "FAILURE_BUCKET_ID:  0x50_EXCEPTION_mydrv.sys!ReadRegister"
# the fault in nt: the driver below it outweighs Windows' own code
run -p "$P" "$(variant stack-x64-trap x64-trap-nt "$NT_IP")"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d nt!IofCallDriver" "${X64_TAIL[@]}"
expect_line "  - the fault happened in ntoskrnl.exe: nt!IofCallDriver (frame 0 of the stack of .trap 0xfffff88002f1d400)"
expect_line "FAILURE_BUCKET_ID:  0x50_EXCEPTION_mydrv.sys!PollDevice"
# ... unless no driver is on the stack: then Windows' module is named as WinDbg names it
run -p "$POS" "$DP_TMP/x64-trap-nt.dmp"
expect_line "IMAGE_NAME:  ntkrnlmp.exe"
expect_line "MODULE_NAME: nt"
expect_line "FAILURE_BUCKET_ID:  0x50_EXCEPTION_ntkrnlmp.exe!IofCallDriver"
# the fault at an address in no module: its caller is blamed
run -p "$P" "$(variant stack-x64-trap x64-trap-nomod "$NOMOD_IP")"
expect_line "fffff880\`09990000 ??              ???  (code not in the dump)"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d fffff88009990000" "${X64_TAIL[@]}"
expect_line "the fault happened at fffff88009990000 (in no module)"
expect_line "FAILURE_BUCKET_ID:  0x50_EXCEPTION_mydrv.sys!PollDevice"

# 0xBE names no instruction: the trap frame whose FaultAddress (+0xd0) is the address written (Arg1)
run -p "$P" "$(variant stack-x64-trap x64-be 's/code: 0x50/code: 0xbe/' 's/params: \[0x10, 0x0, "mydrv!ReadRegister", 0x2\]/params: [0x10, 0x8000000000000121, 0, 0]/' \
    's/    # KTRAP_FRAME at 0xfffff88002f1d400/    - {va: 0xfffff88002f1d4d0, qwords: [0x10]}/')"
expect_line "[stack] info: trap frame of the fault: .trap 0xfffff88002f1d400 (found on the stack)"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d mydrv!ReadRegister" "${X64_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0xBE_"
# 0x139 names the trap frame (Arg2)
run -p "$P" "$(variant stack-x64-trap x64-139 's/code: 0x50/code: 0x139/' 's/params: \[0x10, 0x0, "mydrv!ReadRegister", 0x2\]/params: [3, 0xfffff88002f1d400, 0, 0]/')"
expect_line "[stack] info: trap frame of the fault: .trap 0xfffff88002f1d400 (Arg2)"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d mydrv!ReadRegister" "${X64_TAIL[@]}"
expect_line "_mydrv.sys!ReadRegister"

# ---- x64, 0x1000007E: Arg3 the exception record, Arg4 the context record ----
run -p "$P" "$(gen "$SCEN/stack-x64-cxr.yaml")"
expect_rc 0
expect_line "[stack] info: context record of the fault: .cxr 0xfffff88002f1d400 (Arg4)"
expect_line "EXCEPTION_RECORD:  fffff88002f1d300 -- (.exr 0xfffff88002f1d300)"
expect_line "ExceptionAddress: fffff88004a01000 (mydrv!ReadRegister)"
expect_line "Attempt to write to address 0000000000000010"
expect_line "cs=0010  ss=0018  ds=002b  es=002b  fs=0053  gs=002b             efl=00010246"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d mydrv!ReadRegister" "${X64_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x7E_C0000005_EXCEPTION_mydrv.sys!ReadRegister"
CXR_BUCKET=$(sed -n 's/^FAILURE_BUCKET_ID:  //p' <<<"$OUT")
run -p "$P" "$(variant stack-x64-cxr x64-cxr-nt "$NT_IP")"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d nt!IofCallDriver" "${X64_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x7E_C0000005_EXCEPTION_mydrv.sys!PollDevice"
run -p "$P" "$(variant stack-x64-cxr x64-cxr-nomod "$NOMOD_IP")"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d fffff88009990000" "${X64_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x7E_C0000005_EXCEPTION_mydrv.sys!PollDevice"
# the same crash with the modules loaded elsewhere: the same bucket
run -p "$P" "$(variant stack-x64-cxr x64-cxr-moved 's/base: 0xfffff88004a00000/base: 0xfffff88007e40000/')"
expect_line "FAILURE_BUCKET_ID:  $CXR_BUCKET"
# a small memory dump holds no module headers, so no exports: the driver's offset tells crash sites apart
run -p "$P" "$(gen "$SCEN/stack-x64-cxr.yaml" --type small)"
expect_line "[stack] info: context record of the fault: .cxr 0xfffff88002f1d400 (Arg4)"
expect_line "FAILURE_BUCKET_ID:  0x7E_C0000005_EXCEPTION_mydrv.sys!unknown_function+0x1000"
expect_line "SYMBOL_NAME:  mydrv+0x1000"

# ---- x64, 0x1E: nothing names the context; the context and exception records are found on the stack ----
run -p "$P" "$(variant stack-x64-cxr x64-1e 's/code: 0x1000007e/code: 0x1e/' \
    's/params: \[0xffffffffc0000005, "mydrv!ReadRegister", 0xfffff88002f1d300, 0xfffff88002f1d400\]/params: [0xffffffffc0000005, "mydrv!ReadRegister", 1, 0x10]/')"
expect_line "[stack] info: context record of the fault: .cxr 0xfffff88002f1d400 (found on the stack)"
expect_line "EXCEPTION_RECORD:  fffff88002f1d300 -- (.exr 0xfffff88002f1d300)"
expect_stack "fffff880\`02f1e000 fffff880\`04a0110d mydrv!ReadRegister" "${X64_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x1E_C0000005_EXCEPTION_mydrv.sys!ReadRegister"

# ---- x86, 0x1000008E: Arg3 the trap frame; 0x3B: Arg3 the context record ----
run -p "$P" "$(gen "$SCEN/stack-x86-trap.yaml")"
expect_rc 0
expect_line "TRAP_FRAME:  b80a5400 -- (.trap 0xb80a5400)"
expect_line "eip=8fa01006 esp=b80a5474 ebp=b80a6000 iopl=0         nv up ei ng nz na po nc"
expect_line "8fa01006 8b00            mov     eax,dword ptr [eax]"
expect_stack "b80a6000 8fa0110b mydrv!ReadRegister+0x6" "${X86_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x8E_C0000005_EXCEPTION_mydrv.sys!ReadRegister"
run -p "$P" "$(variant stack-x86-trap x86-3b 's/code: 0x1000008e/code: 0x3b/' 's/0xb80a5400, 0\]/0xb80a5600, 0]/')"
expect_line "CONTEXT:  b80a5600 -- (.cxr 0xb80a5600)"
expect_line "eax=00000010 ebx=00000000 ecx=00000000 edx=00000000 esi=00000000 edi=00000000"
expect_stack "b80a6000 8fa0110b mydrv!ReadRegister+0x6" "${X86_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x3B_C0000005_EXCEPTION_mydrv.sys!ReadRegister"
run -p "$P" "$(variant stack-x86-trap x86-nt 's/"mydrv!ReadRegister+6"\(.*FAULT_IP\)/"nt!IofCallDriver+5"\1/')"
expect_stack "b80a6000 8fa0110b nt!IofCallDriver+0x5" "${X86_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x8E_C0000005_EXCEPTION_mydrv.sys!Dispatch"
run -p "$P" "$(variant stack-x86-trap x86-nomod 's/"mydrv!ReadRegister+6"\(.*FAULT_IP\)/0x8f000000\1/')"
expect_stack "b80a6000 8fa0110b 8f000000" "${X86_TAIL[@]}"
expect_line "FAILURE_BUCKET_ID:  0x8E_C0000005_EXCEPTION_mydrv.sys!Dispatch"

# ---- hostile: the parameter names a context record outside the dump: said, and the walk falls back ----
run -p "$P" "$(variant stack-x64-cxr x64-cxr-absent 's/0xfffff88002f1d300, 0xfffff88002f1d400\]/0xfffff88002f1d300, 0xfffff8800dead000]/')"
expect_rc 0
expect_line "[stack] info: no context of the fault: the context record at fffff8800dead000 is not in the dump; STACK_TEXT starts in the bug-check context"
expect_line "EXCEPTION_RECORD:  fffff88002f1d300 -- (.exr 0xfffff88002f1d300)"
finish
