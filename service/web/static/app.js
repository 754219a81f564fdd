// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var DELAY = 400; // ms after the last keystroke before asking for HS codes

  function suggest(input) {
    var hints = document.getElementById(input.dataset.hsHints);
    var text = input.value.trim();
    if (!hints) return;
    if (text.length < 3) { hints.innerHTML = ""; return; }
    var query = new URLSearchParams({ text: text, target: input.dataset.hsTarget, level: input.dataset.hsLevel || "heading" });
    fetch("/hs-suggest?" + query.toString(), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (input.value.trim() === text) hints.innerHTML = html; })
      .catch(function () { /* offline: the field still takes a code typed by hand */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.dataset || !input.dataset.hsTarget) return;
    clearTimeout(input._hsTimer);
    input._hsTimer = setTimeout(function () { suggest(input); }, DELAY);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-fill], button[data-copy]");
    if (!button) return;
    if (button.dataset.fill) {
      var field = document.getElementById(button.dataset.fill);
      if (field) { field.value = button.dataset.value; field.focus(); }
      return;
    }
    var source = document.getElementById(button.dataset.copy);
    var status = document.getElementById("copy-status");
    var done = function () { if (status) status.textContent = button.dataset.done; };
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  // after htmx swaps in new results, move focus to their heading so it is read out
  document.addEventListener("htmx:afterSwap", function (event) {
    var title = event.detail.target.querySelector("#results-title");
    if (title) title.focus();
  });
})();
