# codeptr end to end: the seed's function pointer, and a return address / mid-instruction pointer on
# x86 and x64, each judged right.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN="$DP_SOURCE_DIR/tests/scenarios"

# A(x): an address field as JSON carries it (number, or hex text with or without 0x / backtick)
A='(lambda x: int(str(x).replace("`", ""), 16) if isinstance(x, str) else x)'
hit() { # hit AT VALUE CLASS: a codeptr.hit row with these fields
    expect_json "any($A(h['at']) == $1 and $A(h['value']) == $2 and h['class'] == '$3' for h in [r['fields'] for r in d['artifacts'].get('codeptr.hit', [])])"
}

cat >"$DP_TMP/p.yaml" <<'Y'
steps:
  - plugin: bugcheck
  - plugin: poolwalk
  - plugin: codeptr
sinks:
  - plugin: text
Y

# the seed: dps/u/ub of driver+0x36532 at a34583c8, a function entry
dump=$(gen "$SCEN/seed-xen-0x19.yaml")
run -p "$DP_TMP/p.yaml" "$dump"
expect_rc 0
expect_line "a34583c8  b958f532 driver+0x36532"
expect_line "the corrupt block holds a function pointer into driver.sys"
expect_line "driver+0x36532:"
expect_line "b958f532 push    2Ch"
expect_line "b958f534 push    offset driver+0x68d08 (b95c1d08)"
expect_line "b958f539 call    driver+0x65c50 (b95bec50)"
expect_line "driver+0x36528:"
expect_line "b958f528 leave"
expect_line "b958f529 ret     18h"
expect_line "b958f531 int3"
run -o json -p "$DP_TMP/p.yaml" "$dump"
expect_rc 0
hit 0xa34583c8 0xb958f532 function-entry
expect_json "any(f['code'] == 'codeptr.function_pointer' and f['confidence'] >= 80 for f in d['findings'])"
expect_json "any(v['module'] == 'driver.sys' and v['weight'] == 30 for v in [r['fields'] for r in d['artifacts'].get('culprit.vote', [])])"

# x86 and x64: a block holding a return address (after a call) and a pointer into the middle of an
# instruction; the scenario places them at the block's user data +0x10 and +0x10+ptr
# (the addresses are the scenarios': block +0x18/+0x1c on x86, +0x20/+0x28 on x64)
for arch in x86 x64; do
    dump=$(gen "$SCEN/codeptr-$arch.yaml")
    run -o json -p "$DP_TMP/p.yaml" "$dump"
    expect_rc 0
    if [ $arch = x86 ]; then
        hit 0x8a3c52c8 0xb955b428 return-address
        hit 0x8a3c52cc 0xb955b431 implausible
    else
        hit 0xfffffa80023452e0 0xfffff88004a0242c return-address
        hit 0xfffffa80023452e8 0xfffff88004a02435 implausible
    fi
    expect_json "any(h['class'] == 'return-address' and h['module'] == 'driver.sys' for h in [r['fields'] for r in d['artifacts'].get('codeptr.hit', [])])"
    expect_json "any(h['class'] == 'implausible' and h['module'] == 'driver.sys' for h in [r['fields'] for r in d['artifacts'].get('codeptr.hit', [])])"
    expect_json "any(f['code'] == 'codeptr.return_address' for f in d['findings'])"
    expect_json "not any(f['code'] == 'codeptr.function_pointer' for f in d['findings'])"
done

# a bad ranges option is refused with a message, not ignored
cat >"$DP_TMP/bad.yaml" <<'Y'
steps:
  - plugin: codeptr
    options: { ranges: ["a3458000"] }
sinks:
  - plugin: text
Y
dump=$(gen "$SCEN/seed-xen-0x19.yaml")
run -p "$DP_TMP/bad.yaml" "$dump"
# the host reports a failed step in the output and exits 4 (DP_EXIT_PLUGIN_FAILED)
expect_rc 4
expect_line "[host] ERROR: codeptr failed: ranges[0]: \"a3458000\" is not START-END or START+LEN"

finish
