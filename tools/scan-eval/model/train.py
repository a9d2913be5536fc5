"""Trains the glyph model: an MLP over the scanner's normalized glyph cell
(16x12 samples, standardized) to the 37 MRZ classes, in numpy.

    train.py OUT.bin TRAIN.bin... [--epochs E] [--seed S] [--eval NAME=FILE ...]

TRAIN files are `cells` records of generated frames (the scanner's own
generator and the independent renderer); a tenth of each file's frames is
held back and measured. `--eval` files are only measured (real images:
never trained on). Writes the weights in the layout `core/scan/src/read/model.rs`
reads: b"AKGM", u32 layer count, per layer u32 inputs, u32 outputs, then
outputs x inputs weights (row-major) and outputs biases, all f32 little endian.
"""

import argparse
import struct
import sys

import numpy as np

from cells import CLASSES, features, load

HIDDEN = (128, 64)


def init(rng, sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((b, a)).astype(np.float32) * np.sqrt(2.0 / a)
        layers.append([w, np.zeros(b, np.float32)])
    return layers


def forward(layers, x):
    acts = [x]
    for i, (w, b) in enumerate(layers):
        x = x @ w.T + b
        if i + 1 < len(layers):
            x = np.maximum(x, 0.0)
        acts.append(x)
    return acts


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def predict(layers, x, batch=8192):
    out = []
    for i in range(0, len(x), batch):
        out.append(softmax(forward(layers, x[i:i + batch])[-1]))
    return np.concatenate(out) if out else np.zeros((0, len(CLASSES)), np.float32)


def augment(rng, x):
    """Noise, then standardized again (as the scanner standardizes)."""
    x = x + rng.standard_normal(x.shape).astype(np.float32) * rng.uniform(0.0, 0.3, (len(x), 1)).astype(np.float32)
    x = x - x.mean(axis=1, keepdims=True)
    x = x / np.maximum(np.sqrt((x * x).mean(axis=1, keepdims=True)), 1e-3)
    return x


def train(x, y, epochs, seed, wd=1e-4, lr=2e-3, batch=256):
    rng = np.random.default_rng(seed)
    layers = init(rng, (x.shape[1],) + HIDDEN + (len(CLASSES),))
    m = [[np.zeros_like(p) for p in l] for l in layers]
    v = [[np.zeros_like(p) for p in l] for l in layers]
    t = 0
    steps = epochs * (len(x) // batch)
    for ep in range(epochs):
        order = rng.permutation(len(x))
        loss_sum, n = 0.0, 0
        for s in range(0, len(x) - batch + 1, batch):
            idx = order[s:s + batch]
            xb, yb = augment(rng, x[idx]), y[idx]
            acts = forward(layers, xb)
            p = softmax(acts[-1])
            loss_sum += -np.log(p[np.arange(len(yb)), yb] + 1e-9).sum()
            n += len(yb)
            g = p
            g[np.arange(len(yb)), yb] -= 1.0
            g /= len(yb)
            t += 1
            rate = lr * 0.5 * (1 + np.cos(np.pi * t / steps))
            for i in range(len(layers) - 1, -1, -1):
                w, b = layers[i]
                gw = g.T @ acts[i] + wd * w
                gb = g.sum(axis=0)
                if i > 0:
                    g = (g @ w) * (acts[i] > 0)
                for j, gp in enumerate((gw, gb)):
                    m[i][j] = 0.9 * m[i][j] + 0.1 * gp
                    v[i][j] = 0.999 * v[i][j] + 0.001 * gp * gp
                    mh = m[i][j] / (1 - 0.9 ** t)
                    vh = v[i][j] / (1 - 0.999 ** t)
                    layers[i][j] -= rate * mh / (np.sqrt(vh) + 1e-8)
        print(f"epoch {ep + 1}: loss {loss_sum / max(n, 1):.4f}", file=sys.stderr, flush=True)
    return layers


ALLOWED = np.zeros((4, len(CLASSES)), bool)
ALLOWED[0, :] = True
ALLOWED[1, :10] = True
ALLOWED[2, 10:] = True
ALLOWED[3, [CLASSES.index(c) for c in "FMX<"]] = True


def report(name, layers, recs, sure=0.999):
    """Accuracy of the model (restricted to the classes each position
    allows) and of the templates on the centred samples, and what the
    reader's second opinion would do: confirm the templates' best where
    their lead is under 0.12 (0.3 where no check digit covers the cell)
    and the model gives it `sure` of the allowed classes' probability."""
    if len(recs) == 0:
        return
    c = recs[recs["shift"] == 0]
    allowed = ALLOWED[(c["close"] >> 1) & 3]
    p = predict(layers, features(c["x"])) * allowed
    p = p / p.sum(1, keepdims=True)
    pred, y, tmpl = p.argmax(1), c["label"].astype(int), c["best"].astype(int)
    covered = (c["close"] >> 3) & 1 == 1
    ask = c["margin"] < np.where(covered, 0.12, 0.3)
    close = (c["close"] & 1) == 1
    print(f"{name}: {len(c)} cells, model {np.mean(pred == y):.4f} ({(pred != y).sum()} wrong), "
          f"templates {np.mean(tmpl == y):.4f} ({(tmpl != y).sum()} wrong); "
          f"lead < 0.12: {close.sum()} cells, model {(pred[close] != y[close]).sum()} wrong, "
          f"templates {(tmpl[close] != y[close]).sum()} wrong")
    pb = p[np.arange(len(c)), tmpl]
    # Only a runner-up of the best's kind (digit, or letter and filler)
    # is moved back: digit/letter look-alikes are left to the templates.
    confirm = ask & (pb >= sure)
    same_kind = (tmpl < 10) == (y < 10)
    print(f"  asked {ask.sum()} ({(ask & ~covered).sum()} unprotected); confirmed {confirm.sum()} "
          f"({(confirm & ~covered).sum()} unprotected); confirmed wrongly {(confirm & (tmpl != y) & same_kind).sum()} "
          f"({(confirm & (tmpl != y) & same_kind & ~covered).sum()} unprotected); templates wrong among asked "
          f"{(ask & (tmpl != y)).sum()}, model sure of the truth there {(ask & (tmpl != y) & (p[np.arange(len(c)), y] >= sure)).sum()}")
    bad = np.nonzero(pred != y)[0][:16]
    if len(bad):
        print("  model errors (truth>model p, templates):",
              " ".join(f"{CLASSES[y[i]]}>{CLASSES[pred[i]]} {p[i].max():.3f},{CLASSES[tmpl[i]]}" for i in bad))


def save(path, layers):
    with open(path, "wb") as f:
        f.write(b"AKGM")
        f.write(struct.pack("<I", len(layers)))
        for w, b in layers:
            f.write(struct.pack("<II", w.shape[1], w.shape[0]))
            f.write(w.astype("<f4").tobytes())
            f.write(b.astype("<f4").tobytes())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("train", nargs="+")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval", action="append", default=[])
    a = ap.parse_args()
    tr, held = [], []
    for path in a.train:
        r = load(path)
        frames = np.unique(r["frame"])
        rng = np.random.default_rng(7)
        back = set(rng.choice(frames, size=max(1, len(frames) // 10), replace=False).tolist())
        mask = np.array([f in back for f in r["frame"]])
        tr.append(r[~mask])
        held.append((path, r[mask]))
    recs = np.concatenate(tr)
    x, y = features(recs["x"]), recs["label"].astype(int)
    print(f"training on {len(x)} samples", file=sys.stderr)
    layers = train(x, y, a.epochs, a.seed)
    save(a.out, layers)
    for path, r in held:
        report(f"held back {path}", layers, r)
    for e in a.eval:
        name, path = e.split("=", 1)
        report(name, layers, load(path))


if __name__ == "__main__":
    main()
