# bitflip end to end: one flipped bit in a pool header, a list link and a module's code are each found
# with the bit and the corrected value; the seed and a clean dump give no single-bit finding.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN="$DP_SOURCE_DIR/tests/scenarios"
A='(lambda x: int(str(x).replace("`", ""), 16) if isinstance(x, str) else x)'
flip() { # flip KIND STORED CORRECTED BIT: a bitflip.error row
    expect_json "any(e['kind'] == '$1' and $A(e['stored']) == $2 and $A(e['corrected']) == $3 and e['bit'] == $4 for e in [r['fields'] for r in d['artifacts'].get('bitflip.error', [])])"
}
suspected() { expect_json "any(f['code'] == 'bitflip.suspected' and f['title'] == 'single-bit error suspected: hardware' for f in d['findings'])"; }
none() { expect_json "any(f['code'] == 'bitflip.none' for f in d['findings']) and not any(f['code'] == 'bitflip.suspected' for f in d['findings'])"; }

pipeline() { # pipeline FILE [bitflip options]
    cat >"$1" <<Y
steps:
  - plugin: bugcheck
  - plugin: poolwalk
  - plugin: bitflip
    options: { $2 }
sinks:
  - plugin: text
Y
}
pipeline "$DP_TMP/p.yaml" ""

# the seed: looks at the page, says none found, as !pool does
dump=$(gen "$SCEN/seed-xen-0x19.yaml")
run -p "$DP_TMP/p.yaml" "$dump"
expect_rc 0
expect_line "Scanning for single bit errors... None found"
run -o json -p "$DP_TMP/p.yaml" "$dump"
none
expect_json "any(f['code'] == 'bitflip.none' and f['evidence']['headers_checked'] >= 8 for f in d['findings'])"

# a clean pool page
dump=$(gen "$SCEN/bitflip-clean.yaml")
run -o json -p "$DP_TMP/p.yaml" "$dump"
expect_rc 0
none

# PreviousSize of the block after the 0x40-byte one holds 0x48 >> 3 = 9 units instead of 8: bit 0
dump=$(gen "$SCEN/bitflip-prevsize.yaml")
run -o json -p "$DP_TMP/p.yaml" "$dump"
expect_rc 0
suspected
flip pool.prev_size 9 8 0

# a free block's Flink with bit 20 flipped: the corrected value is the next entry, which links back
dump=$(gen "$SCEN/bitflip-link.yaml")
run -o json -p "$DP_TMP/p.yaml" "$dump"
expect_rc 0
suspected
expect_json "any(e['kind'] == 'list.flink' and e['bit'] == 20 for e in [r['fields'] for r in d['artifacts'].get('bitflip.error', [])])"
flip list.flink 0x8a2c5390 0x8a3c5390 20

# driver.sys code byte at rva 0x1010 holds 0x8b ^ 0x04 against the reference image: bit 2
mkdir -p "$DP_TMP/ref"
dump=$(gen "$SCEN/bitflip-code.yaml" --refdir "$DP_TMP/ref")
pipeline "$DP_TMP/code.yaml" "reference_dir: $DP_TMP/ref"
run -o json -p "$DP_TMP/code.yaml" "$dump"
expect_rc 0
suspected
flip code.byte 0x8f 0x8b 2
expect_json "any(f['code'] == 'bitflip.suspected' and f['evidence']['code_bytes_compared'] > 0 for f in d['findings'])"

# the same module against itself (no flip in the clean scenario): none found, bytes were compared
dump=$(gen "$SCEN/bitflip-clean.yaml" --refdir "$DP_TMP/ref")
run -o json -p "$DP_TMP/code.yaml" "$dump"
expect_rc 0
none
expect_json "any(f['code'] == 'bitflip.none' and f['evidence']['code_bytes_compared'] > 0 for f in d['findings'])"

# a reference_dir that does not exist is an error with a message
pipeline "$DP_TMP/bad.yaml" "reference_dir: $DP_TMP/nonexistent"
run -p "$DP_TMP/bad.yaml" "$dump"
# the host reports a failed step in the output and exits 4 (DP_EXIT_PLUGIN_FAILED)
expect_rc 4
expect_line "[host] ERROR: bitflip failed: reference_dir $DP_TMP/nonexistent is not a directory"

finish
