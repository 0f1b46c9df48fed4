// Starts the app. Lives in its own file instead of trunk's inline loader so the page's
// Content-Security-Policy can forbid inline scripts. trunk writes the hashed names of the
// wasm-bindgen JS and wasm on this script's own tag, #genre-lens-boot (see pattern_script in
// Trunk.toml), and scripts/post-build.sh adds the names of the rest of the site's files
// (data-site-*). It runs as soon as it arrives (`async`, first in <head>): the document may
// still be arriving, so the app itself starts only once it has been read.
const boot = document.getElementById("genre-lens-boot");
const here = (path) => new URL(path, document.baseURI).href;

// The first load's wasm starts compiling now, while its JS glue is imported and model.bin is
// still downloading (index.html preloads both); the same request as trunk's preload (its
// integrity included), so the preloaded bytes are used. Should streaming compilation fail (a
// server that sends the wasm with another type), wasm-bindgen fetches the file itself.
const firstWasm = (() => {
  const url = here(boot.dataset.wasm);
  const preload = document.querySelector(`link[rel="preload"][href="${boot.dataset.wasm}"]`);
  return WebAssembly.compileStreaming(fetch(url, { integrity: preload?.integrity ?? "" })).catch(() => url);
})();

// Whether a model kept in this browser may be waiting (src/storage/presence.rs): listing the
// site's databases takes the browser 100 ms or more on a first visit, so the Predict page asks
// now, beside the wasm's compilation, and the app takes the answer (`genreLensDatabases`).
if (document.documentElement.dataset.view !== "widget") {
  try {
    window.genreLensDatabases = indexedDB.databases?.();
    window.genreLensDatabases?.catch(() => {});
  } catch {
    // No storage here (an opaque origin): the app finds out and says so on Train.
  }
}

// The rest of the site (Batch, Explore, Train, Embed): its styles, then its code (the `app`
// binary), which mounts the whole site when it starts. Called by the first app the first time a
// visitor leaves the Predict page (defined before that app starts, which may call it at once);
// a failed load (offline before the service worker had the files) can be tried again.
let site = null;
let attempts = 0;
window.genreLensLoadSite = () => {
  site ??= (async () => {
    await stylesheet(here(boot.dataset.siteCss));
    // A retry asks for a new URL: Chromium keeps a failed module import for the page's life.
    const retry = ++attempts > 1 ? `?attempt=${attempts}` : "";
    const app = await import(here(boot.dataset.siteJs) + retry);
    await app.default({ module_or_path: here(boot.dataset.siteWasm) });
    registerServiceWorker();
  })().catch((e) => {
    site = null;
    throw e;
  });
  return site;
};

function stylesheet(href) {
  if (document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.onload = () => resolve();
    link.onerror = () => {
      link.remove();
      reject(new Error(`could not load ${href}`));
    };
    document.head.append(link);
  });
}

// Offline support: the service worker (sw.js, next to this file) caches this build's files.
// Registered once the first prediction is on screen (or the rest of the site has started), so
// its precache never competes with what the first prediction waits for.
let registered = false;
function registerServiceWorker() {
  if (registered || !("serviceWorker" in navigator)) return;
  registered = true;
  navigator.serviceWorker.register(here("sw.js")).catch((e) => {
    console.warn("Genre Lens works online only: the service worker did not register.", e);
  });
}
new PerformanceObserver((marks, observer) => {
  if (marks.getEntriesByName("first-prediction").length) {
    observer.disconnect();
    registerServiceWorker();
  }
}).observe({ type: "mark", buffered: true });

// The widget (widget.html): a host may post a request as soon as the frame has loaded, while
// the wasm is still on its way. Such messages are kept here and handed to the widget when it
// starts (src/widget/bridge.rs), which answers them like any other.
if (document.documentElement.dataset.view === "widget") {
  const early = [];
  const keep = (event) => early.push(event);
  window.addEventListener("message", keep);
  window.genreLensTakeEarlyMessages = () => {
    window.removeEventListener("message", keep);
    return early.splice(0);
  };
}

// The bundled model, which the app takes from `genreLensBundledModel` (src/model_store/source.rs)
// instead of fetching it itself: asked for as the page starts, its bytes are in memory when the
// app wants them. Fetched by the app, they reached it 40–75 ms after it had started (one more
// trip through the browser's network stack, with the page's first render in between). The same
// request as index.html's preload (crossorigin="anonymous" is fetch's default), so the preloaded
// bytes are used. The widget with `model=` runs another model: that one is left to the app.
const widget = document.documentElement.dataset.view === "widget";
if (!(widget && new URLSearchParams(location.search).has("model"))) {
  window.genreLensBundledModel = fetch(here("model.bin"))
    .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(`the server answered ${r.status} ${r.statusText}`)))
    .then(
      (bytes) => new Uint8Array(bytes),
      (e) => Promise.reject(`Could not download model.bin: ${e?.message ?? e}`),
    );
  // A failure is the app's to report (and retry): not an unhandled rejection here.
  window.genreLensBundledModel.catch(() => {});
}

// The first load: the Predict page, or the widget (the `predict` binary, src/first_load.rs),
// which mounts on <body> as it starts.
const parsed = new Promise((resolve) => {
  if (document.readyState !== "loading") resolve();
  else document.addEventListener("DOMContentLoaded", () => resolve(), { once: true });
});
try {
  const bindings = await import(here(boot.dataset.js));
  const firstModule = await firstWasm;
  await parsed;
  await bindings.default({ module_or_path: firstModule });
  // The measurement script calls bench hooks through this, like trunk's default loader does.
  window.wasmBindings = bindings;
} catch (e) {
  // The app never started (a file missing or cut short, no WebAssembly): index.html's frame
  // says so instead of loading forever.
  const status = document.getElementById("shell-status");
  if (status) {
    status.setAttribute("role", "alert");
    status.className = "card load-error";
    status.textContent = `Genre Lens could not start: ${e?.message ?? e}. Reload the page to try again.`;
  }
  throw e;
}
