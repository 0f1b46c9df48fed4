// Genre Lens service worker: the site (and the embeddable widget) keep working offline after the
// first visit. scripts/post-build.sh stamps this file at build time with the build's version (a
// hash of every shipped file) and the list of files to precache, so a new build means a new
// sw.js, a new cache, and the old caches deleted once it takes over.
//
// Rules: only same-origin GET requests are touched; everything else goes to the network as if
// there were no worker. Pages (navigations) are network-first, so a reload online always gets
// the newest build; the hashed assets, model and summaries are cache-first.
const VERSION = "__BUILD_VERSION__";
const PRECACHE = ["__PRECACHE__"];
const PREFIX = "genre-lens-";
const CACHE = PREFIX + VERSION;
// Model files the widget fetched from a host's URL (src/model_store/remote.rs keeps them from
// the page, after decoding them): not this build's, so they survive a new build.
const MODEL_URLS = PREFIX + "model-urls";

// Precached only when the page that registered this worker used it (it is then in the HTTP
// cache): the widget with `model=forest` or a host's model never asks for the bundled model, and
// its precache must not download it either. A page that needs it later gets it through
// `cacheFirst`, which keeps it.
const IF_USED = ["model.bin"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then(async (cache) => {
        const used = await Promise.all(PRECACHE.map((url) => !IF_USED.includes(url) || inHttpCache(url)));
        const wanted = PRECACHE.filter((_, i) => used[i]);
        return cache.addAll(wanted.map((url) => new Request(url, { cache: cacheMode(url) })));
      })
      .then(() => self.skipWaiting()),
  );
});

// Whether the browser holds a copy of `url`, without a request to the server.
async function inHttpCache(url) {
  try {
    return (await fetch(url, { cache: "only-if-cached", mode: "same-origin" })).ok;
  } catch {
    return false;
  }
}

// The precache starts after the first prediction (public/boot.js), so the page has just fetched
// most of these files: take them from the HTTP cache instead of downloading them again, while
// making sure the cache holds exactly this build's files. A content-hashed name (trunk's
// `name-0123456789abcdef.ext`, post-build.sh's site files) can only be this build's bytes, so any
// cached copy is right ("force-cache"). Other names (model.bin, index.html, ...) are
// revalidated with the server ("no-cache": a conditional request, answered without the body
// when the copy is current).
function cacheMode(url) {
  return /-[0-9a-f]{12,16}(_bg)?\.(js|wasm|css)$/.test(url) ? "force-cache" : "no-cache";
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE && k !== MODEL_URLS).map((k) => caches.delete(k)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  } else {
    event.respondWith(cacheFirst(request));
  }
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(stripSearch(request.url), response.clone());
    return response;
  } catch (offline) {
    // Pages are cached without their query (widget.html?theme=dark is widget.html).
    const cached = await cache.match(stripSearch(request.url));
    if (cached) return cached;
    throw offline;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  // Files fetched later (the Train page's data set, the bundled forest when chosen) are kept
  // for the next offline visit.
  if (response.ok && response.type === "basic") cache.put(request, response.clone());
  return response;
}

function stripSearch(url) {
  const u = new URL(url);
  u.search = "";
  u.hash = "";
  return u.href;
}
