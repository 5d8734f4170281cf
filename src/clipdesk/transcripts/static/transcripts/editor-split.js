// "Split at cursor": send where the cursor is in the text last focused in the line (the original or
// the English); the server moves it to the nearest word boundary.
// Alt+Z / Alt+Shift+Z: the server's undo and redo of this person's changes (the text boxes keep the
// browser's own Ctrl+Z for typing).
const lastText = new WeakMap();
document.addEventListener("focusin", (event) => {
  const box = event.target.closest(".edit-line textarea[data-field$=_text]");
  if (!box) return;
  lastText.set(box.closest(".edit-line"), box);
  // Under a sticky video (narrow screens), bring the box below it; its scroll-margin says how far.
  requestAnimationFrame(() => box.scrollIntoView({ block: "nearest" }));
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.split-form");
  if (!form) return;
  const line = form.closest(".edit-line");
  const box = lastText.get(line) || line.querySelector("textarea[data-field=original_text]");
  const original = box.dataset.field === "original_text";
  form.querySelector("input[name=in]").value = original ? "original" : "english";
  form.querySelector(original ? "input[name=original_at]" : "input[name=at]").value = box.selectionStart;
});
document.addEventListener("keydown", (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.code !== "KeyZ") return;
  const form = document.getElementById(event.shiftKey ? "redo-form" : "undo-form");
  if (!form || form.querySelector("button").disabled) return;
  event.preventDefault();
  form.requestSubmit();
});
