#!/usr/bin/env python3
"""Helpers for test_containers.sh: files derived from dpgen's output.

  containers_util.py vmware RAW VMEM VMSS   a .vmem whose first two MiB are swapped, and the .vmss whose
                                            memory regions put them back (VMware state-file tags)
  containers_util.py virtual-paddr ELF OUT  the ELF with every PT_LOAD's p_paddr set to its p_vaddr
  containers_util.py verdict                reads dumppipe -o json lines on stdin, prints per dump:
                                            hvdetect's SMBIOS and verdict titles
"""
import json
import struct
import sys

MIB = 1 << 20


def tag(name, value, index=None):
    flags = 4 | ((1 if index is not None else 0) << 6)
    out = bytes([flags, len(name)]) + name.encode()
    if index is not None:
        out += struct.pack("<I", index)
    return out + struct.pack("<I", value)


def vmware(raw, vmem, vmss):
    b = open(raw, "rb").read()
    pages = len(b) // 4096
    open(vmem, "wb").write(b[MIB:2 * MIB] + b[:MIB] + b[2 * MIB:])
    regions = [(0, 0x100, 0x100), (0x100, 0, 0x100), (0x200, 0x200, pages - 0x200)]
    tags = tag("regionsCount", len(regions))
    for i, (ppn, page, size) in enumerate(regions):
        tags += tag("regionPPN", ppn, i) + tag("regionPageNum", page, i) + tag("regionSize", size, i)
    tags += b"\0\0"
    head = bytes([0xD2, 0xBE, 0xD2, 0xBE]) + struct.pack("<II", 0, 1)
    group = b"memory".ljust(64, b"\0") + struct.pack("<QQ", len(head) + 80, 0)
    open(vmss, "wb").write(head + group + tags)


def virtual_paddr(src, out):
    b = bytearray(open(src, "rb").read())
    phoff, = struct.unpack_from("<Q", b, 0x20)
    phnum, = struct.unpack_from("<H", b, 0x38)
    for i in range(phnum):
        o = phoff + i * 56
        if struct.unpack_from("<I", b, o)[0] == 1:
            struct.pack_into("<Q", b, o + 24, struct.unpack_from("<Q", b, o + 16)[0])
    open(out, "wb").write(b)


def verdict():
    for line in sys.stdin:
        if not line.strip():
            continue
        d = json.loads(line)
        titles = [f["title"] for f in d["findings"] if f["plugin"] == "hvdetect"]
        print(" | ".join(titles))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "vmware":
        vmware(*sys.argv[2:5])
    elif cmd == "virtual-paddr":
        virtual_paddr(*sys.argv[2:4])
    elif cmd == "verdict":
        verdict()
    else:
        sys.exit(__doc__)
