// Builds the map's bundle into dist/: one script (sigma, graphology and the page's code),
// the page and its style sheet. The output is deterministic, so CI can check that the
// committed dist/ is what these sources build (make check-web).
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: "dist/map.js",
  legalComments: "eof",
  logLevel: "warning",
});
for (const f of ["index.html", "map.css"]) copyFileSync(`src/${f}`, `dist/${f}`);
