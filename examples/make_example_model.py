#!/usr/bin/python3
"""Build, train briefly and export a small DLRM-style recommendation model.

Writes:
  examples/models/dlrm/1/model.onnx   (opset 17, dynamic batch axis "batch")
  examples/dlrm_requests.json         (8 sample requests with PyTorch's outputs)

Inputs:
  dense  float32 [batch, 13]
  cat_0..cat_3  int64 [batch, 4]  (bag of ids, padded with -1)
Output:
  probability  float32 [batch, 1]

Run with Debian's Python (needs python3-torch and python3-onnx):
  /usr/bin/python3 examples/make_example_model.py
"""
import json
import os
import random

import numpy as np
import onnx
import torch
import torch.nn as nn

SEED = 1234
NUM_DENSE = 13
TABLE_SIZES = [1000, 500, 200, 100]
EMB_DIM = 16
BAG_LEN = 4
STEPS = 400
BATCH = 256

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_PATH = os.path.join(HERE, "models", "dlrm", "1", "model.onnx")
REQUESTS_PATH = os.path.join(HERE, "dlrm_requests.json")


def seed_all(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class DLRM(nn.Module):
    def __init__(self):
        super().__init__()
        self.bottom = nn.Sequential(
            nn.Linear(NUM_DENSE, 64), nn.ReLU(),
            nn.Linear(64, EMB_DIM), nn.ReLU(),
        )
        self.embeddings = nn.ModuleList(nn.Embedding(n, EMB_DIM) for n in TABLE_SIZES)
        for e in self.embeddings:
            nn.init.normal_(e.weight, std=0.1)
        n_vec = 1 + len(TABLE_SIZES)
        n_inter = n_vec * (n_vec - 1) // 2
        iu = torch.triu_indices(n_vec, n_vec, offset=1)
        # flat indices into the [n_vec, n_vec] dot matrix (upper triangle, no diagonal)
        self.register_buffer("inter_idx", (iu[0] * n_vec + iu[1]).long(), persistent=False)
        self.n_vec = n_vec
        self.top = nn.Sequential(
            nn.Linear(EMB_DIM + n_inter, 64), nn.ReLU(),
            nn.Linear(64, 32), nn.ReLU(),
            nn.Linear(32, 1),
        )

    @staticmethod
    def pool(emb, ids):
        # ids: [B, L] int64, -1 = padding. Sum pooling, padding contributes zero.
        mask = (ids >= 0).unsqueeze(-1).float()
        return (emb(ids.clamp(min=0)) * mask).sum(dim=1)

    def forward(self, dense, cat_0, cat_1, cat_2, cat_3):
        x = self.bottom(dense)                                   # [B, D]
        pooled = [self.pool(e, c) for e, c in zip(self.embeddings, (cat_0, cat_1, cat_2, cat_3))]
        t = torch.stack([x] + pooled, dim=1)                     # [B, 5, D]
        z = torch.bmm(t, t.transpose(1, 2))                      # [B, 5, 5]
        z = z.flatten(1).index_select(1, self.inter_idx)         # [B, 10]
        h = torch.cat([x, z], dim=1)                             # [B, D + 10]
        return torch.sigmoid(self.top(h))                        # [B, 1]


def make_batch(rng, n):
    dense = rng.normal(size=(n, NUM_DENSE)).astype(np.float32)
    cats = []
    for size in TABLE_SIZES:
        ids = np.minimum(rng.zipf(1.2, size=(n, BAG_LEN)), size) - 1
        lens = rng.integers(1, BAG_LEN + 1, size=n)
        ids[np.arange(BAG_LEN)[None, :] >= lens[:, None]] = -1
        cats.append(ids.astype(np.int64))
    return dense, cats


class Teacher:
    """Fixed random rule producing labels that the model can learn."""

    def __init__(self, rng):
        self.w_dense = rng.normal(size=NUM_DENSE)
        self.tables = [rng.normal(size=n) for n in TABLE_SIZES]
        self.bias = 0.0

    def labels(self, rng, dense, cats):
        logit = dense @ self.w_dense * 0.8 + self.bias
        for table, ids in zip(self.tables, cats):
            vals = np.where(ids >= 0, table[np.clip(ids, 0, None)], 0.0)
            logit = logit + 0.7 * vals.sum(axis=1)
        p = 1.0 / (1.0 + np.exp(-logit))
        return (rng.random(len(p)) < p).astype(np.float32)


def to_tensors(dense, cats):
    return [torch.from_numpy(dense)] + [torch.from_numpy(c) for c in cats]


def main():
    seed_all(SEED)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    rng = np.random.default_rng(SEED)
    teacher = Teacher(rng)
    model = DLRM()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.BCELoss()

    # fixed held-out batch to report the loss on
    ev_dense, ev_cats = make_batch(rng, 4096)
    ev_y = torch.from_numpy(teacher.labels(rng, ev_dense, ev_cats)).unsqueeze(1)
    ev_in = to_tensors(ev_dense, ev_cats)

    def eval_loss():
        model.eval()
        with torch.no_grad():
            loss = loss_fn(model(*ev_in), ev_y).item()
        model.train()
        return loss

    start = eval_loss()
    print(f"held-out loss at start: {start:.4f}")
    first_train = last_train = None
    for step in range(STEPS):
        dense, cats = make_batch(rng, BATCH)
        y = torch.from_numpy(teacher.labels(rng, dense, cats)).unsqueeze(1)
        loss = loss_fn(model(*to_tensors(dense, cats)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if first_train is None:
            first_train = loss.item()
        last_train = loss.item()
        if (step + 1) % 100 == 0:
            print(f"step {step + 1:4d}  train loss {loss.item():.4f}")
    end = eval_loss()
    print(f"train loss first step {first_train:.4f}, last step {last_train:.4f}")
    print(f"held-out loss at end:   {end:.4f}")

    model.eval()
    os.makedirs(os.path.dirname(MODEL_PATH), exist_ok=True)
    ex_dense, ex_cats = make_batch(rng, 2)
    input_names = ["dense", "cat_0", "cat_1", "cat_2", "cat_3"]
    with torch.no_grad():
        torch.onnx.export(
            model,
            tuple(to_tensors(ex_dense, ex_cats)),
            MODEL_PATH,
            input_names=input_names,
            output_names=["probability"],
            dynamic_axes={n: {0: "batch"} for n in input_names + ["probability"]},
            opset_version=17,
            do_constant_folding=True,
        )
    m = onnx.load(MODEL_PATH)
    onnx.checker.check_model(m, full_check=True)
    print(f"wrote {MODEL_PATH} ({os.path.getsize(MODEL_PATH)} bytes), "
          f"opset {m.opset_import[0].version}, ir_version {m.ir_version}")

    requests = []
    for bs in [1, 2, 3, 5, 8, 13, 4, 16]:
        dense, cats = make_batch(rng, bs)
        with torch.no_grad():
            prob = model(*to_tensors(dense, cats))
        entry = {"inputs": {"dense": [[float(v) for v in row] for row in dense]}}
        for i, c in enumerate(cats):
            entry["inputs"][f"cat_{i}"] = [[int(v) for v in row] for row in c]
        entry["probability"] = [[float(v) for v in row] for row in prob.numpy()]
        requests.append(entry)
    with open(REQUESTS_PATH, "w") as f:
        # one request per line; json.dumps writes floats with repr (full precision)
        f.write("[\n" + ",\n".join(json.dumps(r) for r in requests) + "\n]\n")
    print(f"wrote {REQUESTS_PATH} ({len(requests)} requests)")


if __name__ == "__main__":
    main()
