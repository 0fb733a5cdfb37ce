# Dumps QEMU itself writes (qemu_dump.py: a firmware-only guest dumped through QMP as ELF, paging ELF
# and kdump-zlib, the last flattened): hvdetect gives one answer on all three. Skips without
# qemu-system-x86_64 (Debian package qemu-system-x86).
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
if ! command -v qemu-system-x86_64 >/dev/null; then echo "SKIP: qemu-system-x86_64 not installed"; exit 0; fi
python3 "$DP_SOURCE_DIR/tests/e2e/qemu_dump.py" "$DP_TMP" || { _fail "qemu_dump.py"; finish; exit 1; }
run -o json -p "$DP_SOURCE_DIR/pipelines/quick.yaml" "$DP_TMP/guest.elf" "$DP_TMP/guest-paging.elf" "$DP_TMP/guest.kdump"
expect_rc 0
got=$(python3 "$DP_SOURCE_DIR/tests/e2e/containers_util.py" verdict <<<"$OUT" | sort | uniq -c)
want="3 SMBIOS 2.8: QEMU Standard PC (i440FX + PIIX, 1996) | Virtual machine on KVM/QEMU: QEMU Standard PC (i440FX + PIIX, 1996) (SMBIOS only)"
if [ "$(sed 's/^ *//' <<<"$got")" = "$want" ]; then _ok; else _fail "QEMU's own dumps: $got"; fi
run -o json -p "$DP_SOURCE_DIR/pipelines/quick.yaml" "$DP_TMP/guest.kdump"
expect_json 'd["dump"]["format"] == "diskdump" and d["dump"]["processors"] == 2'
finish
