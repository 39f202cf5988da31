#!/usr/bin/env python3
"""extract-vmlinux.py BZIMAGE OUT - the uncompressed ELF kernel inside a bzImage.

QEMU boots an ELF vmlinux directly through its PVH entry point, skipping the bzImage's
real-mode setup and self-decompression: about 4.4 s to init instead of 10.5 s under TCG
on these machines (see /work/shared/QEMU-TESTING.md). Like the kernel's
scripts/extract-vmlinux (not shipped in Debian's headers package): find each
compressed-stream signature in the image, try to decompress from there, keep the first
result that is an ELF file.
"""
import gzip
import lzma
import shutil
import subprocess
import sys
import zlib

SIGNATURES = [
    ("xz", b"\xfd7zXZ\x00"),
    ("gzip", b"\x1f\x8b\x08"),
    ("zstd", b"\x28\xb5\x2f\xfd"),
    ("lzma", b"\x5d\x00\x00\x00"),
]


def decompress(kind, data):
    """The decompressed stream starting at data[0], or None if it is not one."""
    try:
        if kind == "xz":
            return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
        if kind == "lzma":
            return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(data)
        if kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
        if kind == "zstd" and shutil.which("zstd"):
            r = subprocess.run(["zstd", "-dc"], input=data, capture_output=True)
            return r.stdout or None
    except (lzma.LZMAError, zlib.error, gzip.BadGzipFile, EOFError):
        return None
    return None


def main():
    if len(sys.argv) != 3:
        print("usage: extract-vmlinux.py BZIMAGE OUT", file=sys.stderr)
        return 2
    image = open(sys.argv[1], "rb").read()
    for kind, magic in SIGNATURES:
        pos = image.find(magic)
        while pos >= 0:
            out = decompress(kind, image[pos:])
            if out and out[:4] == b"\x7fELF":
                tmp = sys.argv[2] + ".tmp"
                with open(tmp, "wb") as f:
                    f.write(out)
                shutil.move(tmp, sys.argv[2])
                print("extract-vmlinux: %s stream at offset %d, %d bytes ELF" % (kind, pos, len(out)))
                return 0
            pos = image.find(magic, pos + 1)
    print("extract-vmlinux: no compressed ELF kernel found in %s" % sys.argv[1], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
