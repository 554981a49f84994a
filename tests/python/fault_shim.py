"""The LD_PRELOAD shim of the storage fault tests (faults/storage_faults.c), compiled with gcc."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SHIM_SOURCE = Path(__file__).parent / "faults" / "storage_faults.c"


def build_shim(directory: Path) -> Path:
    """Compiles the shim into `directory` and returns the library's path."""
    if shutil.which("gcc") is None:
        raise RuntimeError("the fault tests compile an LD_PRELOAD shim with gcc: install gcc")
    library = directory / "storage_faults.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O2", "-o", str(library), str(SHIM_SOURCE), "-ldl"],
        check=True,
    )
    return library
