// Copies the front-end files Django serves under /static/ into assets/build/.
//
//   npm run build        (or: make assets)
//
// Output layout (assets/build/ is a STATICFILES_DIRS entry, so each path here is /static/<path>):
//   govuk/govuk-frontend.min.css   GOV.UK Frontend styles, with /assets/ urls pointed at /static/govuk/assets/
//   govuk/govuk-frontend.min.js    GOV.UK Frontend ES module (exports initAll)
//   govuk/assets/**                fonts, images and the web app manifest
//   htmx/htmx.min.js
//   axe/axe.min.js                 only used by the browser tests
//   peerdiag/**                    our own hand-written files from assets/src/
//
// The whole tree is written to a temporary folder first and swapped in at the end, so a failed
// run leaves the previous build untouched and a repeated run gives the same result.
// Any missing input is an error: the script exits non-zero and names the file.

import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const assetsDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(assetsDir);
const modulesDir = join(rootDir, "node_modules");
const srcDir = join(assetsDir, "src");
const outDir = join(assetsDir, "build");
const tmpDir = join(assetsDir, `.build-tmp-${process.pid}`);

const govukDist = join(modulesDir, "govuk-frontend", "dist", "govuk");

function fail(message) {
  console.error(`assets/build.mjs: ${message}`);
  rmSync(tmpDir, { recursive: true, force: true });
  process.exit(1);
}

function requireFile(path) {
  if (!existsSync(path) || !statSync(path).isFile()) {
    fail(`missing source file ${relative(rootDir, path)} (has \`npm ci\` been run?)`);
  }
  return path;
}

function requireDir(path) {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    fail(`missing source folder ${relative(rootDir, path)} (has \`npm ci\` been run?)`);
  }
  return path;
}

function copyFile(from, to) {
  requireFile(from);
  mkdirSync(dirname(join(tmpDir, to)), { recursive: true });
  cpSync(from, join(tmpDir, to));
}

function copyDir(from, to) {
  requireDir(from);
  cpSync(from, join(tmpDir, to), { recursive: true });
}

// GOV.UK Frontend's CSS expects its assets at /assets/; ours live at /static/govuk/assets/.
function buildGovukCss() {
  const from = requireFile(join(govukDist, "govuk-frontend.min.css"));
  const css = readFileSync(from, "utf8");
  const rewritten = css.replaceAll("url(/assets/", "url(/static/govuk/assets/");
  if (rewritten === css) {
    fail(`no url(/assets/ found in ${relative(rootDir, from)}: has GOV.UK Frontend changed its asset paths?`);
  }
  if (rewritten.includes("url(/assets/")) {
    fail("url(/assets/ still present after rewriting the GOV.UK Frontend CSS");
  }
  const to = join(tmpDir, "govuk", "govuk-frontend.min.css");
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, rewritten);
}

rmSync(tmpDir, { recursive: true, force: true });
mkdirSync(tmpDir, { recursive: true });

buildGovukCss();
copyFile(join(govukDist, "govuk-frontend.min.css.map"), "govuk/govuk-frontend.min.css.map");
copyFile(join(govukDist, "govuk-frontend.min.js"), "govuk/govuk-frontend.min.js");
copyFile(join(govukDist, "govuk-frontend.min.js.map"), "govuk/govuk-frontend.min.js.map");
copyDir(join(govukDist, "assets"), "govuk/assets");
requireDir(join(tmpDir, "govuk", "assets", "fonts"));
requireFile(join(tmpDir, "govuk", "assets", "manifest.json"));

copyFile(join(modulesDir, "htmx.org", "dist", "htmx.min.js"), "htmx/htmx.min.js");
copyFile(join(modulesDir, "axe-core", "axe.min.js"), "axe/axe.min.js");

requireFile(join(srcDir, "app.js"));
requireFile(join(srcDir, "app.css"));
copyDir(srcDir, "peerdiag");

rmSync(outDir, { recursive: true, force: true });
renameSync(tmpDir, outDir);
console.log(`assets/build.mjs: wrote ${relative(rootDir, outDir)}/`);
