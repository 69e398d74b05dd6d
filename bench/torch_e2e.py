"""End-to-end peer for `npm run bench` (bench/e2e.mjs): the same work `bdl fit --method ensemble` does.

  prepare OUTDIR          writes the two data sets as CSV (target last) so both sides read the same rows:
                          (a) Friedman #1 with heteroscedastic noise, 8,000 train / 2,000 test, seeds 1 and 2;
                          (b) Fashion-MNIST, first 10,000 train / 2,000 test images, pixels / 255.
  run OUTDIR CASE THREADS trains a 5-member 1x50 ReLU ensemble (Adam, lr 1e-3) sequentially with
                          torch.set_num_threads(THREADS) and prints JSON {seconds, metric}.
Run with /usr/bin/python3 and `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE` (TOOLCHAIN.md).
"""
import gzip, json, os, sys, time
import numpy as np

FASHION = '/usr/share/datasets/fashion-mnist'


def idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def friedman(n, seed):
    r = np.random.default_rng(seed)
    x = r.uniform(size=(n, 10))
    m = 10 * np.sin(np.pi * x[:, 0] * x[:, 1]) + 20 * (x[:, 2] - 0.5) ** 2 + 10 * x[:, 3] + 5 * x[:, 4]
    return np.c_[x, m + r.normal(size=n) * (0.5 + 2 * x[:, 5])]


def save(path, rows, fmt):
    header = ','.join([f'x{i}' for i in range(rows.shape[1] - 1)] + ['y'])
    np.savetxt(path, rows, delimiter=',', fmt=fmt, header=header, comments='')


def prepare(out):
    os.makedirs(out, exist_ok=True)
    save(f'{out}/reg_train.csv', friedman(8000, 1), '%.6g')
    save(f'{out}/reg_test.csv', friedman(2000, 2), '%.6g')
    for part, n, name in (('train', 10000, 'train'), ('t10k', 2000, 'test')):
        x = idx(f'{FASHION}/{part}-images-idx3-ubyte.gz')[:n].reshape(n, -1) / 255.0
        y = idx(f'{FASHION}/{part}-labels-idx1-ubyte.gz')[:n]
        save(f'{out}/fashion_{name}.csv', np.c_[x, y], '%.5g')


def run(out, case, threads):
    import torch
    torch.set_num_threads(threads)
    pre = 'reg' if case == 'a' else 'fashion'
    t0 = time.perf_counter()
    tr = np.loadtxt(f'{out}/{pre}_train.csv', delimiter=',', skiprows=1, dtype=np.float32)
    te = np.loadtxt(f'{out}/{pre}_test.csv', delimiter=',', skiprows=1, dtype=np.float32)
    t_load = time.perf_counter() - t0
    xtr, ytr, xte, yte = map(torch.from_numpy, (tr[:, :-1].copy(), tr[:, -1].copy(), te[:, :-1].copy(), te[:, -1].copy()))
    reg = case == 'a'
    if reg:
        mu, sd = xtr.mean(0), xtr.std(0)
        ym, ys = ytr.mean(), ytr.std()
        xtr, xte, ytr_n = (xtr - mu) / sd, (xte - mu) / sd, (ytr - ym) / ys
    epochs, batch = (40, 32) if reg else (20, 128)
    n, d = xtr.shape
    k = 1 if reg else 10
    preds = []
    t1 = time.perf_counter()
    for m in range(5):
        torch.manual_seed(m)
        net = torch.nn.Sequential(torch.nn.Linear(d, 50), torch.nn.ReLU(), torch.nn.Linear(50, k))
        log_noise = torch.zeros((), requires_grad=True)
        opt = torch.optim.Adam(list(net.parameters()) + [log_noise], lr=1e-3)
        for _ in range(epochs):
            perm = torch.randperm(n)
            for i in range(0, n, batch):
                j = perm[i:i + batch]
                out_ = net(xtr[j])
                if reg:
                    loss = 0.5 * (((out_[:, 0] - ytr_n[j]) ** 2) * torch.exp(-2 * log_noise)).mean() + log_noise
                else:
                    loss = torch.nn.functional.cross_entropy(out_, ytr[j].long())
                opt.zero_grad()
                loss.backward()
                opt.step()
        with torch.no_grad():
            o = net(xte)
            preds.append((o[:, 0] * ys + ym, float(torch.exp(log_noise)) * ys) if reg else torch.softmax(o, 1))
    if reg:
        mean = torch.stack([p[0] for p in preds]).mean(0)
        metric = {'rmse': float(((mean - yte) ** 2).mean().sqrt())}
    else:
        p = torch.stack(preds).mean(0)
        metric = {'accuracy': float((p.argmax(1) == yte.long()).float().mean())}
    total = time.perf_counter() - t0
    print(json.dumps({'case': case, 'threads': threads, 'seconds': total, 'load_seconds': t_load, 'train_seconds': total - t_load, **metric}))


if __name__ == '__main__':
    if sys.argv[1] == 'prepare':
        prepare(sys.argv[2])
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
