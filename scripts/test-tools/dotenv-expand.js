// Reads a JSON array of {text, env} on stdin; prints, for each, the [key, value] pairs that
// dotenv-expand gives for dotenv.parse(text) with `env` as the process environment, in the
// order it visits them, or null when dotenv-expand does not finish within 200 ms (it loops
// forever on some inputs, e.g. a process variable whose value references itself). The
// reference for opskit::env::expand (crates/opskit/tests/dotenv_parity.rs).
'use strict';
const vm = require('node:vm');
const dotenv = require('dotenv');
const { expand } = require('dotenv-expand');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const cases = JSON.parse(input);
  const out = cases.map(({ text, env }) => {
    const sandbox = { expand, options: { parsed: dotenv.parse(text), processEnv: { ...env } } };
    try {
      const { parsed } = vm.runInNewContext('expand(options)', sandbox, { timeout: 200 });
      return Object.entries(parsed);
    } catch (e) {
      if (e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return null;
      throw e;
    }
  });
  process.stdout.write(JSON.stringify(out));
});
