// Plain Node, CommonJS: require() of the ES-module package (Node >= 20.19).
const bdl = require('bdl-wasm');

import('./run.js')
  .then(({ fitAndPredict }) => fitAndPredict(bdl))
  .then((r) => console.log(JSON.stringify(r)));
