// Forms on cached public pages carry no CSRF token (the page is the same for every reader): just
// before such a form is sent, fetch a token from /csrf/ (never cached) and put it in the form.
// Without JavaScript the form is sent without one, and the page it goes to shows it again with a token.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-csrf]") || form.dataset.csrfFilled) {
      return;
    }
    event.preventDefault();
    fetch(form.dataset.csrf, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var input = form.querySelector("input[name=csrfmiddlewaretoken]");
        if (!input) {
          input = document.createElement("input");
          input.type = "hidden";
          input.name = "csrfmiddlewaretoken";
          form.appendChild(input);
        }
        input.value = body.token;
      })
      .catch(function () { /* sent without a token: the page it goes to asks again */ })
      .then(function () {
        form.dataset.csrfFilled = "1";
        if (form.requestSubmit) { form.requestSubmit(event.submitter || undefined); } else { form.submit(); }
      });
  });
})();
