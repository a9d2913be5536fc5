"""Reading the cell records that `cells` (tools/scan-eval/src/bin/cells.rs) writes."""

import numpy as np

N = 192
CLASSES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
RECORD = np.dtype([
    ("label", "u1"), ("best", "u1"), ("shift", "u1"), ("close", "u1"),
    ("margin", "<f4"), ("frame", "<u4"), ("x", "<f4", (N,)),
])


def load(path):
    return np.fromfile(path, dtype=RECORD)


def features(x):
    """The scanner's standardized samples (unit norm) at unit variance."""
    return (x * np.sqrt(N)).astype(np.float32)
