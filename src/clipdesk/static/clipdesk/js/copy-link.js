// Copy-link buttons: copy the button's data-url to the clipboard and say so. A button marked
// data-with-time adds the player's current moment as ?t=.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button.copy-link");
  if (!button || !navigator.clipboard) return;
  let text = button.dataset.url;
  const video = document.getElementById("player");
  if (button.dataset.withTime !== undefined && video) {
    const url = new URL(text);
    url.searchParams.set("t", String(Math.floor(video.currentTime)));
    text = url.toString();
  }
  navigator.clipboard.writeText(text).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});
