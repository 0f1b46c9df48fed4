#!/usr/bin/env node
// YDF's JavaScript trainer (`ydf-training` on npm, Google's decision forests compiled to wasm)
// beside our trainer compiled to wasm (bench/node-trainer), in the same Node process, on the
// same two files (`genre-lens split`): holdout accuracy, training time and model size, for the
// boosted trees and the random forest, each library with its own defaults.
//
// Usage: node bench/ydf_peer.mjs TRAIN.csv TEST.csv OUR_WASM_DIR [--models=gbt,rf] [--repeat=N]
// (`bench/ydf_peer.sh` builds OUR_WASM_DIR and runs this). Measurement only, not a dependency of
// the site: ydf-training is installed into the tools folder (`./x setup`'s, outside the repo)
// when missing.
//
// Both trainers get the 13 features and the genre (YDF would otherwise take the song's name and
// its row number for features). Training time: ours from the training CSV's text to the trained
// model (reading and preprocessing counted); YDF's from its columns already in memory to the
// trained model (this script reads the CSV for it, uncounted). Scoring the test file is not
// counted for either.
// Model size: our model file; YDF's saved model (its `save()` zip, stored uncompressed), each
// also gzipped. --repeat=N trains each model N times, alternating the libraries, and keeps the
// median time (the machine's load moves single runs).

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const YDF_VERSION = "0.0.1";
const TOOLS_DIR = process.env.GENRE_LENS_TOOLS ?? join(homedir(), ".cache", "genre-lens-tools");
const FEATURES = ["danceability", "energy", "key", "loudness", "mode", "speechiness",
  "acousticness", "instrumentalness", "liveness", "valence", "tempo", "duration_ms",
  "time_signature"];
const LABEL = "genre";
const SEED = 42n;

function usage(message) {
  console.error(`${message}\nusage: node bench/ydf_peer.mjs TRAIN.csv TEST.csv OUR_WASM_DIR [--models=gbt,rf] [--repeat=N]`);
  process.exit(2);
}

const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const flags = Object.fromEntries(process.argv.slice(2).filter((a) => a.startsWith("--"))
  .map((a) => a.slice(2).split("=")));
if (positional.length !== 3) usage("expected three paths");
const [trainPath, testPath, wasmDir] = positional;
const models = (flags.models ?? "gbt,rf").split(",");
for (const m of models) if (!["gbt", "rf"].includes(m)) usage(`--models: \`${m}\` is not gbt or rf`);
const repeat = Number(flags.repeat ?? 1);
if (!Number.isInteger(repeat) || repeat < 1) usage(`--repeat: \`${flags.repeat}\` is not a count`);

// --- ydf-training, from the tools folder ----------------------------------------------------

function ensureYdf() {
  const pkg = join(TOOLS_DIR, "node_modules", "ydf-training", "package.json");
  if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version === YDF_VERSION) return;
  console.error(`installing npm ydf-training@${YDF_VERSION} into ${TOOLS_DIR}`);
  mkdirSync(TOOLS_DIR, { recursive: true });
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--silent", `ydf-training@${YDF_VERSION}`],
    { cwd: TOOLS_DIR, stdio: "inherit" });
}

// --- the split's files ------------------------------------------------------------------------

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The file's 13 features (numbers, NaN where blank) and genres, column by column: how YDF's
 * `train` and `predict` take a dictionary of columns. (Given the CSV text, its type inference
 * does not take the genre for a category: "should be CATEGORICAL for a CLASSIFICATION Task".) */
function featuresAndGenre(path) {
  const [header, ...records] = parseCsv(readFileSync(path, "utf8"));
  const at = (name) => {
    const i = header.indexOf(name);
    if (i < 0) usage(`${path}: no column \`${name}\` (make the files with \`genre-lens split\`)`);
    return i;
  };
  const bad = records.findIndex((r) => r.length !== header.length);
  if (bad >= 0) usage(`${path}: record ${bad + 2} has ${records[bad].length} fields, the header ${header.length}`);
  const columns = {};
  for (const name of FEATURES) {
    const i = at(name);
    columns[name] = records.map((r, row) => {
      if (r[i] === "") return NaN;
      const v = Number(r[i]);
      if (Number.isNaN(v)) usage(`${path}: record ${row + 2}, ${name}: \`${r[i]}\` is not a number`);
      return v;
    });
  }
  const label = at(LABEL);
  columns[LABEL] = records.map((r) => r[label]);
  return { columns, genres: columns[LABEL] };
}

// --- the two trainers -------------------------------------------------------------------------

/** CPU milliseconds this process has used (both trainers run on this one thread). */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** YDF's learner with its defaults; the same three figures as ours. */
async function trainYdf(ydf, kind, train, test) {
  const Learner = kind === "gbt" ? ydf.GradientBoostedTreesLearner : ydf.RandomForestLearner;
  // Its `train` logs "Model trained in …" on the console; the table is the output here.
  const log = console.log;
  console.log = () => {};
  const start = performance.now();
  const cpuStart = cpuMs();
  let model;
  try {
    model = new Learner(LABEL, "CLASSIFICATION").train(train.columns);
  } finally {
    console.log = log;
  }
  const trainMs = performance.now() - start;
  const trainCpuMs = cpuMs() - cpuStart;
  const classes = model.getLabelClasses();
  const { [LABEL]: _, ...features } = test.columns;
  const probabilities = model.predict(features);
  const k = probabilities.length / test.genres.length;
  if (k !== classes.length) throw new Error(`YDF gave ${k} probabilities a row for ${classes.length} genres`);
  let right = 0;
  test.genres.forEach((genre, row) => {
    const p = probabilities.slice(row * k, row * k + k);
    if (classes[p.indexOf(Math.max(...p))] === genre) right++;
  });
  console.log = () => {};
  let saved;
  try {
    saved = new Uint8Array(await (await model.save()).arrayBuffer());
  } finally {
    console.log = log;
  }
  const trees = Number(/Number of trees: (\d+)/.exec(model.describe())?.[1] ?? NaN);
  model.unload();
  return { trainMs, trainCpuMs, accuracy: right / test.genres.length, bytes: saved.length,
    gzip: gzipSync(saved, { level: 9 }).length, trees };
}

function trainOurs(testFile, kind, trainText) {
  const start = performance.now();
  const cpuStart = cpuMs();
  const trained = testFile.train(trainText, kind, SEED);
  const trainMs = performance.now() - start;
  const trainCpuMs = cpuMs() - cpuStart;
  const scored = trained.score();
  const model = scored.model;
  const result = { trainMs, trainCpuMs, accuracy: scored.accuracy, bytes: model.length,
    gzip: gzipSync(model, { level: 9 }).length, trees: scored.trees, settings: scored.settings };
  scored.free();
  return result;
}

async function main() {
  ensureYdf();
  const require = createRequire(join(TOOLS_DIR, "node_modules", "ydf-training", "package.json"));
  // `save()` zips with a global JSZip (the browser's <script> in its README); ydf-training
  // depends on jszip, so it is installed beside it.
  globalThis.JSZip = require("jszip");
  const ydf = await require("ydf-training")({ print: () => {}, printErr: () => {} });
  const ours = createRequire(import.meta.url)(resolve(wasmDir, "genre_lens_node_trainer.js"));
  const trainText = readFileSync(trainPath, "utf8");
  const testFile = new ours.TestFile(readFileSync(testPath, "utf8"));
  const train = featuresAndGenre(trainPath);
  const test = featuresAndGenre(testPath);
  console.error(`${train.genres.length} training rows, ${test.genres.length} test rows; ` +
    `Node ${process.version}; ${repeat} run(s) each`);

  const rows = [];
  for (const kind of models) {
    const ydfRuns = [], ourRuns = [];
    for (let i = 0; i < repeat; i++) {
      ydfRuns.push(await trainYdf(ydf, kind, train, test));
      ourRuns.push(trainOurs(testFile, kind, trainText));
    }
    const medians = (runs) => ({ ...runs[0], trainMs: median(runs.map((r) => r.trainMs)),
      trainCpuMs: median(runs.map((r) => r.trainCpuMs)) });
    const y = medians(ydfRuns);
    const o = medians(ourRuns);
    rows.push({ kind, y, o });
    console.error(`${kind}: ours ${o.settings}`);
  }

  const name = { gbt: "Boosted trees", rf: "Random forest" };
  const kb = (n) => `${Math.round(n / 1000).toLocaleString("en")} KB`;
  const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const line = (cells) => console.log(`| ${cells.join(" | ")} |`);
  line(["model", "trainer", "trees", "holdout accuracy", "training: wall", "CPU", "model (gzip)"]);
  line(["---", "---", "---:", "---:", "---:", "---:", "---:"]);
  for (const { kind, y, o } of rows) {
    line([name[kind], `YDF ${YDF_VERSION}`, y.trees, y.accuracy.toFixed(4), sec(y.trainMs),
      sec(y.trainCpuMs), `${kb(y.bytes)} (${kb(y.gzip)})`]);
    line(["", "Genre Lens", o.trees, o.accuracy.toFixed(4), sec(o.trainMs), sec(o.trainCpuMs),
      `${kb(o.bytes)} (${kb(o.gzip)})`]);
    line(["", "Genre Lens vs YDF", "", `${((o.accuracy - y.accuracy) * 100).toFixed(2)} points`,
      `${(y.trainMs / o.trainMs).toFixed(1)}× faster`, `${(y.trainCpuMs / o.trainCpuMs).toFixed(1)}× faster`,
      `${(o.gzip / y.gzip).toFixed(3)}× the size`]);
  }
}

try {
  await main();
} catch (e) {
  // YDF's errors carry its minified source; the message is what matters.
  console.error(`error: ${e?.message ?? e}`);
  process.exit(1);
}
