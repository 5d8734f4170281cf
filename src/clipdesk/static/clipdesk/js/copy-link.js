// Copy-link buttons: copy the button's data-url to the clipboard and say so.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy-link");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.url).then(() => {
    const label = button.textContent;
    button.textContent = "Link copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});
