// The ingest form's file goes ahead in parts with tus (tus-js-client): each part a short request, and
// an upload cut off (a closed laptop, a dropped connection, a server restart) resumes where it stopped,
// on retry or when the same file is chosen again later. Once the file is complete, the form is sent
// with the upload's address in place of the file. Without JavaScript the form sends the file itself.
// Before anything uploads, the other fields (cut times, language...) are checked by the server: a
// mistake is shown by its field at once, and the chosen file stays chosen while it is put right.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-endpoint]");
  if (!form || !window.tus || !tus.isSupported) return;
  var input = form.querySelector("input[type=file]");
  var hidden = form.querySelector("input[name=upload]");
  var status = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  var button = form.querySelector("button[type=submit]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var sending = false;

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  // "2 GB", "700 MB", "51 KB", as the server's ingest.wording writes sizes.
  function size(bytes) {
    var units = ["bytes", "KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    var text = unit === 0 ? String(value) : value < 10 ? value.toFixed(1).replace(/\.0$/, "") : value.toFixed(0);
    return text + " " + units[unit];
  }

  function clearErrors() {
    form.querySelectorAll(".errors[data-checked]").forEach(function (node) {
      node.parentNode.classList.remove("has-errors");
      node.remove();
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors) {
    var first = null;
    Object.keys(errors).forEach(function (name) {
      var field = form.elements[name];
      if (!field || !field.closest) return;
      var box = field.closest(".field");
      var note = document.createElement("div");
      note.className = "errors";
      note.id = "check-" + name;
      note.setAttribute("data-checked", "");
      note.textContent = errors[name].join(" ");
      box.classList.add("has-errors");
      box.appendChild(note);
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
      first = first || field;
    });
    if (first) first.focus();
  }

  // Resolves true when the server finds nothing wrong with the fields; shows what it found otherwise.
  function checkFields(file) {
    var data = new FormData(form);
    data.delete("file");
    data.set("check", "1");
    clearErrors();
    say("Checking the cut and the language before " + file.name + " uploads.");
    return fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.ok) return true;
        showErrors(answer.errors || {});
        say("Put right the fields marked above; " + file.name + " is still chosen and has not been sent.");
        return false;
      });
  }

  form.addEventListener("submit", function (event) {
    var file = input.files && input.files[0];
    if (!file || hidden.value) return; // nothing to send ahead, or already sent
    event.preventDefault();
    if (sending) return;
    sending = true;
    button.disabled = true;
    checkFields(file).then(
      function (ok) {
        if (ok) {
          send(file);
        } else {
          sending = false;
          button.disabled = false;
        }
      },
      function () {
        sending = false;
        button.disabled = false;
        say("The fields could not be checked (is the connection down?). Send the form again.");
      }
    );
  });

  function send(file) {
    bar.hidden = false;
    var upload = new tus.Upload(file, {
      endpoint: form.getAttribute("data-upload-endpoint"),
      chunkSize: Number(form.getAttribute("data-chunk-bytes")),
      // A dropped connection is retried for a while; a server that refuses the file is not.
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000],
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      headers: { "X-CSRFToken": token },
      removeFingerprintOnSuccess: true,
      onProgress: function (sent, total) {
        bar.max = total;
        bar.value = sent;
        say("Uploading " + file.name + ": " + size(sent) + " of " + size(total) + ".");
      },
      onError: function (error) {
        sending = false;
        button.disabled = false;
        var response = error.originalResponse;
        var reason = response && response.getBody() ? response.getBody() : error.message;
        say("The upload stopped: " + reason + " Send the form again to resume it.");
      },
      onSuccess: function () {
        say(file.name + " is uploaded; checking it.");
        hidden.value = upload.url;
        input.value = ""; // the form carries the upload's address, not the file again
        form.submit();
      },
    });
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        say("Resuming the upload of " + file.name + ".");
      }
      upload.start();
    });
  }
})();
