// Autosave in the transcript editor: each change to a line is sent with the version it was based
// on. Saves of one line go one after another. If someone else saved the line first, the server
// refuses (409) and both versions are shown side by side; nothing is overwritten silently.
(() => {
  const editor = document.getElementById("editor");
  if (!editor) return;
  const csrf = editor.dataset.csrf;
  const status = editor.querySelector(".save-status");
  const timers = new Map();
  let unsaved = 0;

  const parseTime = (text) => {
    text = text.trim();
    if (!text) return null;
    let seconds = 0;
    for (const part of text.split(":")) {
      if (!/^\d+(\.\d+)?$/.test(part)) return Number.NaN;
      seconds = seconds * 60 + Number.parseFloat(part);
    }
    return Math.round(seconds * 1000);
  };
  const formatTime = (ms) => {
    if (ms === null || ms === undefined) return "";
    const s = Math.floor(ms / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const pad = (n, w) => String(n).padStart(w, "0");
    return (h ? `${h}:${pad(m, 2)}` : `${m}`) + `:${pad(sec, 2)}.${pad(ms % 1000, 3)}`;
  };
  const valueOf = (el) => {
    if (el.dataset.kind === "time") return parseTime(el.value);
    if (el.dataset.field === "speaker_id") return el.value ? Number(el.value) : null;
    return el.value;
  };
  const show = (el, value) => {
    if (el.dataset.kind === "time") el.value = formatTime(value);
    else el.value = value === null || value === undefined ? "" : value;
  };
  const setState = (line, state, text) => {
    line.dataset.state = state;
    line.querySelector(".line-state").textContent = text;
    status.textContent = `Line ${line.querySelector(".line-number").textContent}: ${text}`;
  };
  const setVersion = (line, version) => {
    line.dataset.version = version;
    line.querySelectorAll("form input[name=version]").forEach((input) => { input.value = version; });
  };

  const showConflict = (line, el, data) => {
    const box = line.querySelector(".conflict");
    box.replaceChildren();
    const title = document.createElement("p");
    title.textContent = data.error;
    const theirs = document.createElement("p");
    theirs.textContent = `Saved now: ${data.current[el.dataset.field] ?? ""}`;
    const mine = document.createElement("p");
    mine.textContent = `Yours: ${el.value}`;
    const keepTheirs = document.createElement("button");
    keepTheirs.type = "button";
    keepTheirs.textContent = "Use the saved version";
    keepTheirs.addEventListener("click", () => {
      line.querySelectorAll("[data-field]").forEach((field) => {
        show(field, data.current[field.dataset.field]);
        field.dataset.sent = field.value;
      });
      setVersion(line, data.current.version);
      box.hidden = true;
      setState(line, "saved", "Saved version restored");
    });
    const keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.textContent = "Save mine over it";
    keepMine.addEventListener("click", () => {
      setVersion(line, data.current.version);
      box.hidden = true;
      setState(line, "dirty", "Saving your version");
      queue(line, el);
    });
    box.append(title, theirs, mine, keepTheirs, keepMine);
    box.hidden = false;
    setState(line, "conflict", "Not saved: changed by someone else");
  };

  const save = async (line, el) => {
    const value = valueOf(el);
    el.dataset.sent = el.value;
    if (Number.isNaN(value)) { setState(line, "error", "Write times as m:ss.mmm"); return; }
    setState(line, "saving", "Saving…");
    let response;
    try {
      response = await fetch(`/staff/segments/${line.dataset.id}/`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ version: Number(line.dataset.version), [el.dataset.field]: value }),
      });
    } catch (error) {
      setState(line, "error", "Not saved: the server cannot be reached. Your text is still here.");
      return;
    }
    const data = await response.json().catch(() => ({ error: `The server answered ${response.status}.` }));
    if (response.ok) {
      setVersion(line, data.version);
      setState(line, "saved", data.pending ? "Saved as a pending correction" : "Saved");
    } else if (response.status === 409) {
      delete el.dataset.sent;
      showConflict(line, el, data);
    } else {
      delete el.dataset.sent;
      setState(line, "error", data.error || "Not saved");
    }
  };

  const queue = (line, el) => {
    unsaved += 1;
    line.saving = (line.saving || Promise.resolve()).then(() => save(line, el)).finally(() => { unsaved -= 1; });
  };
  const schedule = (el, delay) => {
    const line = el.closest(".edit-line");
    clearTimeout(timers.get(el));
    if (line.dataset.state === "conflict") return; // wait for the person to choose a version
    if (el.value === el.dataset.sent) return; // nothing new since the last save (e.g. a blur)
    if (delay === 0) { timers.delete(el); queue(line, el); return; }
    setState(line, "dirty", "Not saved yet");
    timers.set(el, setTimeout(() => { timers.delete(el); queue(line, el); }, delay));
  };

  editor.addEventListener("input", (event) => {
    const el = event.target.closest(".edit-line [data-field]");
    if (el && el.tagName === "TEXTAREA") schedule(el, 800);
  });
  editor.addEventListener("change", (event) => {
    const el = event.target.closest(".edit-line [data-field]");
    if (el) schedule(el, 0);
  });
  window.addEventListener("beforeunload", (event) => {
    if (timers.size || unsaved) event.preventDefault();
  });
})();
