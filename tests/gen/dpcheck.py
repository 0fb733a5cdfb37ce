#!/usr/bin/env python3
"""Independent reader for dpgen's output, used by test_dpgen.sh to check what dpgen wrote.

dpcheck.py DUMP KIND [SCENARIO_NAME|NEGATIVE_MODE] [REFDIR]: parses the dump (Windows complete/bitmap/small or ELF
core) with code written from the format notes, not from dpgen, and checks the facts the scenario
promises. KIND is complete|bitmap|small|elf. Prints one line per failed check; exits 1 on any failure.
"""
import os
import struct
import sys

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
    return cond


def u(b, off, n):
    return int.from_bytes(b[off:off + n], "little")


class Dump:
    def __init__(self, path, kind):
        self.b = open(path, "rb").read()
        self.kind = kind
        self.blocks = []   # small dumps: (va, file offset, size)
        self.phys = {}     # pfn -> file offset
        if kind == "elf":
            self._elf()
        else:
            self._windows()

    def _windows(self):
        b = self.b
        check(b[0:4] == b"PAGE", "signature PAGE")
        self.x64 = b[4:8] == b"DU64"
        check(self.x64 or b[4:8] == b"DUMP", "ValidDump DUMP/DU64")
        w = 8 if self.x64 else 4
        self.hsize = 0x2000 if self.x64 else 0x1000
        self.cr3 = u(b, 0x10, w)
        self.psl = u(b, 0x20 if self.x64 else 0x18, w)
        self.machine = u(b, 0x30 if self.x64 else 0x20, 4)
        self.bugcheck = u(b, 0x38 if self.x64 else 0x28, 4)
        self.params = [u(b, (0x40 if self.x64 else 0x2C) + i * w, w) for i in range(4)]
        self.pae = (not self.x64) and b[0x5C] == 1
        self.dump_type = u(b, 0xF98 if self.x64 else 0xF88, 4)
        self.required = u(b, 0xFA0, 8)
        ctx = 0x348 if self.x64 else 0x320
        self.ip = u(b, ctx + (0xF8 if self.x64 else 0xB8), w)
        self.sp = u(b, ctx + (0x98 if self.x64 else 0xC4), w)
        self.fp = u(b, ctx + (0xA0 if self.x64 else 0xB4), w)
        check(self.required == len(b), "RequiredDumpSpace 0x%x == file size 0x%x" % (self.required, len(b)))
        {1: self._runs, 5: self._bitmap, 4: self._triage}.get(self.dump_type, self._unknown)()

    def _unknown(self):
        check(False, "unexpected DumpType %d" % self.dump_type)

    def _runs(self):
        b, x = self.b, self.x64
        d = 0x88 if x else 0x64
        w = 8 if x else 4
        n = u(b, d, 4)
        total = u(b, d + (8 if x else 4), w)
        check(n < (43 if x else 86), "run count fits the descriptor")
        off, pages = self.hsize, 0
        for i in range(n):
            r = d + (0x10 if x else 8) + i * 2 * w
            base, cnt = u(b, r, w), u(b, r + w, w)
            for p in range(cnt):
                self.phys[base + p] = off
                off += 0x1000
            pages += cnt
        check(pages == total, "NumberOfPages equals the sum of the runs")
        check(off == len(b), "pages end at the end of the file")

    def _bitmap(self):
        b, s = self.b, self.hsize
        check(b[s:s + 4] == b"SDMP" and b[s + 4:s + 8] == b"DUMP", "SDMP/DUMP bitmap header")
        check(u(b, 0x88 if self.x64 else 0x64, 4) == 0x45474150, "run descriptor left as PAGE fill")
        first, present, bits = u(b, s + 0x20, 8), u(b, s + 0x28, 8), u(b, s + 0x30, 8)
        n = 0
        for pfn in range(bits):
            if b[s + 0x38 + pfn // 8] >> (pfn % 8) & 1:
                self.phys[pfn] = first + 0x1000 * n
                n += 1
        check(n == present, "popcount(bitmap) == TotalPresentPages")
        check(first + 0x1000 * n == len(b), "FirstPage + pages*4096 == file size")

    def _blobs(self, off):
        """DumpBlob file header, then {HeaderSize, GUID, DataSize, PrePad, PostPad} blobs to the end."""
        b = self.b
        check(u(b, off + 8, 4) == 0x10, "DumpBlob HeaderSize 0x10")
        p = off + 0x10
        while p < len(b):
            hs, size, pre, post = u(b, p, 4), u(b, p + 20, 4), u(b, p + 24, 4), u(b, p + 28, 4)
            check(hs == 0x20 and p + hs + pre + size + post <= len(b), "blob at 0x%x inside the file" % p)
            p += hs + pre + size + post
        check(p == len(b), "blobs end at the end of the file")

    def _triage(self):
        b, t, x = self.b, self.hsize, self.x64
        check(b[u(b, t + 8, 4):u(b, t + 8, 4) + 4] == b"TRGD", "TRGD at ValidOffset")
        size = u(b, t + 4, 4)
        check(size == len(b) or (size < len(b) and b[size:size + 8] == b"DumpBlob"),
              "SizeOfDump == file size, or secondary data (DumpBlob) follows it")
        if size < len(b):
            self._blobs(size)
        check(u(b, t + 0xC, 4) == (0x348 if x else 0x320), "ContextOffset is the header's context")
        boff, bcnt = u(b, t + (0x78 if x else 0x60), 4), u(b, t + (0x7C if x else 0x64), 4)
        for i in range(bcnt):
            e = boff + i * (16 if x else 12)
            va = u(b, e, 8 if x else 4)
            off, size = u(b, e + (8 if x else 4), 4), u(b, e + (12 if x else 8), 4)
            check(off + size <= len(b), "data block inside the file")
            self.blocks.append((va, off, size))
        soff, ssize, top = u(b, t + 0x28, 4), u(b, t + 0x2C, 4), u(b, t + 0x48, 8 if x else 4)
        if ssize:
            self.blocks.append((top, soff, ssize))
            check(top == self.sp, "TopOfStack is the stack pointer")
        self.drivers = []
        doff, dcnt = u(b, t + 0x30, 4), u(b, t + 0x34, 4)
        for i in range(dcnt):
            e = doff + i * (0x90 if x else 0x4C)
            name_off = u(b, e, 4)
            n = u(b, name_off, 4)
            name = b[name_off + 4:name_off + 4 + 2 * n].decode("utf-16-le")
            base = u(b, e + (0x38 if x else 0x1C), 8 if x else 4)
            size = u(b, e + (0x48 if x else 0x24), 4)
            self.drivers.append((name, base, size))

    def _elf(self):
        b = self.b
        check(b[:4] == b"\x7fELF" and u(b, 16, 2) == 4, "ELF ET_CORE")
        wide = b[4] == 2
        self.x64 = u(b, 18, 2) == 62
        phoff, phentsize, phnum = u(b, 0x20 if wide else 0x1C, 8 if wide else 4), u(b, 0x36 if wide else 0x2A, 2), u(b, 0x38 if wide else 0x2C, 2)
        hdr = None
        for i in range(phnum):
            p = phoff + i * phentsize
            typ = u(b, p, 4)
            if wide:
                off, paddr, size = u(b, p + 8, 8), u(b, p + 0x18, 8), u(b, p + 0x20, 8)
            else:
                off, paddr, size = u(b, p + 4, 4), u(b, p + 0xC, 4), u(b, p + 0x10, 4)
            if typ == 1:
                for k in range(size // 0x1000):
                    self.phys[paddr // 0x1000 + k] = off + k * 0x1000
            elif typ == 4:
                q = off
                while q < off + size:
                    nsz, dsz, ntype = u(b, q, 4), u(b, q + 4, 4), u(b, q + 8, 4)
                    name = b[q + 12:q + 12 + nsz - 1]
                    desc = q + 12 + (nsz + 3) // 4 * 4
                    if name == b"DPGEN":
                        hdr = b[desc:desc + dsz]
                    q = desc + (dsz + 3) // 4 * 4
        check(hdr is not None, "DPGEN note with the Windows header")
        w = 8 if self.x64 else 4
        self.cr3 = u(hdr, 0x10, w)
        self.psl = u(hdr, 0x20 if self.x64 else 0x18, w)
        self.bugcheck = u(hdr, 0x38 if self.x64 else 0x28, 4)
        self.params = [u(hdr, (0x40 if self.x64 else 0x2C) + i * w, w) for i in range(4)]
        self.pae = (not self.x64) and hdr[0x5C] == 1
        ctx = 0x348 if self.x64 else 0x320
        self.ip = u(hdr, ctx + (0xF8 if self.x64 else 0xB8), w)
        self.sp = u(hdr, ctx + (0x98 if self.x64 else 0xC4), w)
        self.fp = u(hdr, ctx + (0xA0 if self.x64 else 0xB4), w)
        self.dump_type = None

    def pread(self, pa, n):
        out = b""
        while n:
            off = self.phys.get(pa // 0x1000)
            if off is None:
                return None
            k = min(n, 0x1000 - pa % 0x1000)
            out += self.b[off + pa % 0x1000:off + pa % 0x1000 + k]
            pa, n = pa + k, n - k
        return out

    def translate(self, va):
        if self.x64:
            levels, esize, table = [39, 30, 21, 12], 8, self.cr3 & ~0xFFF
        elif self.pae:
            levels, esize, table = [30, 21, 12], 8, self.cr3 & ~0x1F
        else:
            levels, esize, table = [22, 12], 4, self.cr3 & ~0xFFF
        for i, shift in enumerate(levels):
            bits = 2 if (self.pae and i == 0) else (10 if esize == 4 else 9)
            e = self.pread(table + ((va >> shift) & ((1 << bits) - 1)) * esize, esize)
            if e is None:
                return None
            e = int.from_bytes(e, "little")
            if not e & 1:
                return None
            frame = e & (0xFFFFF000 if esize == 4 else 0x000FFFFFFFFFF000)
            if shift != 12 and e & 0x80 and not (self.pae and i == 0) and not (self.x64 and i == 0):
                return (frame & ~((1 << shift) - 1)) | (va & ((1 << shift) - 1))
            table = frame
        return table | (va & 0xFFF)

    def vread(self, va, n):
        for bva, off, size in self.blocks:
            if bva <= va and va + n <= bva + size:
                return self.b[off + va - bva:off + va - bva + n]
        if self.blocks or not self.phys:
            return None
        out = b""
        while n:
            pa = self.translate(va)
            k = min(n, 0x1000 - va % 0x1000)
            chunk = None if pa is None else self.pread(pa, k)
            if chunk is None:
                return None
            out, va, n = out + chunk, va + k, n - k
        return out

    def ptr(self, va):
        w = 8 if self.x64 else 4
        v = self.vread(va, w)
        return None if v is None else int.from_bytes(v, "little")

    def modules(self):
        """Walks PsLoadedModuleList; returns [(name, base, size)] or None on a cycle / bad pointer."""
        if self.kind == "small":
            return self.drivers
        x = self.x64
        out, seen, e = [], set(), self.ptr(self.psl)
        while e is not None and e != self.psl:
            if e in seen or len(out) > 1000:
                return None
            seen.add(e)
            base, size = self.ptr(e + (0x30 if x else 0x18)), u(self.vread(e + (0x40 if x else 0x20), 4) or b"\0" * 4, 0, 4)
            nlen = u(self.vread(e + (0x58 if x else 0x2C), 2) or b"\0\0", 0, 2)
            nbuf = self.ptr(e + (0x60 if x else 0x30))
            raw = self.vread(nbuf, nlen) if nbuf else None
            out.append((raw.decode("utf-16-le") if raw else "?", base, size))
            e = self.ptr(e)
        return out if e == self.psl else None


def find_smbios(d):
    """Scans present physical pages on 16-byte boundaries for an entry point with a valid checksum."""
    for pfn in sorted(d.phys):
        page = d.b[d.phys[pfn]:d.phys[pfn] + 0x1000]
        for o in range(0, 0x1000, 16):
            for anchor, ln in ((b"_SM3_", page[o + 6] if o + 6 < 0x1000 else 0), (b"_SM_", page[o + 5] if o + 5 < 0x1000 else 0),
                               (b"_DMI_", 15)):
                if page[o:o + len(anchor)] == anchor and ln and sum(page[o:o + ln]) % 256 == 0:
                    if anchor == b"_SM3_":
                        return pfn * 0x1000 + o, u(page, o + 0x10, 8), u(page, o + 0xC, 4)
                    if anchor == b"_SM_":
                        return pfn * 0x1000 + o, u(page, o + 0x18, 4), u(page, o + 0x16, 2)
                    return pfn * 0x1000 + o, u(page, o + 8, 4), u(page, o + 6, 2)
    return None


def smbios_strings(table):
    """{(type, field offset): string} for string fields of types 0 and 1."""
    out, o = {}, 0
    while o + 4 <= len(table):
        typ, ln = table[o], table[o + 1]
        end = table.index(b"\0\0", o + ln)
        strs = table[o + ln:end].split(b"\0")
        for f in range(4, ln):
            if typ in (0, 1) and f in (4, 5, 6, 7, 8, 0x19, 0x1A) and not (typ == 0 and f in (6, 7)) and 0 < table[o + f] <= len(strs):
                out[(typ, f)] = strs[table[o + f] - 1].decode()
        out[(typ, "raw")] = table[o:o + ln]
        if typ == 127:
            break
        o = end + 2
    return out


def pool_blocks(d, page, gran):
    data = d.vread(page, 0x1000)
    out, off = [], 0
    while data and off < 0x1000:
        if gran == 8:
            w0, w1 = u(data, off, 2), u(data, off + 2, 2)
            prev, size, typ = (w0 & 0x1FF) * 8, (w1 & 0x1FF) * 8, w1 >> 9
        else:
            prev, size, typ = data[off] * 16, data[off + 2] * 16, data[off + 3]
        tag = u(data, off + 4, 4)
        out.append((page + off, size, prev, typ, (tag & 0x7FFFFFFF).to_bytes(4, "little").decode("latin1"), bool(tag >> 31)))
        if size == 0:
            break
        off += size
    return out


def common(d, kind):
    if kind != "elf":
        want = {"complete": 1, "bitmap": 5, "small": 4}[kind]
        check(d.dump_type == want, "DumpType %s == %d" % (d.dump_type, want))
    mods = d.modules()
    check(mods, "module list walks back to its head")
    return mods or []


def seed(d, kind, refdir):
    check(d.bugcheck == 0x19 and d.params == [0x20, 0xa34583b8, 0xa34584f0, 0x0a270001], "bug check 0x19 and params")
    check(not d.x64 and d.pae, "x86 PAE")
    mods = common(d, kind)
    names = [m[0] for m in mods]
    for want in ("ntoskrnl.exe", "driver.sys", "dump_xenvbd.sys", "xennet.sys", "xenvbd.sys", "XENUTIL.SYS", "dump_XENUTIL.SYS"):
        check(want in names, "module %s listed" % want)
    xen = {m[0]: (m[1], m[1] + m[2]) for m in mods}
    check(xen.get("dump_xenvbd.sys") == (0xf6012000, 0xf605f000), "dump_xenvbd range as lm shows")
    check(xen.get("XENUTIL.SYS") == (0xf845f000, 0xf846b000), "XENUTIL range as lm shows")
    if kind != "small":
        check(d.vread(0xb958f532, 12) == bytes.fromhex("6a2c68081d5cb9e812f70200"), "driver code at b958f532 (push 2Ch; push offset b95c1d08; call b95bec50)")
        check(d.vread(0xb958f546, 6) == bytes.fromhex("ff155cef5bb9"), "call dword ptr [b95bef5c]")
        check(d.vread(0xb958f528, 10) == bytes.fromhex("c9c21800cccccccccccc"), "ub: leave; ret 18h; int3 x6")
    blocks = pool_blocks(d, 0xa3458000, 8)
    want = [(0xa3458000, 0x270, 0, "Thre", True), (0xa3458270, 0x10, 0x270, "RxIr", False), (0xa3458280, 0x40, 0x10, "Vadl", False),
            (0xa34582c0, 0x98, 0x40, "File", True), (0xa3458358, 0x8, 0x98, "Vadl", False), (0xa3458360, 0x50, 0x8, "Gsem", False),
            (0xa34583b0, 0x8, 0x50, "CcSc", False), (0xa34583b8, 0x138, 0x8, "DRIV", False), (0xa34584f0, 0, 0, "Ntfx", False)]
    check([(b[0], b[1], b[2], b[4], b[5]) for b in blocks] == want, "!pool walk matches the seed: %s" % blocks)
    check([b[3] for b in blocks[:8]] == [5, 0, 5, 5, 0, 5, 0, 5], "pool types: 5 allocated, 0 free")
    check(d.vread(0xa34583b8, 4) == bytes.fromhex("0100270a"), "header dword 0a270001")
    check(d.vread(0xa34583c8, 4) == (0xb958f532).to_bytes(4, "little"), "dps: driver+0x36532 at a34583c8")
    check(d.vread(0xa3458430, 8) == bytes.fromhex("3233323136 2d32ff".replace(" ", "")), "dps tail dwords")
    if kind == "small":
        return
    # EBP chain from the context: return addresses of the seed's STACK_TEXT
    rets, fp = [], d.fp
    for _ in range(40):
        if d.vread(fp, 8) is None:
            break
        rets.append(d.ptr(fp + 4))
        fp = d.ptr(fp)
    check(rets[:21] == [0x808927bb, 0x80892b6f, 0xb9591400, 0xb957b954, 0xb957d482, 0xb957abf4, 0xb957ccef, 0x8081df65,
                        0xf721ac45, 0x8081df65, 0xb99de70b, 0xb99da6ee, 0x8081df65, 0xb9bdebfe, 0x8081df65, 0xb9bd1756,
                        0xb9bd1860, 0x8081df65, 0x808f5437, 0x808ef963, 0x8088978c], "EBP chain = seed STACK_TEXT: %s" % [hex(r) for r in rets])
    check(d.ip == 0x80827c63, "eip = nt!KeBugCheckEx+0x1b")
    ep = find_smbios(d)
    if check(ep is not None, "SMBIOS entry point with a valid checksum"):
        table = d.pread(ep[1], ep[2])
        s = smbios_strings(table or b"")
        check(s.get((0, 4)) == "Xen" and s.get((0, 5)) == "3.1.0", "BIOS vendor/version Xen 3.1.0")
        check(s.get((1, 4)) == "Xen" and s.get((1, 5)) == "HVM domU" and s.get((1, 6)) == "3.1.0", "system Xen / HVM domU / 3.1.0")
        raw0 = s.get((0, "raw"), b"\0" * 0x18)
        check(raw0[0x14] == 3 and raw0[0x15] == 1, "BiosMajorRelease 3, BiosMinorRelease 1")
    # DRIV tag is pushed as the tag argument in driver.sys code
    text = d.vread(0xb9559000 + 0x1000, 0x65000) or b""
    check(b"\x68DRIV" in text, "push 'DRIV' in driver.sys .text")
    if refdir:
        compare_ref(d, os.path.join(refdir, "driver.sys"), 0xb9559000)


def compare_ref(d, path, base):
    """The on-disk file, relocated to the load base, must equal the mapped image (except the IAT)."""
    f = open(path, "rb").read()
    pe = u(f, 0x3C, 4)
    check(f[:2] == b"MZ" and f[pe:pe + 4] == b"PE\0\0", "reference file is a PE")
    magic = u(f, pe + 24, 2)
    w = 8 if magic == 0x20B else 4
    image_base = u(f, pe + 24 + (0x18 if w == 8 else 0x1C), w)
    check(image_base != base, "reference file prefers another base")
    nsec, optsz = u(f, pe + 6, 2), u(f, pe + 20, 2)
    dirs = pe + 24 + (0x70 if w == 8 else 0x60)
    reloc_rva, reloc_size = u(f, dirs + 5 * 8, 4), u(f, dirs + 5 * 8 + 4, 4)
    iat_rva, iat_size = u(f, dirs + 12 * 8, 4), u(f, dirs + 12 * 8 + 4, 4)
    secs = []
    for i in range(nsec):
        s = pe + 24 + optsz + 40 * i
        secs.append((u(f, s + 12, 4), u(f, s + 16, 4), u(f, s + 20, 4)))
    img = bytearray(u(f, pe + 24 + 0x38, 4))
    img[:u(f, pe + 24 + 0x3C, 4)] = f[:u(f, pe + 24 + 0x3C, 4)]
    for rva, rsize, rptr in secs:
        img[rva:rva + rsize] = f[rptr:rptr + rsize]
    o, delta, applied = reloc_rva, base - image_base, 0
    while o < reloc_rva + reloc_size:
        page, bsize = u(img, o, 4), u(img, o + 4, 4)
        for k in range((bsize - 8) // 2):
            ent = u(img, o + 8 + 2 * k, 2)
            if ent >> 12 in (3, 10):
                site, n = page + (ent & 0xFFF), 4 if ent >> 12 == 3 else 8
                img[site:site + n] = ((u(img, site, n) + delta) % (1 << (8 * n))).to_bytes(n, "little")
                applied += 1
        o += bsize
    check(applied > 0, "reference file has base relocations")
    img[pe + 24 + (0x18 if w == 8 else 0x1C):pe + 24 + (0x18 if w == 8 else 0x1C) + w] = base.to_bytes(w, "little")
    mem = d.vread(base, len(img))
    if check(mem is not None, "module image readable in the dump"):
        mem = bytearray(mem)
        mem[iat_rva:iat_rva + iat_size] = img[iat_rva:iat_rva + iat_size]
        diff = [i for i in range(len(img)) if img[i] != mem[i]]
        check(not diff, "relocated file == mapped image (first difference at rva 0x%x)" % (diff[0] if diff else 0))


def x86_basic(d, kind, refdir):
    check(not d.x64 and not d.pae and d.bugcheck == 0xd1, "x86 non-PAE, bug check 0xd1")
    names = [m[0] for m in common(d, kind)]
    check(names == ["ntoskrnl.exe", "hal.dll", "sample.sys"], "module order %s" % names)
    if kind != "small":
        present = [p for p in (0, 1, 0x9e, 0x9f, 0xef, 0xf0, 0x100, 0x4ff, 0x500, 0xfff, 0x1000, 0x101f, 0x1020) if p in d.phys]
        check(present == [1, 0x9e, 0xf0, 0x100, 0x4ff, 0x1000, 0x101f], "explicit runs and holes: %s" % present)
        blocks = pool_blocks(d, 0x81234000, 8)
        check([(b[1], b[4], b[3]) for b in blocks] == [(0x280, "Thre", 5), (0x100, "Smpl", 5), (0x80, "Free", 0), (0xc00, "MmSt", 5)], "pool page %s" % blocks)
        check(sum(b[1] for b in blocks) == 0x1000, "pool blocks fill the page")
        ep = find_smbios(d)
        check(ep is not None and ep[0] == 0xF0000, "_SM_ anchor at 0xF0000")
        if refdir:
            compare_ref(d, os.path.join(refdir, "sample.sys"), 0xf8a00000)


def x64_basic(d, kind, refdir):
    check(d.x64 and d.bugcheck == 0xd1, "x64, bug check 0xd1")
    names = [m[0] for m in common(d, kind)]
    check(names == ["ntoskrnl.exe", "hal.dll", "sample64.sys"], "module order %s" % names)
    if kind != "small":
        blocks = pool_blocks(d, 0xfffffa8001234000, 16)
        check([(b[1], b[4], b[3], b[5]) for b in blocks] == [(0x360, "Thre", 2, True), (0x110, "Smp6", 2, False), (0x80, "Even", 2, True),
                                                           (0x150, "Ntfx", 2, False), (0x40, "FMfc", 0, False), (0x980, "MmCa", 2, False)], "x64 pool page %s" % blocks)
        ep = find_smbios(d)
        check(ep is not None and ep[0] == 0xF5A80 and ep[1] == 0x7FE00000, "_SM3_ at 0xF5A80 pointing at 0x7FE00000")
        if ep:
            s = smbios_strings(d.pread(ep[1], ep[2]) or b"")
            check(s.get((1, 4)) == "QEMU", "system manufacturer QEMU")
        if refdir:
            compare_ref(d, os.path.join(refdir, "sample64.sys"), 0xfffff88004a00000)


def small_x64(d, kind, refdir):
    check(d.x64 and d.bugcheck == 0x1000007e and d.params[0] == 0xffffffffc0000005, "bug check 0x1000007e")
    mods = common(d, kind)
    check([m[0] for m in mods] == ["ntoskrnl.exe", "hal.dll", "faulty.sys", "Wdf01000.sys"], "drivers %s" % mods)
    check(d.vread(d.params[1], 4) == bytes.fromhex("45891401"), "faulting instruction bytes readable")
    check(d.vread(d.ip, 5) == bytes.fromhex("48894c2408"), "code at rip (KeBugCheckEx)")
    check(d.ptr(d.sp) == 0xfffff8047b800000 + 0x2e1c27, "return address at rsp")


def negative(d, mode):
    """Checks that a deliberately broken variant is broken in exactly the promised way."""
    if mode == "cyclic":
        check(d.modules() is None, "module list with a cycle is detected as not returning to its head")
    elif mode in ("smbios-bad-checksum", "smbios-string-index", "smbios-overrun"):
        page = d.pread(0xF0000, 0x20) or b""
        check(page[:4] == b"_SM_", "anchor at 0xF0000")
        valid = sum(page[:0x1F]) % 256 == 0
        check(valid == (mode != "smbios-bad-checksum"), "entry point checksum valid=%s" % valid)
        table = d.pread(u(page, 0x18, 4), 0x200) or b""

        o = table[1] + table[table[1]:].index(b"\0\0") + 2  # start of type 1
        nstr = len(table[o + table[o + 1]:].split(b"\0\0")[0].split(b"\0"))
        check((table[o + 5] > nstr) == (mode == "smbios-string-index"), "type 1 product index vs %d strings" % nstr)
        check((u(page, 0x16, 2) < o + table[o + 1]) == (mode == "smbios-overrun"), "declared table length vs type 1 end")

    elif mode == "pool-flip":
        blocks = pool_blocks(d, 0x81234000, 8)
        check(blocks and blocks[0][1] == 0x2C0, "flipped bit 3 of the first header's size byte: 0x280 -> 0x2c0")
    else:
        check(False, "unknown mode " + mode)


SCENARIOS = {"seed-xen-0x19": seed, "x86-basic": x86_basic, "x64-basic": x64_basic, "small-x64": small_x64}


def main():
    path, kind = sys.argv[1], sys.argv[2]
    d = Dump(path, kind)
    if len(sys.argv) > 3 and not FAILS and sys.argv[3] in SCENARIOS:
        SCENARIOS[sys.argv[3]](d, kind, sys.argv[4] if len(sys.argv) > 4 else None)
    elif len(sys.argv) > 3 and not FAILS:
        negative(d, sys.argv[3])
    if len(sys.argv) == 3 and not FAILS:
        common(d, kind)
    for f in FAILS:
        print("FAIL:", f)
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
