# poolwalk end to end: the seed's corrupt x86 page, x64 pages (clean, corrupt middle block, block past
# the page end, big pool), the whole-dump scan, and a triage dump without pool pages.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN="$DP_SOURCE_DIR/tests/scenarios"

# --- the seed: bugcheck 0x19 names a34583b8 and a34584f0 ---
seed=$(gen "$SCEN/pool-seed-x86.yaml")
cat >"$DP_TMP/seed.yaml" <<'Y'
steps:
  - plugin: bugcheck
  - plugin: poolwalk
sinks:
  - plugin: text
Y
run -p "$DP_TMP/seed.yaml" "$seed"
expect_rc 0
expect_line "Pool page a34583b8 region is Nonpaged pool"
expect_line " a3458000 size:  270 previous size:    0  (Allocated)  Thre (Protected)"
expect_line " a3458270 size:   10 previous size:  270  (Free)       RxIr"
expect_line " a3458280 size:   40 previous size:   10  (Allocated)  Vadl"
expect_line " a34582c0 size:   98 previous size:   40  (Allocated)  File (Protected)"
expect_line " a3458358 size:    8 previous size:   98  (Free)       Vadl"
expect_line " a3458360 size:   50 previous size:    8  (Allocated)  Gsem"
expect_line " a34583b0 size:    8 previous size:   50  (Free)       CcSc"
expect_line "*a34583b8 size:  138 previous size:    8  (Allocated) *DRIV"
expect_line "Bad allocation size @a34584f0, zero is invalid"
expect_line "Pool page [ a3458000 ] is __inVALID."
expect_line "[ a34583b8 --> a34583d8 (size = 0x20 bytes)]: Corrupt region"
expect_line "[ a34583f8 --> a34585e8 (size = 0x1f0 bytes)]: Corrupt region"
expect_line "None found"
run -p "$DP_TMP/seed.yaml" -o json "$seed"
expect_json '[f["code"] for f in d["findings"] if f["plugin"]=="poolwalk"] == ["pool.page.invalid"]'
expect_json '[r["fields"]["tag"] for r in d["artifacts"]["pool.corrupt_block"]] == ["DRIV"]'
expect_json '[(r["fields"]["relation"], r["fields"]["tag"]) for r in d["artifacts"]["pool.neighbour"]] == [("previous", "CcSc"), ("next", "Ntfx")]'
expect_json 'len(d["artifacts"]["pool.corrupt_region"]) == 2'
expect_json 'sum(1 for r in d["artifacts"]["pool.block"] if r["fields"]["of_interest"]) == 1'

# --- x64: four pages, each judged on its own ---
x64=$(gen "$SCEN/pool-x64-pages.yaml")
cat >"$DP_TMP/x64.yaml" <<'Y'
steps:
  - plugin: poolwalk
    options: { addresses: [0xfffffa8001230380, 0xfffffa8001231290, 0xfffffa8001232780, 0xfffffa8003000000] }
sinks:
  - plugin: text
Y
run -p "$DP_TMP/x64.yaml" "$x64"
expect_rc 0
expect_line "Pool page [ fffffa80\`01230000 ] is VALID."
expect_line "*fffffa80\`01230380 size:  400 previous size:  100  (Allocated) *File"
expect_line "Pool page fffffa80\`01231000 is corrupt"
expect_line "[ fffffa80\`01231200 ]: invalid block size [ 0xc ] should be [ 0x8 ]"
expect_line "[ fffffa80\`01231200 ] block size: stored 0xc, expected 0x8: single bit error (bit 2)"
expect_line " fffffa80\`01231780 size:  880 previous size:  400  (Allocated)  Irp"
expect_line "Bad allocation size @fffffa80\`01232780, 0xa00 bytes run 0x180 bytes past the page end"
expect_line "[ fffffa80\`01232780 --> fffffa80\`01233000 (size = 0x880 bytes)]: Corrupt region"
expect_line "fffffa80\`03000000: not a valid small pool page; may be a big-pool allocation"
expect_no_line "Pool page [ fffffa80\`01230000 ] is __inVALID."
expect_no_line "Pool page [ fffffa80\`03000000 ] is __inVALID."
run -p "$DP_TMP/x64.yaml" -o json "$x64"
expect_json '[f["code"] for f in d["findings"]] == ["pool.page.valid", "pool.page.invalid", "pool.page.invalid", "pool.page.bigpool"]'
expect_json '[(r["fields"]["field"], r["fields"]["stored"], r["fields"]["expected"], r["fields"]["unit"]) for r in d["artifacts"]["pool.repair"]] == [("block_size", 12, 8, 16)]'
expect_json '[r["fields"]["layout"] for r in d["artifacts"]["pool.page"]] == ["x64", "x64", "x64", "big-pool"]'

# --- forcing the wrong layout makes the clean page unreadable: the option is honoured ---
cat >"$DP_TMP/x86on64.yaml" <<'Y'
steps:
  - plugin: poolwalk
    options: { addresses: [0xfffffa8001230380], layout: x86 }
sinks:
  - plugin: json
Y
run -p "$DP_TMP/x86on64.yaml" "$x64"
expect_json 'd["findings"][0]["code"] != "pool.page.valid"'

# --- scope all: every pool page found, per-tag usage, find_tag ---
cat >"$DP_TMP/all.yaml" <<'Y'
steps:
  - plugin: poolwalk
    options: { scope: all, find_tag: "Np?t", top: 5 }
sinks:
  - plugin: text
Y
run -p "$DP_TMP/all.yaml" "$x64"
expect_rc 0
expect_line "Pool scan: 3 pool pages, 2 invalid, 7 tags"
expect_line " DRIV         1           2560         0"
expect_line "Blocks tagged 'Np?t' (like !poolfind; physical addresses): 2"
expect_no_line " Even "
run -p "$DP_TMP/all.yaml" -o json "$x64"
expect_json 'sorted(f["code"] for f in d["findings"]) == ["pool.page.invalid", "pool.page.invalid", "pool.scan"]'
expect_json '[f for f in d["findings"] if f["code"]=="pool.scan"][0]["evidence"]["invalid_pages"] == 2'

# --- a small dump holds no pool pages: say so, do not fail ---
small=$(gen "$SCEN/pool-seed-x86.yaml" --type small)
run -p "$DP_TMP/seed.yaml" -o json "$small"
expect_rc 0
expect_json '[f["code"] for f in d["findings"] if f["plugin"]=="poolwalk"] == ["pool.page.absent"]'
run -p "$DP_TMP/all.yaml" -o json "$small"
expect_rc 0
expect_json '[f["severity"] for f in d["findings"] if f["code"]=="pool.scan"] == ["info"]'

# --- the real Windows 10 triage dump: no pool pages, a stack page is not judged as pool ---
if [ -f "${DP_REAL_DIR:-}/triage_x64.dmp" ]; then
    cat >"$DP_TMP/real.yaml" <<'Y'
steps:
  - plugin: poolwalk
    options: { addresses: [0xffff850429891720, 0xffffa00000001000], scope: all }
sinks:
  - plugin: json
Y
    run -p "$DP_TMP/real.yaml" "$DP_REAL_DIR/triage_x64.dmp"
    expect_rc 0
    expect_json '[f["code"] for f in d["findings"]] == ["pool.page.unrecognised", "pool.page.absent", "pool.scan"]'
    expect_json 'all(f["severity"] == "info" for f in d["findings"])'
fi

finish
