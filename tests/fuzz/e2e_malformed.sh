# Every dump the fuzzers ever crashed on, through the dumppipe program (all plugins in-process, so a
# crash kills dumppipe): it must refuse or triage each
# one with a documented exit code (docs/malformed-inputs.md), never die of a signal; the ones whose
# refusal we know must say so in the documented shape.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
reg=$DP_SOURCE_DIR/tests/fuzz/regressions

for f in "$reg"/dump/* "$reg"/kdump/* "$reg"/triage/*; do
    [ -f "$f" ] || continue
    run -p "$DP_SOURCE_DIR/tests/fuzz/triage-fuzz.yaml" "$f"
    case $RC in 0|3|4) _ok ;; *) _fail "$f: exit code $RC (stderr: $ERR)" ;; esac
done

run -p "$DP_SOURCE_DIR/pipelines/quick.yaml" "$reg/kdump/elf-shoff-past-eof.bin"
expect_rc 3
expect_err "dumppipe: $reg/kdump/elf-shoff-past-eof.bin: malformed ELF dump: section header entries too small"

cp "$reg/pipeline/options-twice.yaml" "$DP_TMP/twice.yaml"
run -p "$DP_TMP/twice.yaml" "$(basic_dump)"
expect_rc 2
expect_err "$DP_TMP/twice.yaml:15:7: 'options' given twice"
finish
