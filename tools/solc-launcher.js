#!/usr/bin/env node
// A `solc` command-line front for the npm `solc` package (the same compiler built to WebAssembly).
//
// Why: no native solc can be downloaded on our machines, but py-solc-x (and so Brownie) only needs an
// executable named `solc-v<version>` that answers `--version` and `--standard-json`. This script is that
// executable. It supports exactly what py-solc-x uses:
//   --version                      print "Version: <full version>" and exit 0
//   --standard-json                read Standard JSON input on stdin, write Standard JSON output on stdout
//   --base-path DIR, --allow-paths A,B, --include-path DIR   where imports are resolved from
// Unknown flags are ignored (py-solc-x may pass more than we need); a bad invocation exits 1 with a message.
//
// Output is written with fs.writeSync in a loop: process.stdout.write() followed by exit truncates piped
// output at 64 KiB.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

function writeAll(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if (err.code === 'EAGAIN') continue; // non-blocking pipe is full: retry until the reader drains it
      throw err;
    }
  }
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, roots: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const takeValue = () => {
      if (arg.includes('=')) return arg.slice(arg.indexOf('=') + 1);
      i += 1;
      return argv[i];
    };
    if (arg === '--version') opts.version = true;
    else if (arg === '--standard-json') opts.standardJson = true;
    else if (arg.startsWith('--base-path') || arg.startsWith('--include-path')) opts.roots.push(takeValue());
    else if (arg.startsWith('--allow-paths')) opts.roots.push(...String(takeValue()).split(','));
  }
  opts.roots = opts.roots.filter(Boolean).map((p) => path.resolve(p));
  opts.roots.unshift(process.cwd());
  return opts;
}

function makeImportResolver(roots) {
  return function findImports(importPath) {
    const candidates = path.isAbsolute(importPath)
      ? [importPath]
      : roots.map((root) => path.join(root, importPath));
    for (const candidate of candidates) {
      try {
        return { contents: fs.readFileSync(candidate, 'utf8') };
      } catch (_) {
        // try the next root
      }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(', ')})` };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.version) {
    writeAll(1, `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
    return 0;
  }
  if (!opts.standardJson) {
    writeAll(2, 'solc-launcher: only --version and --standard-json are supported\n');
    return 1;
  }
  const input = fs.readFileSync(0, 'utf8');
  const output = solc.compile(input, { import: makeImportResolver(opts.roots) });
  writeAll(1, output);
  return 0;
}

process.exitCode = main();
