// Plain Node, ES modules: import the installed package by name.
import * as bdl from 'bdl-wasm';
import * as advanced from 'bdl-wasm/advanced';
import { fitAndPredict } from './run.js';

console.log(JSON.stringify(await fitAndPredict(bdl, advanced)));
