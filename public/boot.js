// Starts the app. Lives in its own file instead of trunk's inline loader so the page's
// Content-Security-Policy can forbid inline scripts. trunk writes the hashed names of the
// wasm-bindgen JS and wasm into #genre-lens-boot (see pattern_script in Trunk.toml), and
// scripts/post-build.sh adds the names of the rest of the site's files (data-site-*).
const boot = document.getElementById("genre-lens-boot");
const here = (path) => new URL(path, document.baseURI).href;

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

// The first load: the Predict page, or the widget (the `predict` binary, src/first_load.rs).
const bindings = await import(here(boot.dataset.js));
await bindings.default({ module_or_path: here(boot.dataset.wasm) });
// The measurement script calls bench hooks through this, like trunk's default loader does.
window.wasmBindings = bindings;
