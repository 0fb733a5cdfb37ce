#!/usr/bin/env python3
"""Writes the malformed kdump and ELF files of issue 13 from dumps dpgen made, so no binary is committed.

  kdump_mutants.py regressions OUT KDUMP64
      one file per finding: the smallest reproducer, named after it (OUT/<name>.kdump)
  kdump_mutants.py flatten KDUMP OUT
      KDUMP in makedumpfile's flattened format (-F), as QEMU writes its kdump files
  kdump_mutants.py mutants OUT COUNT SEED KDUMP ELF
      COUNT files, half mutated from each input: fields overwritten with boundary values, bytes
      flipped, cuts; deterministic for a SEED.
KDUMP64 is a 64-bit compressed kdump (dpgen --type kdump of an x64 scenario): header fields at 428..447,
the sub-header at block 1 (4096).
"""
import os
import random
import struct
import sys

BS = 4096
H64 = {"block_size": 428, "sub_hdr_size": 432, "bitmap_blocks": 436, "max_mapnr": 440, "total_ram_blocks": 444}
SUB64 = {"offset_note": BS + 48, "size_note": BS + 56, "max_mapnr_64": BS + 96}


def put32(b, off, v):
    struct.pack_into("<I", b, off, v & 0xFFFFFFFF)


def put64(b, off, v):
    struct.pack_into("<Q", b, off, v & 0xFFFFFFFFFFFFFFFF)


def first_data_offset(b):
    """File offset where page data starts: right after the page descriptor table."""
    sub = struct.unpack_from("<i", b, H64["sub_hdr_size"])[0]
    bb = struct.unpack_from("<I", b, H64["bitmap_blocks"])[0]
    desc = (1 + sub + bb) * BS
    first, = struct.unpack_from("<Q", b, desc)
    return desc, first


def regressions(out, base):
    b = bytearray(open(base, "rb").read())
    desc, data = first_data_offset(b)
    cases = {}

    def field(name, off, v, cut=12 * 1024, wide=False):
        m = bytearray(b)
        (put64 if wide else put32)(m, off, v)
        cases[name] = m[:cut] if cut else m

    # absurd numbers in a 4-12 KiB header: libkdumpfile's open failed and kdump_free() then crashed
    field("bitmap-blocks-absurd", H64["bitmap_blocks"], 0xFFFFFFFF, 8 * 1024)
    field("max-mapnr-absurd", H64["max_mapnr"], 0xFFFFFFFF, 4 * 1024)
    field("block-size-absurd", H64["block_size"], 0x40000000, 12 * 1024)
    field("size-note-absurd-small", SUB64["size_note"], 0xFFFFFFFF, 12 * 1024, wide=True)
    # the memory blow-ups, in a file of 4 MiB
    m = bytearray(b) + bytes(max(0, 4 * 1024 * 1024 - len(b)))
    put64(m, SUB64["size_note"], 0xFFFFFFFF)
    cases["size-note-4g"] = m
    m = bytearray(b) + bytes(max(0, 4 * 1024 * 1024 - len(b)))
    put32(m, H64["total_ram_blocks"], 0xFFFFFFFF)
    put32(m, H64["max_mapnr"], 0xFFFFFFFF)
    put64(m, SUB64["max_mapnr_64"], 0xFFFFFFFF)
    cases["total-ram-blocks-absurd"] = m
    # cuts: right after the header, inside the bitmap, inside the descriptors, inside the page data
    cases["cut-after-header"] = bytearray(b[:BS])
    cases["cut-in-descriptors"] = bytearray(b[:desc + 24 * 3 + 5])
    cases["cut-in-page-data"] = bytearray(b[:data + (len(b) - data) // 2])
    # flattened (makedumpfile -F, QEMU's kdump output): a record placing bytes beyond 4 GiB, a cut record
    cases["flattened"] = bytearray(b"makedumpfile" + bytes(4) + struct.pack(">qq", 1, 1) + bytes(BS - 32) + b[:BS])
    cases["flattened-cut"] = flatten(b)[:BS + 16 + 100]
    os.makedirs(out, exist_ok=True)
    for name, data_ in cases.items():
        with open(os.path.join(out, name + ".kdump"), "wb") as f:
            f.write(data_)


def flatten(b, chunk=BS):
    """makedumpfile's flattened form of the kdump B: header, {BE offset, BE size, data} records, -1."""
    out = bytearray(b"makedumpfile" + bytes(4) + struct.pack(">qq", 1, 1) + bytes(BS - 32))
    for off in range(0, len(b), chunk):
        part = b[off:off + chunk]
        out += struct.pack(">qq", off, len(part)) + part
    return out + struct.pack(">qq", -1, 0)


BOUNDARY = (0, 1, 0x7F, 0xFF, 0x1000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE)


def mutate(rng, b, hot):
    m = bytearray(b)
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if kind < 0.5:  # a 32- or 64-bit field in the headers gets a boundary value
            off = rng.randrange(0, min(len(m) - 8, hot)) & ~3
            (put64 if rng.random() < 0.3 else put32)(m, off, rng.choice(BOUNDARY))
        elif kind < 0.8:  # a byte flipped
            off = rng.randrange(0, min(len(m), hot))
            m[off] ^= 1 << rng.randrange(8)
        else:  # a cut
            m = m[:rng.randrange(1, len(m))]
    return m


def mutants(out, count, seed, kdump, elf):
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    bases = [(kdump, open(kdump, "rb").read(), 3 * BS), (elf, open(elf, "rb").read(), 2 * BS)]
    for i in range(count):
        name, b, hot = bases[i % 2]
        m = mutate(rng, b, hot)
        if name == elf and rng.random() < 0.7:
            m = m[:rng.randrange(1, min(len(m), 256 * 1024) + 1)]  # most ELF mutants small: disk and time
        ext = "kdump" if name == kdump else "elf"
        with open(os.path.join(out, f"m{i:03d}.{ext}"), "wb") as f:
            f.write(m)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "regressions":
        regressions(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "flatten":
        with open(sys.argv[3], "wb") as f:
            f.write(flatten(open(sys.argv[2], "rb").read(), chunk=3 * BS))
    elif len(sys.argv) == 7 and sys.argv[1] == "mutants":
        mutants(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
