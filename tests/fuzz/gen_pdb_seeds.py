#!/usr/bin/env python3
"""Small hand-built symbol files for the pdb and symfile fuzz targets: MSF 7.00 PDBs (512- and
4096-byte blocks, streams in and out of block order, OMAP, FrameData, a module stream with a
procedure, nil streams), an MSFZ header, Volatility ISF (plain, gzip, xz) and a Breakpad .sym.
usage: gen_pdb_seeds.py OUTDIR"""
import gzip, json, lzma, os, struct, sys

def rec(kind, body):
    data = struct.pack("<H", kind) + body
    data += b"\0" * (-(len(data) + 2) % 4)
    return struct.pack("<H", len(data)) + data

def pub(off, seg, name, flags=2): return rec(0x110E, struct.pack("<IIH", flags, off, seg) + name + b"\0")

def proc(off, seg, size, name, kind=0x1110):
    return rec(kind, struct.pack("<IIIIIIIIHB", 0, 0, 0, size, 0, 0, 0, off, seg, 0) + name + b"\0")

def section(name, va, size):
    return struct.pack("<8sIIIIIIHHI", name, size, va, size, 0, 0, 0, 0, 0, 0x60000020)

def msf(streams, bs, scramble=False):
    """streams: list of bytes or None (nil). Lays blocks out after block 3 (0 super, 1-2 FPM)."""
    blocks, nxt = {}, 3
    lists = []
    for s in streams:
        if s is None: lists.append([]); continue
        n = (len(s) + bs - 1) // bs
        ids = list(range(nxt, nxt + n)); nxt += n
        if scramble: ids.reverse()
        for i, b in enumerate(ids): blocks[b] = s[i * bs:(i + 1) * bs]
        lists.append(ids)
    d = struct.pack("<I", len(streams)) + b"".join(struct.pack("<I", 0xFFFFFFFF if s is None else len(s)) for s in streams)
    d += b"".join(struct.pack("<I", b) for l in lists for b in l)
    dir_blocks = list(range(nxt, nxt + (len(d) + bs - 1) // bs)); nxt += len(dir_blocks)
    for i, b in enumerate(dir_blocks): blocks[b] = d[i * bs:(i + 1) * bs]
    map_block = nxt; nxt += 1
    blocks[map_block] = b"".join(struct.pack("<I", b) for b in dir_blocks)
    sb = b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0" + struct.pack("<IIIIII", bs, 1, nxt, len(d), 0, map_block)
    out = bytearray(nxt * bs)
    out[:len(sb)] = sb
    for b, data in blocks.items(): out[b * bs:b * bs + len(data)] = data
    return bytes(out)

def pdb(bs, machine=0x8664, omap=False, scramble=False):
    guid = bytes(range(16))
    names = b"\0$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + =\0"
    info = struct.pack("<III", 20000404, 0x5F000000, 1) + guid
    info += struct.pack("<I", 7) + b"/names\0" + struct.pack("<IIIIII", 1, 1, 1, 1, 0, 0) + struct.pack("<II", 0, 4)
    strtab = struct.pack("<III", 0xEFFEEFFE, 1, len(names)) + names
    secs = section(b".text", 0x1000, 0x2000) + section(b".data", 0x3000, 0x1000)
    syms = pub(0x10, 1, b"DriverEntry") + pub(0x200, 1, b"_Helper@8") + pub(0, 2, b"GlobalCounter", 0) + \
           rec(0x1125, b"\0" * 10) + pub(0x400, 1, b"\x7fNULL_THUNK_DATA")
    modsyms = struct.pack("<I", 4) + proc(0x300, 1, 0x40, b"StaticHelper", 0x110F) + proc(0x10, 1, 0x20, b"DriverEntry")
    frames = struct.pack("<IIIIIIHHI", 0x1010, 0x20, 4, 8, 0, 1, 3, 4, 0) + struct.pack("<IIIIIIHHI", 0x1000, 0x10, 0, 0, 0, 0, 0, 0, 0)
    fpo = struct.pack("<IIIHH", 0x1200, 0x30, 2, 2, 0x1103)
    omap_from = struct.pack("<IIII", 0x1000, 0x5000, 0x2000, 0) if omap else b""
    # streams: 0 old dir, 1 info, 2 TPI (nil), 3 DBI, 4 IPI, 5 syms, 6 sections, 7 /names, 8 frames, 9 fpo, 10 module, 11 omap
    modi = struct.pack("<I", 0) + b"\0" * 28 + struct.pack("<HHIII", 0, 10, len(modsyms), 0, 0) + b"\0" * 12 + b"mod.obj\0mod.obj\0"
    modi += b"\0" * (-len(modi) % 4)
    dbg = [9, 0xFFFF, 0xFFFF, 0xFFFF, 11 if omap else 0xFFFF, 6, 0xFFFF, 0xFFFF, 0xFFFF, 8, 6 if omap else 0xFFFF]
    opt = b"".join(struct.pack("<H", x) for x in dbg)
    dbi = struct.pack("<iIIHHHHHH", -1, 19990903, 1, 0xFFFF, 0, 0xFFFF, 0, 5, 0)
    dbi += struct.pack("<iiiiiIiiHHI", len(modi), 0, 0, 0, 0, 0, len(opt), 0, 0, machine, 0) + modi + opt
    streams = [b"", info, None, dbi, b"", syms, secs, strtab, frames, fpo, modsyms, omap_from or None]
    return msf(streams, bs, scramble)

out = sys.argv[1]
for d in ("pdb", "symfile"): os.makedirs(os.path.join(out, d), exist_ok=True)
seeds = {"x64-512.pdb": pdb(512), "x86-4096.pdb": pdb(4096, machine=0x14c, scramble=True),
         "omap-1024.pdb": pdb(1024, omap=True), "msfz.pdb": b"Microsoft MSFZ Container\r\n\x1aALD\0\0" + bytes(32)}
isf = json.dumps({"metadata": {"windows": {"pdb": {"GUID": "00010203-0405-0607-0809-0A0B0C0D0E0F", "age": 1,
                                                   "database": "drv.pdb"}}},
                  "symbols": {"DriverEntry": {"address": 0x1010}, "Helper": {"address": 0x1200}}}).encode()
for name, data in seeds.items():
    for d in ("pdb", "symfile"): open(os.path.join(out, d, name), "wb").write(data)
for name, data in {"isf.json": isf, "isf.json.gz": gzip.compress(isf), "isf.json.xz": lzma.compress(isf),
                   "drv.sym": b"MODULE windows x86_64 000102030405060708090A0B0C0D0E0F1 drv.pdb\nFUNC 1010 20 0 DriverEntry\nPUBLIC 1200 0 Helper\n"}.items():
    open(os.path.join(out, "symfile", name), "wb").write(data)
