#!/usr/bin/env python3
"""Writes a dpgen scenario: an x86 dump whose driver fpo.sys carries the code of the image built from
fpo_main.c + fpo_mid.c (its .text bytes at their RVAs), stopped in Crash, on a stack laid out as that
code leaves it: DriverEntry (frame pointer) called Middle (no frame pointer: EBP still DriverEntry's),
which pushed Crash's two arguments and called it (frame pointer). The EBP chain therefore runs from
Crash straight to DriverEntry's caller and skips the return address into DriverEntry; only Middle's
FrameData record finds it. The frame sizes are read from the code, so a compiler that lays Middle out
differently makes this script fail, not the test pass wrongly.
usage: mkscenario.py IMAGE.sys PUBLICS OUT.yaml   (PUBLICS: `dpsym dump` of the PDB)"""
import struct, sys

img = open(sys.argv[1], "rb").read()
pe = struct.unpack_from("<I", img, 0x3c)[0]
nsec = struct.unpack_from("<H", img, pe + 6)[0]
opt = pe + 24 + struct.unpack_from("<H", img, pe + 20)[0]
for i in range(nsec):
    name, vsize, va, rawsize, rawptr = struct.unpack_from("<8sIIII", img, opt + 40 * i)
    if name.rstrip(b"\0") == b".text":
        text_rva, code = va, img[rawptr:rawptr + min(vsize, rawsize)]
fn = {}
for line in open(sys.argv[2]):
    kind, rva, end, name = line.split(" ", 3)
    if kind == "F": fn[name.strip()] = (int(rva, 16), int(end, 16))

def call_ret(caller, callee):
    """RVA just past the call from CALLER to CALLEE (e8 rel32)."""
    lo, hi = fn[caller]
    for at in range(lo - text_rva, hi - text_rva - 4):
        if code[at] == 0xE8 and struct.unpack_from("<i", code, at + 1)[0] == fn[callee][0] - (text_rva + at + 5):
            return text_rva + at + 5
    sys.exit(f"no call from {caller} to {callee}")

def prolog_bytes(f):
    """Bytes Middle's prolog puts below its return address: push reg (50-57), sub esp, imm8 (83 ec)."""
    at, n = fn[f][0] - text_rva, 0
    while True:
        if 0x50 <= code[at] <= 0x57: n, at = n + 4, at + 1
        elif code[at:at + 2] == b"\x83\xec": n, at = n + code[at + 2], at + 3
        else: return n

def pushed_before(ret):
    """Arguments pushed right before the call ending at RET: push reg, push [esp+imm8] (ff 74 24 XX),
    push [ebp+imm8] (ff 75 XX)."""
    at, n = ret - 5 - text_rva, 0
    while True:
        if 0x50 <= code[at - 1] <= 0x57: n, at = n + 4, at - 1
        elif code[at - 4:at - 1] == b"\xff\x74\x24": n, at = n + 4, at - 4
        elif code[at - 3:at - 1] == b"\xff\x75": n, at = n + 4, at - 3
        else: return n

ret_middle = call_ret("Middle", "Crash")
ret_entry = call_ret("DriverEntry", "Middle")
for f in ("Crash", "DriverEntry"):
    if code[fn[f][0] - text_rva:][:3] not in (b"\x55\x8b\xec", b"\x55\x89\xe5"):
        sys.exit(f"{f} must begin with push ebp; mov ebp, esp")
# the stop: the endless loop in Crash, after its prolog
loop = code.index(b"\xeb\xfe", fn["Crash"][0] - text_rva) + text_rva
STACK, CRASH_EBP = 0xf8a0c000, 0xf8a0d000
args = pushed_before(ret_middle)
middle = prolog_bytes("Middle")
entry_ebp = CRASH_EBP + 8 + args + middle + 4 + pushed_before(ret_entry)
words = {CRASH_EBP: hex(entry_ebp), CRASH_EBP + 4: f'"fpo+{ret_middle:#x}"'}
# Middle's locals and saved registers: values that are no code address (its argument a + i)
for off in range(0, middle, 4): words[CRASH_EBP + 8 + args + off] = hex(0x81234560 + off // 4)
words[CRASH_EBP + 8 + args + middle] = f'"fpo+{ret_entry:#x}"'
words[entry_ebp] = 0                      # the caller's EBP: the chain ends there
words[entry_ebp + 4] = '"nt+0x60002"'     # nt's call eax just below
data = "\n".join(f"    - {{va: {va:#x}, dwords: [{v}]}}" for va, v in sorted(words.items()))
open(sys.argv[3], "w").write(f"""description: x86 dump stopped in a driver whose middle function has no frame pointer
arch: x86
type: complete
os: {{build: 2600, processors: 1}}
memory: {{size: 0x10000000}}
kernel: {{module_list: nt!PsLoadedModuleList}}
modules:
  - name: ntoskrnl.exe
    base: 0x80800000
    size: 0x200000
    sections:
      - {{name: .text, rva: 0x1000, size: 0x180000}}
      - {{name: .data, rva: 0x181000, size: 0x60000, characteristics: 0xc0000040}}
    exports: {{IopLoadDriver: 0x5ff00, PsLoadedModuleList: 0x1c5e90}}
    code:
      - {{rva: 0x60000, bytes: "ff d0 c3"}}
  - name: fpo.sys
    base: 0xf7a00000
    size: 0x8000
    sections: [{{name: .text, rva: {text_rva:#x}, size: 0x1000}}]
    code:
      - {{rva: {text_rva:#x}, bytes: "{code.hex(' ')}"}}
bugcheck:
  code: 0xe2
  params: [0, 0, 0, 0]
context:
  eip: "fpo+{loop:#x}"
  esp: {CRASH_EBP:#x}
  ebp: {CRASH_EBP:#x}
stack:
  base: {STACK:#x}
  size: 0x3000
  data:
{data}
""")
