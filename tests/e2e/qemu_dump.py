#!/usr/bin/env python3
"""Boots QEMU (firmware only: no disk, no OS; SeaBIOS builds the SMBIOS tables) and has QEMU itself dump
the guest through QMP dump-guest-memory: OUT/guest.elf, OUT/guest-paging.elf (-p), OUT/guest.kdump
(kdump-zlib, which QEMU writes flattened). Usage: qemu_dump.py OUT"""
import json
import os
import socket
import subprocess
import sys
import time


def main(out):
    sock = os.path.join(out, "qmp.sock")
    qemu = subprocess.Popen(["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-m", "32", "-smp", "2",
                             "-display", "none", "-nodefaults", "-no-reboot",
                             "-qmp", f"unix:{sock},server=on,wait=off"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(sock):
                break
            time.sleep(0.1)
        time.sleep(3)  # the firmware has built its tables long before
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        f = s.makefile("rw")
        f.readline()

        def cmd(name, **args):
            f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
            f.flush()
            while True:
                r = json.loads(f.readline())
                if "return" in r:
                    return
                if "error" in r:
                    sys.exit(f"{name}: {r['error']['desc']}")

        cmd("qmp_capabilities")
        cmd("stop")
        for name, fmt, paging in (("guest.elf", "elf", False), ("guest-paging.elf", "elf", True),
                                  ("guest.kdump", "kdump-zlib", False)):
            cmd("dump-guest-memory", paging=paging, protocol="file:" + os.path.join(out, name), format=fmt)
        cmd("quit")
    finally:
        try:
            qemu.wait(timeout=10)
        except subprocess.TimeoutExpired:
            qemu.kill()


if __name__ == "__main__":
    main(sys.argv[1])
