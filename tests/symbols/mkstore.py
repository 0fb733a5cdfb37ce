#!/usr/bin/env python3
"""Files an image and its PDB into a symbol-store tree under their keys, read from the image itself
(TimeDateStamp, SizeOfImage, the CodeView RSDS record), independently of dumppipe's readers.
usage: mkstore.py STORE IMAGE PDB"""
import os, shutil, struct, sys

store, image, pdb = sys.argv[1:4]
d = open(image, "rb").read()
pe = struct.unpack_from("<I", d, 0x3c)[0]
ts = struct.unpack_from("<I", d, pe + 8)[0]
opt = pe + 24
size = struct.unpack_from("<I", d, opt + 56)[0]
magic = struct.unpack_from("<H", d, opt)[0]
dirs = opt + (112 if magic == 0x20b else 96)
dbg_rva, dbg_size = struct.unpack_from("<II", d, dirs + 6 * 8)
nsec = struct.unpack_from("<H", d, pe + 6)[0]
sec = opt + struct.unpack_from("<H", d, pe + 20)[0]
def file_off(rva):
    for i in range(nsec):
        vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", d, sec + 40 * i + 8)
        if va <= rva < va + max(vsize, rawsize): return rawptr + rva - va
for k in range(dbg_size // 28):
    typ, _, _, ptr = struct.unpack_from("<IIII", d, file_off(dbg_rva) + 28 * k + 12)
    if typ == 2 and d[ptr:ptr + 4] == b"RSDS":
        g = d[ptr + 4:ptr + 20]
        age = struct.unpack_from("<I", d, ptr + 20)[0]
        key = "%08X%04X%04X%s%X" % (struct.unpack_from("<I", g)[0], struct.unpack_from("<H", g, 4)[0],
                                    struct.unpack_from("<H", g, 6)[0], g[8:].hex().upper(), age)
for name, k in ((os.path.basename(image), "%08X%x" % (ts, size)), (os.path.basename(pdb), key)):
    os.makedirs(os.path.join(store, name, k), exist_ok=True)
    shutil.copy(image if name == os.path.basename(image) else pdb, os.path.join(store, name, k, name))
    print(f"{name}/{k}")
