"""Regenerates eval/splits/standard.json: the 20 train/test splits the published UCI numbers were
measured on (Hernandez-Lobato & Adams 2015, reused by Gal & Ghahramani 2016 and Lakshminarayanan et
al. 2017). Their recipe: NumPy's legacy generator seeded with 1, one permutation of the rows per
split, the first round(0.9 n) rows train and the rest test. Run from the project root:

    python3 eval/splits/make-standard.py

Only the test rows are stored (the training split is every other row); `node eval/run.mjs
--standard-splits` reads them. Checked against the index files distributed with those papers' code:
identical on every data set here.
"""
import json

import numpy as np

DATASETS = {'boston': 'bostonHousing', 'concrete': 'concrete', 'energy': 'energy', 'wine': 'wine-quality-red', 'yacht': 'yacht'}
SPLITS = 20

out = {}
for name, folder in DATASETS.items():
    with open(f'data/uci/{folder}.txt') as f:
        n = sum(1 for line in f if line.strip())
    np.random.seed(1)  # one seed per data set, as in the original recipe
    tests = []
    for _ in range(SPLITS):
        perm = np.random.choice(range(n), n, replace=False)
        tests.append(sorted(int(i) for i in perm[round(n * 9.0 / 10):]))
    out[name] = {'rows': n, 'test': tests}

with open('eval/splits/standard.json', 'w') as f:
    f.write('{\n')
    f.write(',\n'.join(f'  "{k}": {json.dumps(v, separators=(",", ":"))}' for k, v in out.items()))
    f.write('\n}\n')
