// <genre-lens-widget model="bundled" theme="light" fields="energy,tempo">: the Genre Lens widget
// as a custom element, loaded with one <script type="module" src=".../genre-lens-widget.js">.
//
// Design: the element puts the widget's own page (widget.html, next to this file) in an
// <iframe> inside its shadow root. The shadow root keeps the host page's CSS off the element's
// internals and the element's CSS off the host page; the iframe is a separate document, so no
// inherited property (color, font-size, ...) and no `* { ... !important }` rule can reach the
// widget's own styles, and its strict Content-Security-Policy and wasm stay its own. The element
// only proxies the widget's postMessage API:
//   - element.predict({energy: 0.8, tempo: 128}) -> Promise of the prediction (rejects with the
//     widget's error message, or after 10 s without an answer);
//   - a "prediction" DOM event (event.detail is the message) for every prediction, whether the
//     page asked for it or the visitor typed in the widget; an "error" event for failures.
// The widget is told to accept messages from this page's origin only (origin=...).
// model="https://your.site/models/my-model.bin" (or a path like "models/my-model.bin" or
// "/models/my-model.bin", resolved against this page) loads a model file you publish; its server
// must allow other sites to read it (Access-Control-Allow-Origin). A failure to load it is shown
// in the widget and dispatched as an "error" event.

const WIDGET_URL = new URL("widget.html", import.meta.url);
const TIMEOUT_MS = 10000;
const ATTRIBUTES = ["model", "theme", "fields"];

class GenreLensWidget extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #frame;
  #ready = false;
  #queue = [];
  #pending = new Map();
  #nextId = 1;
  #onMessage = (event) => this.#receive(event);

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    // A constructed stylesheet, not a <style> element: a host page whose CSP forbids inline
    // styles still applies it. :host sizes are defaults the host page can override.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(
      ":host{display:block;inline-size:100%;max-inline-size:100%;block-size:480px}" +
      ":host([hidden]){display:none}" +
      "iframe{display:block;inline-size:100%;block-size:100%;border:0;border-radius:12px}");
    root.adoptedStyleSheets = [sheet];
    this.#frame = document.createElement("iframe");
    this.#frame.title = "Genre Lens: predict a track's genre";
    this.#frame.setAttribute("part", "frame");
    root.append(this.#frame);
  }

  connectedCallback() {
    window.addEventListener("message", this.#onMessage);
    this.#load();
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
    this.#failAll("the widget was removed from the page");
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue !== newValue && this.isConnected) this.#load();
  }

  /** Predicts for `features` ({name: number}); resolves to the widget's "prediction" message. */
  predict(features) {
    return new Promise((resolve, reject) => {
      const id = `gl-${this.#nextId++}`;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error("the Genre Lens widget did not answer in time"));
      }, TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      this.#send({ type: "predict", id, features });
    });
  }

  #load() {
    const url = new URL(WIDGET_URL);
    for (const name of ATTRIBUTES) {
      const value = this.getAttribute(name);
      if (value) url.searchParams.set(name, name === "model" ? modelValue(value) : value);
    }
    url.searchParams.set("origin", location.origin);
    if (this.#frame.src === url.href) return;
    // A reload (new options) drops what the old widget was asked; the first load keeps
    // requests made before the element was attached.
    if (this.#frame.src) this.#failAll("the widget was reloaded with new options");
    this.#ready = false;
    this.#frame.src = url.href;
  }

  #send(message) {
    if (this.#ready) this.#frame.contentWindow.postMessage(message, WIDGET_URL.origin);
    else this.#queue.push(message);
  }

  #receive(event) {
    // Only this element's own widget, from the widget's origin.
    if (event.source !== this.#frame.contentWindow || event.origin !== WIDGET_URL.origin) return;
    const data = event.data;
    if (!data || typeof data !== "object") return;
    if (data.type === "ready") {
      this.#ready = true;
      const waiting = this.#queue.splice(0);
      for (const message of waiting) this.#send(message);
      this.dispatchEvent(new CustomEvent("ready", { detail: data }));
      return;
    }
    const waiter = data.id !== undefined ? this.#pending.get(data.id) : undefined;
    if (waiter) {
      this.#pending.delete(data.id);
      clearTimeout(waiter.timer);
      if (data.type === "prediction") waiter.resolve(data);
      else waiter.reject(new Error(data.message || "the widget refused the request"));
    }
    if (data.type === "prediction" || data.type === "error") {
      this.dispatchEvent(new CustomEvent(data.type, { detail: data }));
    }
  }

  #failAll(reason) {
    for (const { reject, timer } of this.#pending.values()) {
      clearTimeout(timer);
      reject(new Error(reason));
    }
    this.#pending.clear();
    this.#queue = [];
  }
}

// A model file's address as the widget needs it: absolute, since the widget lives on another
// origin than this page. "bundled" and a saved model's name pass unchanged; a value with a
// scheme, or one ending in .bin, or starting with "/", "./" or "../", is a file's address.
function modelValue(value) {
  const v = value.trim();
  const isFile = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^\.{0,2}\//.test(v) || /\.bin$/i.test(v);
  if (!isFile) return v;
  try {
    return new URL(v, document.baseURI).href;
  } catch {
    return v; // The widget names what is wrong with it.
  }
}

if (!customElements.get("genre-lens-widget")) {
  customElements.define("genre-lens-widget", GenreLensWidget);
}
