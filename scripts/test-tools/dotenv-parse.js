// Reads a JSON array of .env texts on stdin; prints a JSON array of what dotenv.parse gives
// for each. The reference for opskit's parser (crates/opskit/tests/dotenv_parity.rs).
'use strict';
const dotenv = require('dotenv');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const texts = JSON.parse(input);
  process.stdout.write(JSON.stringify(texts.map((t) => dotenv.parse(t))));
});
