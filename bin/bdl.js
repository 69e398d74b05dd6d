#!/usr/bin/env node
// The `bdl` command: runs the bundled command line (npm run build makes dist/cli.js).
import '../dist/cli.js';
