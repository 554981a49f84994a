// The package's builds (esbuild) and types (tsc): `npm run build`; `--tests` builds the unit
// tests into dist-test/ for `node --test`.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const IIFE_LIMIT_GZIP_BYTES = 5 * 1024;
const common = { bundle: true, target: "es2020", logLevel: "warning", legalComments: "none" };

if (process.argv.includes("--tests")) {
  rmSync("dist-test", { recursive: true, force: true });
  const tests = readdirSync("test").filter((name) => name.endsWith(".test.ts") || name.endsWith(".test.tsx"));
  await esbuild.build({
    ...common,
    entryPoints: tests.map((name) => `test/${name}`),
    outdir: "dist-test",
    outExtension: { ".js": ".mjs" },
    platform: "node",
    format: "esm",
    jsx: "automatic",
    packages: "external",
  });
  process.exit(0);
}

rmSync("dist", { recursive: true, force: true });
rmSync("dist-demo", { recursive: true, force: true });
execFileSync("node_modules/.bin/tsc", ["-p", "tsconfig.json"], { stdio: "inherit" });
// ESM for bundlers (React stays the app's own: a peer dependency of ./react only).
await esbuild.build({
  ...common,
  entryPoints: ["src/index.ts", "src/react.tsx"],
  outdir: "dist/esm",
  format: "esm",
  splitting: true,
  jsx: "automatic",
  external: ["react", "react/jsx-runtime"],
});
// One file for a <script> tag: window.SessionsTracker, without React.
await esbuild.build({
  ...common,
  entryPoints: ["src/browser.ts"],
  outfile: "dist/sessions-tracker.js",
  format: "iife",
  globalName: "SessionsTracker",
  minify: true,
});
// The React app of the browser test (React bundled in).
await esbuild.build({
  ...common,
  entryPoints: ["demo/react-app.tsx"],
  outfile: "dist-demo/react-app.js",
  format: "iife",
  jsx: "automatic",
  minify: true,
  define: { "process.env.NODE_ENV": '"production"' },
});
const script = readFileSync("dist/sessions-tracker.js");
const gzipped = gzipSync(script, { level: 9 }).length;
console.log(
  `dist/sessions-tracker.js: ${script.length} bytes, ${gzipped} bytes gzipped ` +
    `(limit ${IIFE_LIMIT_GZIP_BYTES})`,
);
if (gzipped > IIFE_LIMIT_GZIP_BYTES) {
  console.error("the <script> build is over its size limit");
  process.exit(1);
}
