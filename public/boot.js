// Starts the app. Lives in its own file instead of trunk's inline loader so the page's
// Content-Security-Policy can forbid inline scripts. trunk writes the hashed names of the
// wasm-bindgen JS and wasm into #genre-lens-boot (see pattern_script in Trunk.toml).
const boot = document.getElementById("genre-lens-boot");
const bindings = await import(new URL(boot.dataset.js, document.baseURI).href);
await bindings.default({ module_or_path: boot.dataset.wasm });
// The measurement script calls bench hooks through this, like trunk's default loader does.
window.wasmBindings = bindings;

// Offline support: the service worker (sw.js, next to this file) caches this build's files.
// Registered after the app has started so it never competes with the first load.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register(new URL("sw.js", document.baseURI)).catch((e) => {
    console.warn("Genre Lens works online only: the service worker did not register.", e);
  });
}
