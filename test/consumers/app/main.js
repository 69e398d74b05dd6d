// The browser apps' entry: the result lands in the page's title element as JSON for the test to read.
import * as bdl from 'bdl-wasm';
import * as advanced from 'bdl-wasm/advanced';
import { fitAndPredict } from './run.js';

const out = document.getElementById('result');
fitAndPredict(bdl, advanced).then(
  (r) => { out.textContent = JSON.stringify(r); out.dataset.state = 'done'; },
  (e) => { out.textContent = `${e.code ?? ''} ${e.message}`; out.dataset.state = 'error'; },
);
