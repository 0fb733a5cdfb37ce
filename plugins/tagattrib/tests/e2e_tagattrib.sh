# tagattrib end to end: the seed's DRIV tag attributed to driver.sys from code in the dump, a
# pooltag.txt-format file (with a malformed line) and inline tag lines, and a dump without images.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
SCEN="$DP_SOURCE_DIR/tests/scenarios"
seed=$(gen "$SCEN/pool-seed-x86.yaml")

cat >"$DP_TMP/pooltag.txt" <<'T'
rem pool tags of this test, in pooltag.txt format

Ntfx - testfs.sys  - file system test entry
this line is malformed
Cc   - nt!cc - cache manager
T
cat >"$DP_TMP/seed.yaml" <<Y
steps:
  - plugin: bugcheck
  - plugin: poolwalk
  - plugin: tagattrib
    options:
      pooltag_files: [$DP_TMP/pooltag.txt]
      tags: ["CcSc - inline.sys - inline line wins over the tables"]
      tags_of_interest: [Thre]
sinks:
  - plugin: text
Y
run -p "$DP_TMP/seed.yaml" "$seed"
expect_rc 0
expect_line "Pool tag DRIV (corrupt block): owned by driver.sys, whose code at driver+0x36510 passes the tag to a call"
expect_line "Owning component : driver.sys"
expect_line "  2. other.sys        holds the tag as a 4-byte literal at other+0x1201"
expect_line "Pool tag Ntfx (next neighbour): testfs.sys - file system test entry (from the file tag list)"
expect_line "Pool tag CcSc (previous neighbour): inline.sys - inline line wins over the tables (from the inline tag list)"
expect_line "Pool tag Thre (asked for): nt!ps - thread objects (ETHREAD) (from the table tag list)"
expect_line "pooltag.txt:4: malformed pool tag line skipped"
expect_line "CULPRIT_REASONS: owns pool tag DRIV of the corrupt block (code at driver+0x36510) (tagattrib)"
expect_line "IMAGE_NAME:  driver.sys"
expect_no_line "pooltag.txt:5:"

run -p "$DP_TMP/seed.yaml" -o json "$seed"
expect_json '[(r["fields"]["tag"], r["fields"]["module"], r["fields"]["source"], r["fields"]["rank"]) for r in d["artifacts"]["tag.owner"] if r["fields"]["tag"]=="DRIV"] == [("DRIV", "driver.sys", "code", 1), ("DRIV", "other.sys", "literal", 2)]'
expect_json '[(r["fields"]["module"], r["fields"]["weight"]) for r in d["artifacts"]["culprit.vote"]] == [("driver.sys", 40)]'
expect_json '[f["evidence"]["line"] for f in d["findings"] if f["code"]=="pool.tag.file.malformed"] == [4]'
expect_json 'd["summary"]["culprit"]["module"] == "driver.sys"'

# --- a missing tag file is a warning, not a failure; no corrupt block and no tags asked: say so ---
cat >"$DP_TMP/none.yaml" <<Y
steps:
  - plugin: tagattrib
    options: { pooltag_files: [$DP_TMP/does-not-exist.txt] }
sinks:
  - plugin: json
Y
run -p "$DP_TMP/none.yaml" "$seed"
expect_rc 0
expect_json 'sorted(f["code"] for f in d["findings"]) == ["pool.tag.file.unreadable", "pool.tag.none"]'

# --- a small dump: module images are not in it, the modules are counted as skipped ---
small=$(gen "$SCEN/pool-seed-x86.yaml" --type small)
cat >"$DP_TMP/small.yaml" <<'Y'
steps:
  - plugin: tagattrib
    options: { tags_of_interest: [DRIV] }
sinks:
  - plugin: text
Y
run -p "$DP_TMP/small.yaml" "$small"
expect_rc 0
expect_line "Pool tag DRIV (asked for): owner not found in the tag lists or in any module's code"
expect_line "Modules searched: 0 of 3"

# x64: the tag is ExAllocatePoolWithTag's third argument (mov r8d, imm32), decoded by the host's capstone
x64=$(gen "$DP_SOURCE_DIR/tests/scenarios/pool-x64-tagcode.yaml")
cat >"$DP_TMP/x64.yaml" <<'Y'
steps: [{plugin: bugcheck}, {plugin: poolwalk}, {plugin: tagattrib}]
sinks: [{plugin: json}]
Y
run -p "$DP_TMP/x64.yaml" "$x64"
expect_rc 0
expect_json '[(r["fields"]["tag"], r["fields"]["module"], r["fields"]["source"], r["fields"]["code_addr"]) for r in d["artifacts"]["tag.owner"] if r["fields"]["tag"] == "Mydv"] == [("Mydv", "mydrv.sys", "code", "0xfffff88001201404")]'
expect_json '[(r["fields"]["module"], r["fields"]["weight"]) for r in d["artifacts"]["culprit.vote"]] == [("mydrv.sys", 40)]'

finish
