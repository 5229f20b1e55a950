// Runs one env schema fixture under Node for each value set in a JSON file and prints, per set,
// the variables the app's own validation rejects (sorted). Used by crates/env-check/tests/code.rs.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [fixture, setsFile] = process.argv.slice(2);
const sets = JSON.parse(readFileSync(setsFile, "utf8"));
const names = [...new Set(sets.flatMap((s) => Object.keys(s.values)))];
class Exit extends Error {}
const keyOf = (p) => String(typeof p === "object" && p !== null ? p.key : p);

// What the libraries print, captured once: envalid binds console.error when it loads, so the
// functions stay the same and write into `current`, which each set resets.
const current = { text: "", issues: null };
const realWrite = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk) => ((current.text += String(chunk)), true);
console.error = (...args) => {
  const found = args.find((a) => Array.isArray(a));
  if (found) current.issues = found;
  current.text += args.map(String).join(" ") + "\n";
};
process.exit = (code) => {
  throw new Exit(String(code));
};

const results = [];
for (const [i, set] of sets.entries()) {
  for (const n of names) delete process.env[n];
  for (const [k, v] of Object.entries(set.values)) if (v !== null) process.env[k] = v;
  process.env.NODE_ENV = set.node_env;
  current.text = "";
  current.issues = null;
  let bad = [];
  try {
    await import(`${pathToFileURL(fixture).href}?set=${i}`);
  } catch (e) {
    if (e && Array.isArray(e.issues)) bad = e.issues.map((x) => keyOf(x.path[0]));
    else if (current.issues) bad = current.issues.map((x) => keyOf(x.path?.[0]));
    else if (e instanceof Exit) {
      const plain = current.text.replace(/\u001b\[[0-9;]*m/g, "");
      bad = [...plain.matchAll(/^\s+([A-Z][A-Z0-9_]*): /gm)].map((m) => m[1]);
    } else bad = [`<error: ${e?.message}>`];
  }
  results.push([...new Set(bad)].sort());
}
process.stderr.write = realWrite;
process.stdout.write(JSON.stringify(results));
