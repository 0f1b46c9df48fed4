// Drives public/embed-example.html: the same track sent to both widgets, their answers and the
// visitor's own predictions logged. Everything here is what a host page would write.
const track = { energy: 0.92, loudness: -4.1, speechiness: 0.06, acousticness: 0.002,
  instrumentalness: 0.85, liveness: 0.12, valence: 0.3, tempo: 174, duration_ms: 252000 };
const show = (id, text) => { document.getElementById(id).textContent = text; };
const summary = (m) => `${m.source}: ${m.genre} (${(m.confidence * 100).toFixed(1)}%)`;

// 1. The iframe: messages both ways, answered only to this page's origin.
const frame = document.getElementById("frame");
window.addEventListener("message", (e) => {
  if (e.source !== frame.contentWindow) return;
  if (e.data.type === "prediction") show("frame-log", summary(e.data));
  if (e.data.type === "error") show("frame-log", `error: ${e.data.message}`);
  if (e.data.type === "ready") show("frame-log", `ready: ${e.data.model}`);
});
const post = (message) => frame.contentWindow.postMessage(message, new URL(frame.src).origin);
document.getElementById("send-frame").onclick = () => post({ type: "predict", id: 1, features: track });
document.getElementById("send-bad").onclick = () => post({ type: "predict", features: { energy: "loud" } });

// 2. The custom element: a Promise per request, and a DOM event for every prediction.
const element = document.getElementById("element");
element.addEventListener("prediction", (e) => show("element-log", `event ${summary(e.detail)}`));
document.getElementById("send-element").onclick = async () => {
  try {
    const answer = await element.predict(track);
    show("element-log", `predict() → ${answer.genre}, top 3: ${answer.top.map((t) => t.genre).join(", ")}`);
  } catch (error) {
    show("element-log", `predict() failed: ${error.message}`);
  }
};
