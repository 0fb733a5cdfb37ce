#!/usr/bin/env python3
"""The PDB, ISF and .sym readers (host/symbols) through dpsym, against independent oracles:
- the real Microsoft kernel PDB in ../shared against its symbol list made by another tool;
- the real x64 driver PDBs against their images' RSDS records and llvm-pdbutil;
- PDBs built here with clang + lld-link (x64, x86, ARM64; full and publics-only) against
  llvm-pdbutil, llvm-readobj (RSDS) and the functions of drv.c;
- ISF files (plain, gzip, xz) written from a fixture PDB, which must name the same addresses;
- MSFZ, truncated and corrupted files: one-line errors, never a crash."""
import argparse, gzip, json, lzma, os, re, shutil, subprocess, sys

fails = 0
def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    if not cond: fails += 1

def run(*cmd, ok=True):
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if ok and r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr}")
    return r

def dpsym(*a, ok=True): return run(A.dpsym, *a, ok=ok)

def info(path):
    return dict(l.split(" ", 1) for l in dpsym("info", path).stdout.splitlines())

def entries(path):
    out = {}
    for l in dpsym("dump", path).stdout.splitlines():
        k, rva, end, name = l.split(" ", 3)
        out.setdefault(name, set()).add((k, int(rva, 16)))
    return out

def rsds(image):
    t = run(A.readobj, "--coff-debug-directory", image).stdout
    g = re.search(r"PDBGUID: \(([0-9A-F ]+)\)", t).group(1).split()
    age = int(re.search(r"PDBAge: (\d+)", t).group(1))
    b = bytes(int(x, 16) for x in g)
    return "%08X%04X%04X%s%X" % (int.from_bytes(b[0:4], "little"), int.from_bytes(b[4:6], "little"),
                                 int.from_bytes(b[6:8], "little"), b[8:].hex().upper(), age)

def pdbutil_publics(pdb):
    """(name, rva) of every S_PUB32, from llvm-pdbutil's publics and section headers."""
    secs = [int(v, 16) for v in re.findall(r"\n\s+([0-9A-F]+) virtual address",
                                             run(A.pdbutil, "dump", "--section-headers", pdb).stdout)]
    out = []
    for name, seg, off in re.findall(r"S_PUB32 \[size = \d+\] `(.*)`\n.*addr = (\d+):(\d+)",
                                     run(A.pdbutil, "dump", "--publics", pdb).stdout):
        if 0 < int(seg) <= len(secs):  # one past the sections: absolute symbols (__guard_flags), no RVA
            out.append((name, secs[int(seg) - 1] + int(off)))
    return out

def real_kernel():
    d = os.path.join(A.shared, "testdata/symbols/ntkrnlpa")
    pdb = os.path.join(d, "ntkrnlpa.pdb")
    if not os.path.exists(pdb): return print("skip real kernel PDB: ../shared absent")
    i = info(pdb)
    check(i["id"] == "30B5FB31AE7E4ACAABA750AA241FF3312", "ntkrnlpa: GUID/age 30B5FB31-AE7E-4ACA-ABA7-50AA241FF331 age 2")
    check(i["machine"] == "14c", "ntkrnlpa: x86 (DBI machine 0, told by the decorated names)")
    ours = entries(pdb)
    ref = [l.split(None, 1) for l in open(os.path.join(d, "sym.txt")).read().splitlines()]
    check(len(ref) == 9446, "sym.txt has 9,446 lines")
    # The other tool demangles C++ names, renames precompiled-header symbols and cuts "@hex"
    # from floating-point constants; dumppipe prints those raw. Nothing else may differ.
    legit = re.compile(r"^(`.*::enable|___PchSym_|_real)$")
    bad, explained = [], 0
    for addr, name in ref:
        rva = int(addr, 16) - 0x804D7000
        if ("P", rva) in ours.get(name, ()): continue
        if legit.match(name): explained += 1
        else: bad.append((hex(rva), name))
    check(not bad, f"ntkrnlpa: every public's RVA matches sym.txt except {explained} raw C++/PCH/constant names ({bad[:5]})")
    check(explained == 29, f"ntkrnlpa: exactly 29 names differ only in demangling ({explained})")
    look = dpsym("lookup", pdb, "%x" % (0x804ffbb6 - 0x804D7000 + 0x10)).stdout.split()
    check(look[1] == "KiQuantumEnd+0x10", f"ntkrnlpa: KiQuantumEnd+0x10 ({look})")
    fr = dpsym("frame", pdb, "%x" % (0x804ffbb6 - 0x804D7000)).stdout
    check("program $T0 $ebp = $eip $T0 4 + ^ =" in fr, f"ntkrnlpa: a FrameData record covers KiQuantumEnd ({fr.strip()})")
    # its program, evaluated over a fake memory (value at VA = VA * 3 + 1): the EBP frame
    out = dpsym("unwind", pdb, "%x" % (0x804ffbb6 - 0x804D7000 + 0x20), "f0000", "f0100").stdout.split()
    check(out == ["eip", "%x" % (0xf0104 * 3 + 1), "esp", "f0108", "ebp", "%x" % (0xf0100 * 3 + 1)],
          f"ntkrnlpa: KiQuantumEnd unwinds through its program ({out})")

def real_drivers():
    d = os.path.join(A.shared, "testdata/symbols/hevd")
    if not os.path.isdir(d): return print("skip real driver PDBs: ../shared absent")
    for base in ("HEVD", "viking_driver1", "viking_drv2"):
        pdb, sys_ = os.path.join(d, base + ".pdb"), os.path.join(d, base + ".sys")
        i = info(pdb)
        check(i["id"] == rsds(sys_), f"{base}: PDB GUID/age {i['id']} = the image's RSDS")
        ours = entries(pdb)
        ref = pdbutil_publics(pdb)
        fix = lambda n: "_" + n[1:] if n.startswith("\x7f") else n  # "\x7fntoskrnl_NULL_THUNK_DATA"
        missing = [(n, hex(r)) for n, r in ref if ("P", r) not in ours.get(fix(n), ())]
        check(ref and not missing, f"{base}: all {len(ref)} publics at llvm-pdbutil's RVAs ({missing[:3]})")
        check(int(i["procs"]) > 0, f"{base}: full PDB, {i['procs']} procedures from module streams")
    # procedure extents against llvm-pdbutil's S_GPROC32 code sizes
    pdb = os.path.join(d, "HEVD.pdb")
    ends = {n: int(e, 16) - int(r, 16) for k, r, e, n in (l.split(" ", 3) for l in dpsym("dump", pdb).stdout.splitlines()) if k == "F"}
    ref = dict(re.findall(r"S_[GL]PROC32 \[size = \d+\] `(.*)`\n.*code size = (\d+)", run(A.pdbutil, "dump", "--symbols", pdb).stdout))
    wrong = [n for n, size in ref.items() if ends.get(n) != int(size)]
    check(len(ref) > 20 and not wrong, f"HEVD: {len(ref)} procedure sizes as llvm-pdbutil's ({wrong[:3]})")

def build(arch, full):
    triple, machine = {"x64": ("x86_64", "x64"), "x86": ("i686", "x86"), "arm64": ("aarch64", "arm64")}[arch]
    tag = f"{arch}-{'full' if full else 'pub'}"
    obj, pdb, img = (os.path.join(A.work, f"drv-{tag}{e}") for e in (".obj", ".pdb", ".sys"))
    flags = ["-O1", "-ffreestanding", "-funwind-tables", "-fno-stack-protector", "-fno-builtin", "-fno-omit-frame-pointer"]
    if full: flags += ["-g", "-gcodeview"]
    run(A.clang, f"--target={triple}-pc-windows-msvc", *flags, "-c", os.path.join(A.src, "drv.c"), "-o", obj)
    run(A.lld_link, "/nologo", "/driver", "/subsystem:native", f"/machine:{machine}", "/entry:DriverEntry",
        "/nodefaultlib", "/debug:full", "/timestamp:0x5F000000", "/pdbaltpath:%_PDB%", f"/pdb:{pdb}", f"/out:{img}", obj)
    return pdb, img

def fixtures():
    if not (A.clang and A.lld_link and A.pdbutil and A.readobj):
        return print("skip fixture PDBs: clang, lld-link, llvm-pdbutil or llvm-readobj missing")
    os.makedirs(A.work, exist_ok=True)
    for arch in ("x64", "x86", "arm64"):
        for full in (True, False):
            pdb, img = build(arch, full)
            tag = f"{arch} {'full' if full else 'publics-only'}"
            i = info(pdb)
            check(i["id"] == rsds(img) or i["id2"] == rsds(img), f"{tag}: GUID/age = RSDS {rsds(img)}")
            ref = pdbutil_publics(pdb)
            ours = entries(pdb)
            undec = lambda n: re.sub(r"^[_@]|@\d+$", "", n) if arch == "x86" else n
            missing = [(n, hex(r)) for n, r in ref if ("P", r) not in ours.get(undec(n), ())]
            check(len(ref) >= 4 and not missing, f"{tag}: {len(ref)} publics at llvm-pdbutil's RVAs ({missing[:3]})")
            pub = {undec(n): r for n, r in ref}
            got = dpsym("lookup", pdb, *("%x" % (pub[f] + 3) for f in ("CrashHere", "HelperAdd", "DriverEntry"))).stdout.split()
            check(got[1::2] == ["CrashHere+0x3", "HelperAdd+0x3", "DriverEntry+0x3"], f"{tag}: names at RVAs ({got})")
            check(("StaticHelper" in ours) == full, f"{tag}: the static function is named only by a full PDB")
            if full:
                sh = min(r for k, r in ours["StaticHelper"])
                got = dpsym("lookup", pdb, "%x" % (sh + 1)).stdout.split()
                check(got[1] == "StaticHelper+0x1", f"{tag}: S_LPROC32 names a static function ({got})")
            if arch == "x86" and full:  # FrameData comes from .debug$F, which only -g writes
                fr = dpsym("frame", pdb, "%x" % (pub["CrashHere"] + 1)).stdout
                check("$T0" in fr and "$ebp" in fr, f"{tag}: FrameData program for CrashHere ({fr.strip()})")
                # clang's program: $T0 = $ebp (after the prolog); eip = [$T0 + 4], esp = $T0 + 8
                out = dpsym("unwind", pdb, "%x" % (pub["CrashHere"] + 8), "f0000", "f0100").stdout.split()
                check(out[:4] == ["eip", "%x" % (0xf0104 * 3 + 1), "esp", "f0108"], f"{tag}: CrashHere unwinds ({out})")
            if arch == "x64" and full: isf(pdb, img, ours)

def isf(pdb, img, ours):
    """An ISF written from the fixture PDB's publics as llvm-pdbutil reads them (as Volatility's
    pdbconv would write it): the same names at the same addresses as our PDB reader gives."""
    key = rsds(img)
    syms = {}
    for n, r in pdbutil_publics(pdb): syms.setdefault(n, {"address": r})
    doc = {"metadata": {"format": "6.2.0", "windows": {"pdb": {"GUID": key[:8] + "-" + key[8:12] + "-" + key[12:16] + "-" +
                                                              key[16:20] + "-" + key[20:32], "age": int(key[32:], 16),
                                                              "database": os.path.basename(pdb), "machine_type": 34404}}},
           "base_types": {}, "user_types": {}, "enums": {}, "symbols": syms}
    text = json.dumps(doc).encode()
    base = os.path.join(A.work, "drv-x64.isf")
    for ext, data in ((".json", text), (".json.gz", gzip.compress(text)), (".json.xz", lzma.compress(text))):
        open(base + ext, "wb").write(data)
        i = info(base + ext)
        check(i["kind"] == "isf" and i["id"] == key, f"ISF{ext}: kind isf, id {i['id']} from metadata.windows.pdb")
        probe = ["%x" % (syms[f]["address"] + 5) for f in ("CrashHere", "HelperAdd", "DriverEntry")]
        check(dpsym("lookup", base + ext, *probe).stdout.split()[1::2] ==
              dpsym("lookup", pdb, *probe).stdout.split()[1::2], f"ISF{ext}: the same names as the PDB")
    open(base + ".bad.json.gz", "wb").write(gzip.compress(b'{"symbols": {"a": {"address": 1}'))
    r = dpsym("info", base + ".bad.json.gz", ok=False)
    check(r.returncode == 1 and "not valid JSON" in r.stderr and r.stderr.count("\n") == 1, f"truncated ISF: {r.stderr.strip()}")

def hostile():
    os.makedirs(A.work, exist_ok=True)
    msfz = os.path.join(A.work, "x.pdbz")
    open(msfz, "wb").write(b"Microsoft MSFZ Container\r\n\x1aALD\0\0" + bytes(64))
    r = dpsym("info", msfz, ok=False)
    check(r.returncode == 1 and "MSFZ" in r.stderr and r.stderr.count("\n") == 1, f"MSFZ refused: {r.stderr.strip()}")
    src = os.path.join(A.work, "drv-x64-full.pdb")
    if not os.path.exists(src): return
    data = open(src, "rb").read()
    cases = {"truncated": data[:len(data) // 3], "blocksize": data[:32] + b"\x00\x03\x00\x00" + data[36:],
             "blockmap": data[:52] + b"\xff\xff\xff\x7f" + data[56:], "dirsize": data[:44] + b"\xff\xff\xff\x7f" + data[48:]}
    for name, blob in cases.items():
        p = os.path.join(A.work, f"bad-{name}.pdb")
        open(p, "wb").write(blob)
        r = dpsym("info", p, ok=False)
        check(r.returncode == 1 and r.stderr.startswith(f"dpsym: {p}: ") and r.stderr.count("\n") == 1,
              f"{name} PDB: {r.stderr.strip()}")

ap = argparse.ArgumentParser()
for o in ("dpsym", "shared", "src", "clang", "lld-link", "pdbutil", "readobj", "work"): ap.add_argument("--" + o)
A = ap.parse_args()
shutil.rmtree(A.work, ignore_errors=True)
real_kernel(); real_drivers(); fixtures(); hostile()
print(f"{fails} failure(s)")
sys.exit(1 if fails else 0)
