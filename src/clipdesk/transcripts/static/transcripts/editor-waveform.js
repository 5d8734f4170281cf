// The waveform strip under the video: the sound's peaks (computed once per media file by the server,
// media.waveform), the lines as bands over it, and the playing moment. Drag a band's edge to set the
// line's start or end by eye (an edge two lines share moves for both); the new time goes into the
// line's Start and End boxes and is saved as if typed there, so undo, versions and conflicts apply.
// A click elsewhere plays from that moment. Only the canvas API draws: no inline style, the CSP holds.
(() => {
  const canvas = document.getElementById("waveform");
  const video = document.getElementById("player");
  if (!canvas || !video) return;
  const lines = Array.from(document.querySelectorAll(".edit-line"));
  const SPAN = 10; // seconds in view
  const GRAB = 6; // pixels either side of an edge that pick it up
  let peaks = [], perSecond = 20, dragging = null;

  const parseTime = (text) => {
    text = (text || "").trim();
    if (!text) return null;
    let seconds = 0;
    for (const part of text.split(":")) {
      if (!/^\d+(\.\d+)?$/.test(part)) return null;
      seconds = seconds * 60 + Number.parseFloat(part);
    }
    return Math.round(seconds * 1000);
  };
  const formatTime = (ms) => {
    const s = Math.floor(ms / 1000), m = Math.floor(s / 60);
    return `${m}:${String(s % 60).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;
  };
  const input = (line, field) => line.querySelector(`input[data-field=${field}]`);
  const total = () => Math.max(peaks.length / perSecond, Number.isFinite(video.duration) ? video.duration : 0, 1);
  const span = () => Math.min(SPAN, total());
  const viewStart = () => {
    const start = (dragging ? dragging.viewStart : video.currentTime - span() / 4);
    return Math.max(0, Math.min(start, total() - span()));
  };
  const xOf = (ms) => ((ms / 1000 - viewStart()) / span()) * canvas.width;
  const msOf = (x) => Math.max(0, Math.round((viewStart() + (x / canvas.width) * span()) * 1000));

  const edges = () => {
    const found = [];
    for (const line of lines) {
      for (const field of ["start_ms", "end_ms"]) {
        const ms = parseTime(input(line, field)?.value);
        if (ms !== null) found.push({ line, field, ms });
      }
    }
    return found;
  };

  const draw = () => {
    const ctx = canvas.getContext("2d");
    const { width, height } = canvas;
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "#f4f1ea";
    ctx.fillRect(0, 0, width, height);
    const focused = document.activeElement?.closest?.(".edit-line");
    for (const line of lines) {
      const start = parseTime(input(line, "start_ms")?.value), end = parseTime(input(line, "end_ms")?.value);
      if (start === null || end === null) continue;
      ctx.fillStyle = line === focused ? "rgba(232, 200, 96, 0.45)" : "rgba(120, 150, 200, 0.22)";
      ctx.fillRect(xOf(start), 0, xOf(end) - xOf(start), height);
      ctx.fillStyle = "#41557a";
      ctx.fillRect(xOf(start), 0, 2, height);
      ctx.fillRect(xOf(end) - 2, 0, 2, height);
      ctx.fillText(line.querySelector(".line-number").textContent, xOf(start) + 4, 12);
    }
    ctx.fillStyle = "#555";
    const first = Math.floor(viewStart() * perSecond), last = Math.ceil((viewStart() + span()) * perSecond);
    const bar = Math.max(1, canvas.width / (span() * perSecond));
    for (let i = Math.max(0, first); i < Math.min(peaks.length, last); i += 1) {
      const h = (peaks[i] / 255) * (height - 16);
      ctx.fillRect(xOf((i * 1000) / perSecond), height / 2 + 8 - h / 2, Math.max(1, bar - 1), Math.max(1, h));
    }
    ctx.fillStyle = "#a00";
    ctx.fillRect(xOf(video.currentTime * 1000) - 1, 0, 2, height);
  };

  const resize = () => {
    canvas.width = Math.max(200, Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)));
    draw();
  };

  const pointerX = (event) => {
    const box = canvas.getBoundingClientRect();
    return ((event.clientX - box.left) / box.width) * canvas.width;
  };

  canvas.addEventListener("pointerdown", (event) => {
    const x = pointerX(event);
    const near = edges().filter((edge) => Math.abs(xOf(edge.ms) - x) <= GRAB * (window.devicePixelRatio || 1));
    if (!near.length) {
      video.currentTime = msOf(x) / 1000;
      draw();
      return;
    }
    near.sort((a, b) => Math.abs(xOf(a.ms) - x) - Math.abs(xOf(b.ms) - x));
    const ms = near[0].ms;
    dragging = { edges: near.filter((edge) => edge.ms === ms), viewStart: viewStart() };
    canvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    const x = pointerX(event);
    if (!dragging) {
      const near = edges().some((edge) => Math.abs(xOf(edge.ms) - x) <= GRAB);
      canvas.classList.toggle("on-edge", near);
      return;
    }
    const ms = msOf(x);
    for (const edge of dragging.edges) input(edge.line, edge.field).value = formatTime(ms);
    draw();
  });
  const drop = async () => {
    if (!dragging) return;
    const moved = dragging.edges;
    dragging = null;
    draw();
    for (const edge of moved) {
      input(edge.line, edge.field).dispatchEvent(new Event("change", { bubbles: true }));
      await edge.line.saving; // one line's save after the other's (editor-autosave.js queues per line)
    }
  };
  canvas.addEventListener("pointerup", drop);
  canvas.addEventListener("pointercancel", drop);

  video.addEventListener("timeupdate", draw);
  video.addEventListener("seeked", draw);
  video.addEventListener("loadedmetadata", draw);
  document.addEventListener("focusin", draw);
  document.addEventListener("change", (event) => { if (!dragging && event.target.dataset?.kind === "time") draw(); });
  window.addEventListener("resize", resize);

  fetch(canvas.dataset.peaksUrl, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((data) => {
      peaks = data.peaks;
      perSecond = data.per_second;
      canvas.dataset.ready = "true";
      resize();
    })
    .catch(() => { canvas.dataset.ready = "failed"; resize(); });
  resize();
})();
