// Search-box suggestions: fills the input's <datalist> from /search/suggest/.
// Without JavaScript the box is a plain search form, so nothing depends on this.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById(input.getAttribute("list"));
  var timer = null;
  var lastQuery = "";

  function fill(data) {
    list.textContent = "";
    ["stories", "series", "franchises"].forEach(function (group) {
      (data[group] || []).forEach(function (item) {
        var option = document.createElement("option");
        option.value = item.title;
        list.appendChild(option);
      });
    });
  }

  input.addEventListener("input", function () {
    var query = input.value.trim();
    clearTimeout(timer);
    if (query.length < 2 || query === lastQuery) return;
    timer = setTimeout(function () {
      lastQuery = query;
      fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { }; })
        .then(fill)
        .catch(function () { /* suggestions are a nicety; the search still works */ });
    }, 150);
  });
})();
