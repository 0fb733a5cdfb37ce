# End to end: the bugcheck plugin in dumppipe, over generated dumps and through --explain.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN="$DP_SOURCE_DIR/tests/scenarios"

cat >"$DP_TMP/bugcheck.yaml" <<'EOF'
steps:
  - plugin: bugcheck
sinks:
  - plugin: text
EOF

# --- the seed: x86 Xen guest, BAD_POOL_HEADER 0x20 ------------------------------------------------
seed=$(gen "$SCEN/seed-xen-0x19.yaml")
run -p "$DP_TMP/bugcheck.yaml" "$seed"
expect_rc 0
expect_line "BAD_POOL_HEADER (19)"
expect_line "Arg1: 00000020, a pool block header size is corrupt."
expect_line "Arg2: a34583b8, the pool entry that was being looked for within the page."
expect_line "Arg3: a34584f0, the next pool entry."
expect_line "Arg4: 0a270001, reserved"

run -p "$DP_TMP/bugcheck.yaml" -o json "$seed"
expect_rc 0
expect_json '[f["severity"] for f in d["findings"] if f["code"] == "bugcheck.code"] == ["critical"]'
expect_json '[f["evidence"]["name"] for f in d["findings"] if f["code"] == "bugcheck.code"] == ["BAD_POOL_HEADER"]'
expect_json 'any(r.get("name") == "BAD_POOL_HEADER" and r.get("class") == "POOL_CORRUPTION" and r.get("subtype") in (0x20, "0x20") for r in [x["fields"] for x in d["artifacts"]["bugcheck.info"]])'
# addresses may be rendered as numbers or hex strings: compare them as integers
expect_json 'sorted((int(str(r["addr"]), 0) if isinstance(r["addr"], str) else r["addr"], r["role"], r["kind"]) for r in [x["fields"] for x in d["artifacts"]["bugcheck.address"]]) == [(0xa34583b8, "pool_entry", "pool"), (0xa34584f0, "next_pool_entry", "pool")]'

# --- our own scenarios: x64 special pool single-bit error, and an unknown code ---------------------
c1=$(gen "$SCEN/bugcheck-x64-c1-bitflip.yaml")
run -p "$DP_TMP/bugcheck.yaml" "$c1"
expect_rc 0
expect_line "SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION (c1)"
expect_line "Arg2: ffffa80012345ff8, the address of the flipped bit."
expect_line "Arg4: 0000000000000032, a driver freed an address, and a nearby byte on the same page has a single-bit error."
run -p "$DP_TMP/bugcheck.yaml" -o json "$c1"
expect_json 'any(r["role"] == "bad_bit_address" and r["param"] == 2 for r in [x["fields"] for x in d["artifacts"]["bugcheck.address"]])'

unk=$(gen "$SCEN/bugcheck-x86-unknown.yaml")
run -p "$DP_TMP/bugcheck.yaml" -o json "$unk"
expect_rc 0
expect_json 'sorted(f["code"] for f in d["findings"] if f["plugin"] == "bugcheck") == ["bugcheck.unknown"]'
expect_json '[f["details"].splitlines()[0] for f in d["findings"] if f["code"] == "bugcheck.unknown"] == ["UNKNOWN_BUGCHECK (1f0)"]'

# --- the real Windows small memory dumps (read in place, never copied; skipped without ../shared) --------
# Every parameter of each real dump's bug check is explained, on the dump and through --explain with the
# values the README gives; the two texts agree.
if [ -r "${DP_REAL_DIR:-}/triage_x64.dmp" ]; then
    run -p "$DP_TMP/bugcheck.yaml" "$DP_REAL_DIR/triage_x64.dmp"
    expect_rc 0
    expect_line "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)"
    expect_line "Arg2: fffff8048b58334c, the address where the exception happened."
    run -p "$DP_TMP/bugcheck.yaml" -o json "$DP_REAL_DIR/triage_x64.dmp"
    expect_json '[(r["role"], r["kind"], r["param"]) for r in [x["fields"] for x in d["artifacts"]["bugcheck.address"]]] == [("exception_address", "code", 2)]'

    # analysis_head HEAD: the lines of OUT from the line that is exactly HEAD to the Arg4 line, values
    # without leading zeros (--explain knows no pointer size: all-zero parameters print 8 digits wide)
    analysis_head() {
        awk -v h="$1" '$0 == h { p = 1 } p { print } p && /^Arg4:/ { exit }' <<<"$OUT" |
            sed -E 's/^(Arg[1-4]: )0*([0-9a-f])/\1\2/'
    }
    while IFS='|' read -r dump head args; do
        run -p "$DP_TMP/bugcheck.yaml" "$DP_REAL_DIR/$dump"
        expect_rc 0
        expect_line "$head"
        dump_text=$(analysis_head "$head")
        # shellcheck disable=SC2086 # the parameters are separate words
        run --explain $args
        expect_rc 0
        for gap in "does not describe" "not in the database" "not in dumppipe's"; do expect_no_line "$gap"; done
        for a in 1 2 3 4; do
            if grep -qE "^Arg$a: [0-9a-f]+, ." <<<"$OUT"; then _ok; else _fail "$dump: Arg$a unexplained"; fi
        done
        explain_text=$(analysis_head "$head")
        if [ -n "$dump_text" ] && [ "$dump_text" = "$explain_text" ]; then _ok; else _fail "$dump: --explain differs from the dump run"; fi
    done <<'EOF_DUMPS'
triage_x64.dmp|SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)|1000007e ffffffffc0000005 fffff8048b58334c ffff850429891ee8 ffff850429891720
mini_x64_0x50_ntfs.dmp|PAGE_FAULT_IN_NONPAGED_AREA (50)|50 ffffffffffffffb4 0 fffff804206cb873 2
mini_x64_0x1e.dmp|KMODE_EXCEPTION_NOT_HANDLED (1e)|1e ffffffffc0000005 fffff8031b40f001 0 289
mini_x64_0x133_dell.dmp|DPC_WATCHDOG_VIOLATION (133)|133 1 1e00 fffff800576fb320 0
mini_arm64_0xe2.dmp|MANUALLY_INITIATED_CRASH (e2)|e2 0 0 0 0
EOF_DUMPS
    run --explain 133 1 1e00 fffff800576fb320 0
    expect_line "Arg1: 0000000000000001, the DPC watchdog's cumulative limit"
else
    echo "SKIP: real dumps (no ${DP_REAL_DIR:-../shared/testdata/real})"
fi

# --- issue 10's codes that printed "does not describe": every parameter explained through --explain ----
for args in "1c7 0 ffff800000001000 1234 42" "1c8 2710 fffff80000001000 0 0" "1a 402 fffff6fb7dbed000 8a0000000a328867 fffff6fb7dbed008" \
            "139 3 ffff800000001000 ffff800000002000 0" "9f 3 ffffa00000001000 fffff80000001000 ffffa00000002000" \
            "c4 10 ffffa00000001000 0 0" "124 0 ffffa00000001000 be000000 800400"; do
    # shellcheck disable=SC2086 # the parameters are separate words
    run --explain $args
    expect_rc 0
    for gap in "does not describe" "not in the database" "not in dumppipe's"; do expect_no_line "$gap"; done
    for a in 1 2 3 4; do
        if grep -qE "^Arg$a: [0-9a-f]+, ." <<<"$OUT"; then _ok; else _fail "--explain $args: Arg$a unexplained"; fi
    done
done
run --explain 1a 402 fffff6fb7dbed000 8a0000000a328867 fffff6fb7dbed008
expect_line "Arg1: 0000000000000402, a PTE and the PFN entry of its page disagree"
run --explain 12345
expect_rc 0
if [ "$(grep -c 'UNKNOWN_BUGCHECK (0x12345)' <<<"$OUT")" -eq 1 ]; then _ok; else _fail "--explain 12345 reports the unknown code more than once"; fi

# --- without a dump: --explain prints the same text as the dump run --------------------------------
run -p "$DP_TMP/bugcheck.yaml" "$seed"
dump_text=$(sed -n '/^BAD_POOL_HEADER (19)$/,/^Arg4:/p' <<<"$OUT")
run --explain 19 20 a34583b8 a34584f0 0a270001
expect_rc 0
explain_text=$(sed -n '/^BAD_POOL_HEADER (19)$/,/^Arg4:/p' <<<"$OUT")
if [ -n "$dump_text" ] && [ "$dump_text" = "$explain_text" ]; then _ok; else _fail "--explain text differs from the dump run"; fi

run --explain 1000007e ffffffffc0000005 fffff8048b58334c ffff850429891ee8 ffff850429891720
expect_rc 0
expect_line "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED_M (1000007e)"
expect_line "Arg1: ffffffffc0000005, the exception code that was not handled."

run --explain c2
expect_rc 0
expect_line "BAD_POOL_CALLER (c2)"
expect_line "Arg1: 00000000, the caller asked for a zero-byte pool allocation."

finish
