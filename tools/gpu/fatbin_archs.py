#!/usr/bin/env python3
"""List the GPU architectures a CUDA library carries: SASS (cubin) per sm_XX and PTX per compute_XX,
read from the fatbinary containers in its ELF .nv_fatbin section. Needs no GPU and no CUDA toolkit.

    python3 tools/gpu/fatbin_archs.py [--only NAME,...] LIBRARY.so|ARCHIVE.jar [...]

A jar is searched for *.so members (with --only, those whose file name contains one of the NAMEs). Output: one line per library with its SASS and PTX
architectures and how many kernels images each has, and the shared libraries it needs (readelf -d
style, from the ELF dynamic section), which tells which cuBLAS/cuSOLVER/cuDNN major versions it
loads.

Fatbinary layout (as documented by NVIDIA's fatbinary tool and public reverse engineering): a
container header {u32 magic 0xBA55ED50, u16 version, u16 header size, u64 payload size}, then
entries {u16 kind (1 PTX, 2 ELF/SASS), u16 version, u32 header size, u64 payload size, ...,
u32 sm architecture at offset 28}, each followed by its payload.
"""
import collections
import os
import struct
import sys
import tempfile
import zipfile

MAGIC = 0xBA55ED50
KINDS = {1: "PTX", 2: "SASS"}


def sections(data):
    """(name, offset, size) of every section of a 64-bit little-endian ELF file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    heads = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = heads[shstrndx]
    names = data[strtab[4]:strtab[4] + strtab[5]]
    out = []
    for h in heads:
        name = names[h[0]:names.index(b"\0", h[0])].decode()
        out.append((name, h[4], h[5], h[1]))
    return out


def needed(data, secs):
    """The DT_NEEDED libraries of the dynamic section."""
    dyn = [s for s in secs if s[0] == ".dynamic"]
    dynstr = [s for s in secs if s[0] == ".dynstr"]
    if not dyn or not dynstr:
        return []
    strings = data[dynstr[0][1]:dynstr[0][1] + dynstr[0][2]]
    out = []
    for off in range(dyn[0][1], dyn[0][1] + dyn[0][2], 16):
        tag, val = struct.unpack_from("<qQ", data, off)
        if tag == 0:
            break
        if tag == 1:
            out.append(strings[val:strings.index(b"\0", val)].decode())
    return out


def fatbin_entries(blob):
    """(kind, sm) of every entry of every fatbinary container in blob."""
    entries = []
    pos = 0
    while pos + 16 <= len(blob):
        magic, version, header, size = struct.unpack_from("<IHHQ", blob, pos)
        if magic != MAGIC:
            pos += 8  # containers are 8-byte aligned
            continue
        end = pos + header + size
        e = pos + header
        while e + 32 <= end:
            kind, _, ehead, payload = struct.unpack_from("<HHIQ", blob, e)
            sm, = struct.unpack_from("<I", blob, e + 28)
            if kind not in KINDS or ehead < 32:
                break
            entries.append((KINDS[kind], sm))
            e += ehead + payload
        pos = max(end, pos + 16)
    return entries


def report(path, label):
    with open(path, "rb") as f:
        data = f.read()
    secs = sections(data)
    fat = [s for s in secs if s[0] == ".nv_fatbin"]
    counts = collections.Counter()
    for _, off, size, _ in fat:
        counts.update(fatbin_entries(memoryview(data)[off:off + size].tobytes()))
    sass = sorted({sm for (k, sm) in counts if k == "SASS"})
    ptx = sorted({sm for (k, sm) in counts if k == "PTX"})
    print(f"{label}")
    print(f"  SASS (runs natively): " + (", ".join(f"sm_{s} ({counts[('SASS', s)]} images)" for s in sass) or "none"))
    print(f"  PTX (JIT-compiled by the driver for newer GPUs): " + (", ".join(f"compute_{s} ({counts[('PTX', s)]} images)" for s in ptx) or "none"))
    print(f"  needs: {', '.join(needed(data, secs))}")


def main(args):
    only = []
    if args[:1] == ["--only"]:
        only, args = args[1].split(","), args[2:]
    paths = args
    if not paths:
        raise SystemExit(__doc__)
    for p in paths:
        if not os.path.isfile(p):
            raise SystemExit(f"{p}: no such file")
        if p.endswith(".jar"):
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    base = os.path.basename(name)
                    if (base.endswith(".so") or ".so." in base) and (not only or any(o in base for o in only)):
                        with tempfile.NamedTemporaryFile(suffix=".so") as tmp:
                            with z.open(name) as src:
                                while chunk := src.read(1 << 24):
                                    tmp.write(chunk)
                            tmp.flush()
                            report(tmp.name, f"{os.path.basename(p)}!{name}")
        else:
            report(p, p)


if __name__ == "__main__":
    main(sys.argv[1:])
