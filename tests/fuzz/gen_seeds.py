#!/usr/bin/env python3
"""Builds the fuzz seed corpora from the test-dump generator, so no megabytes are committed.

Usage: gen_seeds.py --dpgen DPGEN --source SOURCE_DIR --out OUT_DIR
Writes OUT_DIR/<target>/<name> (dumps hard-linked, not copied) for the targets dump, kdump, triage, pe and smbios: every scenario in
tests/scenarios/ as every dump type dpgen writes, PE images and SMBIOS tables cut out of the ELF
dumps (whose program headers say where each physical address lies in the file).
"""
import argparse
import os
import struct
import subprocess
import sys

TYPES = ("complete", "bitmap", "small", "elf", "qemu-elf", "kdump")
KDUMP_TARGET_TYPES = ("elf", "qemu-elf", "kdump")  # the libkdumpfile front end's corpus
ANCHORS = (b"_SM3_", b"_SM_", b"_DMI_")


def load_segments(blob):
    """(paddr, file offset, size) of every PT_LOAD of a little-endian ELF32 or ELF64 file, else []."""
    if blob[:4] != b"\x7fELF" or blob[4] not in (1, 2) or blob[5] != 1:
        return []
    wide = blob[4] == 2
    phoff, = struct.unpack_from("<Q" if wide else "<I", blob, 0x20 if wide else 0x1C)
    phentsize, phnum = struct.unpack_from("<HH", blob, 0x36 if wide else 0x2A)
    segs = []
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + (56 if wide else 32) > len(blob):
            break
        if wide:
            p_type, _, p_offset, _, p_paddr, p_filesz = struct.unpack_from("<IIQQQQ", blob, off)
        else:
            p_type, p_offset, _, p_paddr, p_filesz = struct.unpack_from("<IIIII", blob, off)
        if p_type == 1 and p_offset + p_filesz <= len(blob):
            segs.append((p_paddr, p_offset, p_filesz))
    return segs


def read_phys(blob, segs, paddr, size):
    for base, off, n in segs:
        if base <= paddr and paddr + size <= base + n:
            return blob[off + paddr - base: off + paddr - base + size]
    return None


def smbios_seeds(blob, segs):
    """Entry point (padded to 0x20 bytes) followed by its table, for every anchor found."""
    for base, off, n in segs:
        for k in range(0, n - 0x20, 16):
            chunk = blob[off + k: off + k + 0x20]
            if not chunk.startswith(ANCHORS):
                continue
            if chunk.startswith(b"_SM3_"):
                length, = struct.unpack_from("<I", chunk, 0x0C)
                addr, = struct.unpack_from("<Q", chunk, 0x10)
            elif chunk.startswith(b"_SM_"):
                length, addr = struct.unpack_from("<HI", chunk, 0x16)
            else:
                length, addr = struct.unpack_from("<HI", chunk, 0x06)
            table = read_phys(blob, segs, addr, min(length, 65536)) or b""
            yield chunk + table


def pe_seeds(blob, segs):
    """Page-aligned images with an MZ and PE signature: headers and what follows, up to 48 KiB."""
    for base, off, n in segs:
        for k in range(0, n - 0x1000 + 1, 0x1000):
            page = blob[off + k: off + k + 0x1000]
            if page[:2] != b"MZ":
                continue
            lfanew, = struct.unpack_from("<I", page, 0x3C)
            if lfanew + 4 <= len(page) and page[lfanew:lfanew + 4] == b"PE\0\0":
                yield blob[off + k: off + min(n, k + 48 * 1024)]


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def link(out, target, name, existing):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    dest = os.path.join(d, name)
    if os.path.exists(dest):
        os.unlink(dest)
    os.link(existing, dest)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dpgen", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    scen_dir = os.path.join(a.source, "tests", "scenarios")
    made = 0
    for scen in sorted(os.listdir(scen_dir)):
        if not scen.endswith(".yaml"):
            continue
        stem = scen[:-5]
        for t in TYPES:
            # one copy per dump: the triage corpus holds it, the reader's corpus links to it
            name = f"{stem}-{t}.dmp"
            path = os.path.join(a.out, "triage", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            r = subprocess.run([a.dpgen, "-o", path, "--type", t, os.path.join(scen_dir, scen)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode != 0:
                print(f"dpgen failed on {scen} --type {t}: {r.stderr.decode(errors='replace').strip()}",
                      file=sys.stderr)
                continue
            link(a.out, "kdump" if t in KDUMP_TARGET_TYPES else "dump", name, path)
            with open(path, "rb") as f:
                blob = f.read()
            made += 1
            segs = load_segments(blob) if t != "qemu-elf" else []  # same pages as "elf"
            for i, s in enumerate(smbios_seeds(blob, segs)):
                write(a.out, "smbios", f"{stem}-{i}.bin", s)
            for i, s in enumerate(pe_seeds(blob, segs)):
                write(a.out, "pe", f"{stem}-{i}.bin", s)
    print(f"{made} dumps generated into {a.out}")
    return 0 if made else 1


if __name__ == "__main__":
    sys.exit(main())
