"""The model's opinion on the cells of one frame of a `cells` file:
    probe.py WEIGHTS CELLS FRAME_ID [LINE_FILTER]"""
import struct
import sys

import numpy as np

from cells import CLASSES, features, load
from train import ALLOWED, predict


def read_weights(path):
    b = open(path, "rb").read()
    n = struct.unpack("<I", b[4:8])[0]
    at, layers = 8, []
    for _ in range(n):
        a, o = struct.unpack("<II", b[at:at + 8])
        at += 8
        w = np.frombuffer(b[at:at + 4 * a * o], "<f4").reshape(o, a)
        at += 4 * a * o
        bias = np.frombuffer(b[at:at + 4 * o], "<f4")
        at += 4 * o
        layers.append([w, bias])
    return layers


def main():
    layers = read_weights(sys.argv[1])
    r = load(sys.argv[2])
    c = r[(r["frame"] == int(sys.argv[3])) & (r["shift"] == 0)]
    p = predict(layers, features(c["x"])) * ALLOWED[(c["close"] >> 1) & 3]
    p /= p.sum(1, keepdims=True)
    for i in range(len(c)):
        top = np.argsort(-p[i])[:3]
        print(i, CLASSES[c["label"][i]], "tmpl", CLASSES[c["best"][i]], f"lead {c['margin'][i]:.3f}",
              "covered" if c["close"][i] >> 3 & 1 else "free",
              " ".join(f"{CLASSES[k]}{p[i][k]:.4f}" for k in top))


if __name__ == "__main__":
    main()
