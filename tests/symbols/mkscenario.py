#!/usr/bin/env python3
"""Writes a dpgen scenario: a small x64 dump whose driver drvx64.sys carries the code of the image
built from drv.c (its .text bytes at their RVAs), crashed in CrashHere, with return addresses into
CrashHere and DriverEntry on the stack. Only a symbol file can name them: the dump has no exports.
With --store the driver is only named by the module list (no pages, SizeOfImage of the image), as in
a real small dump: its keys come from the image in a symbol store.
usage: mkscenario.py [--store] IMAGE.sys OUT.yaml"""
import struct, sys

store = sys.argv[1] == "--store"
if store: del sys.argv[1]

img = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", img, 0x3c)[0]
nsec = struct.unpack_from("<H", img, pe + 6)[0]
opt = pe + 24 + struct.unpack_from("<H", img, pe + 20)[0]
text = None
for i in range(nsec):
    name, vsize, va, rawsize, rawptr = struct.unpack_from("<8sIIII", img, opt + 40 * i)
    if name.rstrip(b"\0") == b".text":
        text = (va, img[rawptr:rawptr + min(vsize, rawsize)])
va, code = text
size_of_image = struct.unpack_from("<I", img, pe + 24 + 56)[0]  # OptionalHeader.SizeOfImage
driver = f"""    size: {size_of_image:#x}
    timestamp: 0x5F000000
    image: false""" if store else f"""    size: 0x8000
    timestamp: 0x5F000000
    sections: [{{name: .text, rva: {va:#x}, size: 0x1000}}]
    code:
      - {{rva: {va:#x}, bytes: "{code.hex(' ')}"}}"""
blocks = "" if store else """  data_blocks:
    - {va: "drvx64+0x1000", size: 0x1000}
"""
open(sys.argv[2], "w").write(f"""description: small x64 dump of a driver named only by its symbol file
arch: x64
type: small
os: {{build: 19041, processors: 2}}
memory: {{size: 0x40000000}}
kernel: {{module_list: nt!PsLoadedModuleList, process_list: nt!PsActiveProcessHead}}
modules:
  - name: ntoskrnl.exe
    base: 0xfffff8047b800000
    size: 0x700000
    sections:
      - {{name: .text, rva: 0x1000, size: 0x5ff000}}
      - {{name: .data, rva: 0x600000, size: 0xfc000}}
    exports: {{KeBugCheckEx: 0x5f5a80, PsLoadedModuleList: 0x62a390, PsActiveProcessHead: 0x61e200}}
    code:
      - {{rva: 0x5f5a80, bytes: "48 89 4c 24 08 48 89 54 24 10 4c 89 44 24 18 4c 89 4c 24 20"}}
  - name: idle.sys
    base: 0xfffff80491000000
    size: 0x4000
  - name: drvx64.sys
    base: 0xfffff80490000000
{driver}
bugcheck:
  code: 0xd1
  params: [0, 2, 1, "drvx64+0x10c9"]
context:
  rip: nt!KeBugCheckEx
  rsp: 0xffff850429890ee8
  rcx: 0xd1
stack:
  base: 0xffff85042988d000
  size: 0x6000
  data:
    - va: 0xffff850429890ee8
      qwords: ["drvx64+0x10ef", 0, 0, 0, 0, "drvx64+0x1102", 0, 0]
small:
  stack_size: 0x2118
{blocks}""")
