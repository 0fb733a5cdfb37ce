# Symbol stores and servers: a small dump whose driver image is only in a store (built here with
# clang + lld-link, so its CodeView key is real) is unwound with .pdata from the fetched image; the
# same image from a local store, a server, a compressed (CAB) entry and a file.ptr; a server that
# answers 404, 500, slowly or with too much, or not at all; hostile names; concurrent cache writes.
source "$DP_SOURCE_DIR/tests/e2e/lib.sh"
for tool in clang-14 lld-link-14 llvm-readobj-14 gcab python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (scripts/deps.sh)"; exit 0; }
done
SYM=$DP_SOURCE_DIR/tests/symbols
FX=$DP_TMP/fx
mkdir -p "$FX" "$DP_TMP/tmp"
# dumppipe's private temporary stores go here, so other programs' (or tests') in /tmp do not count
export TMPDIR=$DP_TMP/tmp

# ---- the driver: fixdrv.sys + fixdrv.pdb, TimeDateStamp 0x5F000000 ----
(cd "$FX" && clang-14 --target=x86_64-pc-windows-msvc -c "$SYM/fixdrv.S" -o fixdrv.obj &&
    lld-link-14 /nologo /driver /subsystem:native /machine:x64 /entry:DriverEntry /nodefaultlib /debug:full \
        /timestamp:0x5F000000 /pdbaltpath:%_PDB% /pdb:fixdrv.pdb /out:fixdrv.sys fixdrv.obj) || { _fail "fixture build"; finish; exit 1; }
# the keys, from llvm-readobj (an independent reader): image TimeDateStamp%08X SizeOfImage%x, PDB GUID+age
read -r SIZE GUIDKEY < <(llvm-readobj-14 --file-headers --coff-debug-directory "$FX/fixdrv.sys" | python3 -c '
import re, sys
t = sys.stdin.read()
size = int(re.search(r"SizeOfImage: (\d+)", t).group(1))
g = bytes(int(x, 16) for x in re.search(r"PDBGUID: \(([0-9A-F ]+)\)", t).group(1).split())
age = int(re.search(r"PDBAge: (\d+)", t).group(1))
key = "%08X%04X%04X" % (int.from_bytes(g[0:4], "little"), int.from_bytes(g[4:6], "little"), int.from_bytes(g[6:8], "little"))
print("%x" % size, key + g[8:].hex().upper() + "%X" % age)')
KEY=5F000000$SIZE
PDBLINE="dumppipe: symbols: fixdrv.sys: PDB fixdrv.pdb/$GUIDKEY"

# ---- the dump: a small memory dump naming fixdrv.sys (no pages of it), crashed in FuncC ----
# FuncC (push rbx; sub rsp,20h) <- FuncB (sub rsp,38h) <- FuncA (push rsi; push rdi; sub rsp,28h) <-
# DriverEntry (sub rsp,28h) <- 0: only the unwind data in the image explains these frames.
scenario() {
    cat <<YAML
description: small x64 dump whose driver image is only in a symbol store
arch: x64
type: small
os: {build: 19041, processors: 2, product_type: 1, suite_mask: 0x110}
memory: {size: 0x40000000}
kernel: {module_list: nt!PsLoadedModuleList}
modules:
  - name: ntoskrnl.exe
    base: 0xfffff80002a0b000
    size: 0x200000
    sections:
      - {name: .text, rva: 0x1000, size: 0x180000}
      - {name: .data, rva: 0x191000, size: 0x60000, characteristics: 0xc0000040}
    exports: {KeBugCheckEx: 0x70f00, PsLoadedModuleList: 0x1c5e90}
  - name: "$1"
    base: 0xfffff80005000000
    size: 0x$SIZE
    timestamp: 0x5F000000
    image: false
bugcheck: {code: 0xd1, params: [0x0, 0x2, 0x0, 0xfffff80005001210]}
context: {rip: 0xfffff80005001210, rsp: 0xfffff88002f1e000, rcx: 0}
stack:
  base: 0xfffff88002f18000
  size: 0x7000
  data:
    - {va: 0xfffff88002f1e020, qwords: [0x1111, 0xfffff80005001115]}
    - {va: 0xfffff88002f1e068, qwords: [0xfffff80005001015]}
    - {va: 0xfffff88002f1e098, qwords: [0x2222, 0x3333, 0xfffff80005001315]}
    - {va: 0xfffff88002f1e0d8, qwords: [0]}
YAML
}
scenario fixdrv.sys >"$DP_TMP/fixsmall.yaml"
DUMP=$(gen "$DP_TMP/fixsmall.yaml")
TEXT=$(printf 'version: 1\nsteps:\n  - plugin: stack\nsinks: [{plugin: text}]\n' | pipeline stack-text)
JSON=$(printf 'version: 1\nsteps:\n  - plugin: stack\nsinks: [{plugin: json}]\n' | pipeline stack-json)
FRAMES=("fffff880\`02f1e000 fffff800\`05001115 fixdrv+0x1210" "fffff880\`02f1e030 fffff800\`05001015 fixdrv+0x1115"
        "fffff880\`02f1e070 fffff800\`05001315 fixdrv+0x1015" "fffff880\`02f1e0b0 00000000\`00000000 fixdrv+0x1315")
expect_unwound() {
    expect_rc 0
    for f in "${FRAMES[@]}"; do expect_line "$f"; done
    expect_err "$PDBLINE"
    expect_no_line "fixdrv.sys/$KEY"
    expect_no_line "frames accepted by module range alone" # the image's code shows the calls
}
unwound_json() {
    run -p "$JSON" "$@" "$DUMP"
    expect_json "[r['fields']['source'] for r in d['artifacts']['stack.frame']] == ['context', 'unwind', 'unwind', 'unwind']"
}

# ---- without symbols: no image, no unwinding (the frames come from a stack scan) ----
run -p "$JSON" "$DUMP"
expect_json "'unwind' not in [r['fields']['source'] for r in d['artifacts']['stack.frame']]"
expect_json "not any(f['code'] == 'symbols.missing' for f in d['findings'])"

# ---- a local store: FILE/KEY/FILE; misses are named, one line per key ----
mkdir -p "$DP_TMP/store/fixdrv.sys/$KEY"
cp "$FX/fixdrv.sys" "$DP_TMP/store/fixdrv.sys/$KEY/"
run -v -p "$TEXT" -s "$DP_TMP/store" "$DUMP"
expect_unwound
expect_line "ntoskrnl.exe/45D69710200000: not found in $DP_TMP/store"
expect_line "fixdrv.pdb/$GUIDKEY: not found in $DP_TMP/store" # the image names its PDB; the store lacks it
expect_line "Symbols not loaded: 2 symbol files or images not found"
unwound_json -s "$DP_TMP/store"
# the same through the environment, and through the pipeline's symbols: (relative to the pipeline)
OUT=$(_NT_SYMBOL_PATH="c:\\symbols;$DP_TMP/store" "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -v -p "$TEXT" "$DUMP" 2>"$DP_TMP/stderr"); RC=$?
ERR=$(cat "$DP_TMP/stderr")
expect_unwound
expect_err "warning: \$_NT_SYMBOL_PATH: symbol path entry 'c:\\symbols': a Windows path"
P=$(printf 'version: 1\nsymbols: [store]\nsteps:\n  - plugin: stack\nsinks: [{plugin: text}]\n' | pipeline with-symbols)
run -v -p "$P" "$DUMP"
expect_unwound
# with a symbol map for the driver as well (-s FILE): the unwound frames get function names
printf 'MODULE windows x86_64 %s fixdrv.pdb\nFUNC 1000 1d 0 FuncA\nFUNC 1100 1b 0 FuncB\nFUNC 1200 18 0 FuncC\nFUNC 1300 1d 0 DriverEntry\n' \
    "$GUIDKEY" >"$DP_TMP/fixdrv.sym"
run -p "$TEXT" -s "$DP_TMP/store" -s "$DP_TMP/fixdrv.sym" "$DUMP"
for f in "02f1e000 fffff800\`05001115 fixdrv!FuncC+0x10" "02f1e030 fffff800\`05001015 fixdrv!FuncB+0x15" \
    "02f1e070 fffff800\`05001315 fixdrv!FuncA+0x15" "02f1e0b0 00000000\`00000000 fixdrv!DriverEntry+0x15"; do expect_line "$f"; done
# with the PDB in the store too: the names come by the image's key alone, loaded before the steps
mkdir -p "$DP_TMP/store/fixdrv.pdb/$GUIDKEY"
cp "$FX/fixdrv.pdb" "$DP_TMP/store/fixdrv.pdb/$GUIDKEY/"
LM=$(printf 'version: 1\nsteps:\n  - plugin: stack\nsinks: [{plugin: text, options: {modules: true}}]\n' | pipeline stack-lm)
run -p "$LM" -s "$DP_TMP/store" "$DUMP"
for f in "02f1e000 fffff800\`05001115 fixdrv!FuncC+0x10" "02f1e030 fffff800\`05001015 fixdrv!FuncB+0x15" \
    "02f1e070 fffff800\`05001315 fixdrv!FuncA+0x15" "02f1e0b0 00000000\`00000000 fixdrv!DriverEntry+0x15"; do expect_line "$f"; done
expect_line "fixdrv.sys   (pdb symbols)      $DP_TMP/store/fixdrv.pdb/$GUIDKEY/fixdrv.pdb"
expect_no_line "fixdrv.pdb/$GUIDKEY: not found"
expect_no_line "matched by name only"
rm -r "$DP_TMP/store/fixdrv.pdb"
run -p "$TEXT" -s "srv*ftp://example.org/x" "$DUMP"
expect_rc 2
expect_err "-s: symbol path entry 'srv*ftp://example.org/x': only http:// and https:// servers are supported"

# ---- the code comparison (bitflip, !chkimg) on a small dump: the dump holds the .text page with one
# flipped bit; the reference is the image from the store; the dump's bytes are what is judged ----
TEXTHEX=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
lf = struct.unpack_from("<I", d, 0x3c)[0]
n, opt = struct.unpack_from("<H", d, lf + 6)[0], struct.unpack_from("<H", d, lf + 20)[0]
for i in range(n):
    o = lf + 24 + opt + 40 * i
    if d[o:o + 8].rstrip(b"\0") == b".text":
        size, ptr = struct.unpack_from("<II", d, o + 16)
        print((d[ptr:ptr + size] + bytes(4096))[:4096].hex())' "$FX/fixdrv.sys")
{ cat "$DP_TMP/fixsmall.yaml"; cat <<YAML
patches:
  - {va: 0xfffff80005001000, bytes: "$TEXTHEX"}
  - {va: 0xfffff80005001212, flip_bit: 3}
small:
  data_blocks: [{va: 0xfffff80005001000, size: 0x1000}]
YAML
} >"$DP_TMP/fixflip.yaml"
FLIP=$(gen "$DP_TMP/fixflip.yaml")
BF=$(printf 'version: 1\nsteps:\n  - plugin: bitflip\nsinks: [{plugin: text}]\n' | pipeline bitflip)
run -p "$BF" -s "$DP_TMP/store" "$FLIP"
expect_rc 0
expect_line "code.byte        at 0xfffff80005001212: stored 0x40, corrected 0x48, bit 3 (90%): fixdrv.sys+0x1212: code byte 0x40 should be 0x48 (reference image)"
expect_line "796 code bytes in 1 modules (0 other changes, 0 hooks)"
run -p "$BF" "$FLIP"
expect_line "0 code bytes in 0 modules"
# the same dump without the flip: its page compares clean
sed '/flip_bit/d' "$DP_TMP/fixflip.yaml" >"$DP_TMP/fixclean.yaml"
run -p "$BF" -s "$DP_TMP/store" "$(gen "$DP_TMP/fixclean.yaml")"
expect_line "796 code bytes in 1 modules (0 other changes, 0 hooks)"
expect_no_line "code.byte"

# ---- a real driver built with Microsoft's toolchain (../shared): its image from a store, its PDB key ----
HEVD=$DP_SOURCE_DIR/../shared/testdata/symbols/hevd/HEVD.sys
if [ -r "$HEVD" ]; then
    HSIZE=$(printf '%x' "$(llvm-readobj-14 --file-headers "$HEVD" | sed -n 's/^ *SizeOfImage: //p')")
    HKEY=5EDADBD3$HSIZE
    mkdir -p "$DP_TMP/real/HEVD.sys/$HKEY" && cp "$HEVD" "$DP_TMP/real/HEVD.sys/$HKEY/"
    sed -e 's/"fixdrv.sys"/"HEVD.sys"/' -e "s/^    size: 0x$SIZE\$/    size: 0x$HSIZE/" -e 's/timestamp: 0x5F000000/timestamp: 0x5edadbd3/' \
        "$DP_TMP/fixsmall.yaml" >"$DP_TMP/hevd.yaml"
    run -v -p "$TEXT" -s "$DP_TMP/real" "$(gen "$DP_TMP/hevd.yaml")"
    expect_rc 0
    expect_err "dumppipe: symbols: HEVD.sys: image HEVD.sys/$HKEY from $DP_TMP/real/HEVD.sys/$HKEY/HEVD.sys"
    expect_err "dumppipe: symbols: HEVD.sys: PDB HEVD.pdb/3E293F89254245F0B6E147C7B7B7ADA51"
else
    echo "SKIP: ../shared/testdata/symbols absent"
fi

# ---- a two-tier store (index2.txt), a file.ptr, a compressed entry ----
mkdir -p "$DP_TMP/tier/fi/fixdrv.sys/$KEY" && touch "$DP_TMP/tier/index2.txt"
cp "$FX/fixdrv.sys" "$DP_TMP/tier/fi/fixdrv.sys/$KEY/"
run -v -p "$TEXT" -s "$DP_TMP/tier" "$DUMP"
expect_unwound
mkdir -p "$DP_TMP/ptr/fixdrv.sys/$KEY"
echo "PATH:$FX/fixdrv.sys" >"$DP_TMP/ptr/fixdrv.sys/$KEY/file.ptr"
run -v -p "$TEXT" -s "$DP_TMP/ptr" "$DUMP"
expect_unwound
echo "PATH:$FX/../fx/fixdrv.sys" >"$DP_TMP/ptr/fixdrv.sys/$KEY/file.ptr"
run -p "$TEXT" -s "$DP_TMP/ptr" "$DUMP"
expect_line "fixdrv.sys/$KEY: $DP_TMP/ptr/fixdrv.sys/$KEY/file.ptr: points to '$FX/../fx/fixdrv.sys', not a local file (not followed)"
echo "MSG:withdrawn by the vendor" >"$DP_TMP/ptr/fixdrv.sys/$KEY/file.ptr"
run -p "$TEXT" -s "$DP_TMP/ptr" "$DUMP"
expect_line "fixdrv.sys/$KEY: $DP_TMP/ptr/fixdrv.sys/$KEY/file.ptr says: withdrawn by the vendor"
mkdir -p "$DP_TMP/cab/fixdrv.sys/$KEY"
(cd "$FX" && gcab -c -z "$DP_TMP/cab/fixdrv.sys/$KEY/fixdrv.sy_" fixdrv.sys) || _fail "gcab"
run -v -p "$TEXT" -s "$DP_TMP/cab" "$DUMP"
expect_unwound
# hostile CABs: truncated, holding other files, declaring more than the cap
hostile_cab() { # NAME: builds $DP_TMP/hcab/NAME/fixdrv.sys/KEY/fixdrv.sy_ from stdin's python
    mkdir -p "$DP_TMP/hcab/$1/fixdrv.sys/$KEY"
    python3 - "$DP_TMP/cab/fixdrv.sys/$KEY/fixdrv.sy_" "$DP_TMP/hcab/$1/fixdrv.sys/$KEY/fixdrv.sy_"
}
hostile_cab short <<'PY'
import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d[:len(d) // 2])
PY
hostile_cab huge <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
files = struct.unpack_from("<I", d, 16)[0]          # CFHEADER.coffFiles: the first CFFILE
struct.pack_into("<I", d, files, 0x7fffffff)        # CFFILE.cbFile
open(sys.argv[2], "wb").write(d)
PY
run -p "$TEXT" -s "$DP_TMP/hcab/short" "$DUMP"
expect_rc 0
expect_line "fixdrv.sys/$KEY: $DP_TMP/hcab/short/fixdrv.sys/$KEY/fixdrv.sy_: "
run -p "$TEXT" -s "$DP_TMP/hcab/huge" "$DUMP"
expect_line "fixdrv.sys/$KEY: $DP_TMP/hcab/huge/fixdrv.sys/$KEY/fixdrv.sy_: the CAB declares 2147483647 bytes at offset 0, more than the 536870912 allowed"
mkdir -p "$DP_TMP/hcab/other/fixdrv.sys/$KEY"
(cd "$FX" && cp fixdrv.sys a.sys && cp fixdrv.sys b.sys && gcab -c -z "$DP_TMP/hcab/other/fixdrv.sys/$KEY/fixdrv.sy_" a.sys b.sys)
run -p "$TEXT" -s "$DP_TMP/hcab/other" "$DUMP"
expect_line "fixdrv.sys/$KEY: $DP_TMP/hcab/other/fixdrv.sys/$KEY/fixdrv.sy_: the CAB holds 2 files and none is fixdrv.sys"
# a store without a cache: the expanded file lives in a private temporary directory, removed at exit
if ls -d "$TMPDIR"/dumppipe-sym-* 2>/dev/null | grep -q .; then _fail "temporary store left behind"; else _ok; fi

# ---- a symbol server (started here, on a free loopback port) ----
SRV_PID=
start_server() { # ROOT [rules]
    rm -f "$DP_TMP/port" "$DP_TMP/server.log"
    python3 "$SYM/symserver.py" "$1" "$DP_TMP/port" "$DP_TMP/server.log" "${@:2}" &
    SRV_PID=$!
    for _ in $(seq 100); do [ -s "$DP_TMP/port" ] && break; sleep 0.05; done
    PORT=$(cat "$DP_TMP/port")
}
stop_server() { [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null; SRV_PID=; }
trap 'stop_server; rm -rf "$DP_TMP"' EXIT
gets() { grep -c "GET $1 " "$DP_TMP/server.log" || true; }

mkdir -p "$DP_TMP/www"
cp -r "$DP_TMP/store" "$DP_TMP/www/plain"
cp -r "$DP_TMP/cab" "$DP_TMP/www/packed"
start_server "$DP_TMP/www"
URL=http://127.0.0.1:$PORT
run -v -p "$TEXT" -s "srv*$DP_TMP/cache*$URL/plain" "$DUMP"
expect_unwound
if cmp -s "$FX/fixdrv.sys" "$DP_TMP/cache/fixdrv.sys/$KEY/fixdrv.sys"; then _ok; else _fail "cache copy differs"; fi
# 404 is not retried: FILE, FILE_, file.ptr once each
[ "$(gets "/plain/ntoskrnl.exe/45D69710200000/ntoskrnl.exe")" = 1 ] && [ "$(gets "/plain/ntoskrnl.exe/45D69710200000/file.ptr")" = 1 ] && _ok || _fail "404s retried or not tried: $(cat "$DP_TMP/server.log")"
# the cache is a store: a second run asks the server nothing for fixdrv
run -v -p "$TEXT" -s "srv*$DP_TMP/cache*$URL/plain" "$DUMP"
expect_unwound
[ "$(gets "/plain/fixdrv.sys/$KEY/fixdrv.sys")" = 1 ] && _ok || _fail "cached file fetched again"
# compressed on the server: fetched as fixdrv.sy_, expanded into the cache
run -v -p "$TEXT" -s "srv*$DP_TMP/cache2*$URL/packed" "$DUMP"
expect_unwound
if cmp -s "$FX/fixdrv.sys" "$DP_TMP/cache2/fixdrv.sys/$KEY/fixdrv.sys"; then _ok; else _fail "expanded cache copy differs"; fi
# the size cap: nothing kept
OUT=$(DUMPPIPE_SYMBOL_MAX_SIZE=1k "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p "$TEXT" -s "srv*$DP_TMP/cache3*$URL/plain" "$DUMP" 2>&1); RC=$?
expect_rc 0
expect_line "fixdrv.sys/$KEY: $URL/plain/fixdrv.sys/$KEY/fixdrv.sys: larger than the 1024-byte limit (DUMPPIPE_SYMBOL_MAX_SIZE)"
if find "$DP_TMP/cache3" -type f | grep -q .; then _fail "capped download left files: $(find "$DP_TMP/cache3" -type f)"; else _ok; fi
# hostile names from the dump: refused, nothing written anywhere
scenario "../../evil.sys" >"$DP_TMP/evil.yaml"
run -p "$TEXT" -s "srv*$DP_TMP/cache4*$URL/plain" "$(gen "$DP_TMP/evil.yaml")"
expect_rc 0
expect_line "../../evil.sys/$KEY: refused: a file name or key with a path separator, '..' or control characters"
[ "$(gets "/plain/../../evil.sys/$KEY/../../evil.sys")" = 0 ] && ! grep -q evil "$DP_TMP/server.log" && _ok || _fail "a refused name reached the server"
if find "$DP_TMP" "$(dirname "$DP_TMP")" -maxdepth 3 -name 'evil.sys*' | grep -q .; then _fail "a file named from a hostile name was written"; else _ok; fi
# a server that answers 200 with something else (an HTML page): not used, and not kept in the cache
mkdir -p "$DP_TMP/www/bad/fixdrv.sys/$KEY" && printf "<html><body>%s</body></html>\n" "The symbol server is down for maintenance until further notice." >"$DP_TMP/www/bad/fixdrv.sys/$KEY/fixdrv.sys"
run -p "$TEXT" -s "srv*$DP_TMP/cache9*$URL/bad" "$DUMP"
expect_rc 0
expect_line "fixdrv.sys/$KEY: $DP_TMP/cache9/fixdrv.sys/$KEY/fixdrv.sys: no MZ signature"
[ ! -e "$DP_TMP/cache9/fixdrv.sys/$KEY/fixdrv.sys" ] && _ok || _fail "a bad download stayed in the cache"
# concurrent runs filling one cache: each writes through its own temporary file and a rename
for i in 1 2 3 4; do "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p "$TEXT" -s "srv*$DP_TMP/cache5*$URL/plain" "$DUMP" >"$DP_TMP/par$i.out" 2>&1 & done
wait_all=0; for j in $(jobs -p); do [ "$j" = "$SRV_PID" ] && continue; wait "$j" || wait_all=1; done
[ "$wait_all" = 0 ] && _ok || _fail "a concurrent run failed"
for i in 1 2 3 4; do grep -qF "${FRAMES[1]}" "$DP_TMP/par$i.out" && _ok || _fail "concurrent run $i: $(cat "$DP_TMP/par$i.out")"; done
if cmp -s "$FX/fixdrv.sys" "$DP_TMP/cache5/fixdrv.sys/$KEY/fixdrv.sys" && ! find "$DP_TMP/cache5" -name '.dp-*' | grep -q .; then _ok
else _fail "concurrent cache writes: $(find "$DP_TMP/cache5")"; fi
stop_server

# 5xx: retried (DUMPPIPE_SYMBOL_RETRIES), then reported
start_server "$DP_TMP/www" --fail fixdrv 500
URL=http://127.0.0.1:$PORT
OUT=$(DUMPPIPE_SYMBOL_RETRIES=2 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p "$TEXT" -s "srv*$DP_TMP/cache6*$URL/plain" "$DUMP" 2>&1); RC=$?
expect_rc 0
expect_line "fixdrv.sys/$KEY: $URL/plain/fixdrv.sys/$KEY/fixdrv.sys: HTTP 500 (3 tries)"
[ "$(gets "/plain/fixdrv.sys/$KEY/fixdrv.sys")" = 3 ] && _ok || _fail "500 not retried twice: $(cat "$DP_TMP/server.log")"
stop_server

# redirects: followed to http, never to another protocol
start_server "$DP_TMP/www" --redirect "/plain/fixdrv.sys/$KEY/fixdrv.sys" "file:///etc/passwd" --redirect /hop/ "/plain2/fixdrv.sys/$KEY/fixdrv.sys"
URL=http://127.0.0.1:$PORT
run -p "$TEXT" -s "srv*$DP_TMP/cache10*$URL/plain" "$DUMP"
expect_rc 0
expect_line "fixdrv.sys/$KEY: $URL/plain/fixdrv.sys/$KEY/fixdrv.sys: Unsupported protocol"
[ ! -e "$DP_TMP/cache10/fixdrv.sys/$KEY/fixdrv.sys" ] && _ok || _fail "a redirect to file:// was followed"
mkdir -p "$DP_TMP/www/hop" && cp -r "$DP_TMP/www/plain" "$DP_TMP/www/plain2"
run -v -p "$TEXT" -s "srv*$DP_TMP/cache11*$URL/hop" "$DUMP"
expect_err "dumppipe: symbols: fixdrv.sys: image fixdrv.sys/$KEY from $DP_TMP/cache11/fixdrv.sys/$KEY/fixdrv.sys"
stop_server

# a slow server: the timeout holds, the run finishes, the server is not asked again
start_server "$DP_TMP/www" --slow plain 30
URL=http://127.0.0.1:$PORT
OUT=$(DUMPPIPE_SYMBOL_TIMEOUT=500ms DUMPPIPE_SYMBOL_RETRIES=0 "$DUMPPIPE" -L "$DP_PLUGIN_DIR" -p "$TEXT" -s "srv*$DP_TMP/cache7*$URL/plain" "$DUMP" 2>&1); RC=$?
expect_rc 0
expect_line "Symbols not loaded: 2 symbol files or images not found"
expect_line "ntoskrnl.exe/45D69710200000: $URL/plain/ntoskrnl.exe/45D69710200000/ntoskrnl.exe: Timeout was reached"
expect_line "fixdrv.sys/$KEY: $URL/plain: did not answer: Timeout was reached"
[ "$(grep -c '^ASK ' "$DP_TMP/server.log")" = 1 ] && _ok || _fail "a dead server was asked again: $(cat "$DP_TMP/server.log")"
stop_server

# nobody listening: the run finishes and says what it lacked
run -p "$TEXT" -s "srv*$DP_TMP/cache8*http://127.0.0.1:$PORT/plain" "$DUMP"
expect_rc 0
expect_line "ntoskrnl.exe/45D69710200000: http://127.0.0.1:$PORT/plain/ntoskrnl.exe/45D69710200000/ntoskrnl.exe: Couldn't connect to server"
expect_line "fixdrv.sys/$KEY: http://127.0.0.1:$PORT/plain: did not answer: Couldn't connect to server"
# the next run (or the next dump's child process) does not wait for it again
run -p "$TEXT" -s "srv*$DP_TMP/cache8*http://127.0.0.1:$PORT/plain" "$DUMP"
expect_rc 0
expect_line "ntoskrnl.exe/45D69710200000: http://127.0.0.1:$PORT/plain: did not answer an earlier run less than 300 s ago"
finish
