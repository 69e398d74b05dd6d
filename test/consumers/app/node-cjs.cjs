// Plain Node, CommonJS: require() of the ES-module package (Node >= 20.19).
const bdl = require('bdl-wasm');
const advanced = require('bdl-wasm/advanced');

import('./run.js')
  .then(({ fitAndPredict }) => fitAndPredict(bdl, advanced))
  .then((r) => console.log(JSON.stringify(r)));
