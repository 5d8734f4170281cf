// "Split at cursor": send where the cursor is in the line's English text.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.split-form");
  if (!form) return;
  const text = form.closest(".edit-line").querySelector("textarea[data-field=english_text]");
  form.querySelector("input[name=at]").value = text.selectionStart;
});
