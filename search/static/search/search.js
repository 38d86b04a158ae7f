// The staff search page: folded facets on phones, suggestions as you type (trimmed to clearance by the server).
document.addEventListener("DOMContentLoaded", function () {
  // Facets start folded on a phone, open on a wide screen.
  var facets = document.querySelector("details.rs-facet");
  if (facets && window.matchMedia && window.matchMedia("(max-width: 48em)").matches) { facets.open = false; }
  var input = document.getElementById("rs-q"), list = document.getElementById("rs-suggest");
  if (!input || !list) { return; }
  var timer = null, active = -1, items = [];
  function close() { list.hidden = true; list.textContent = ""; active = -1; items = []; }
  function choose(text) { input.value = text + " "; close(); input.focus(); }
  function show(suggestions) {
    list.textContent = ""; items = suggestions; active = -1;
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option"); li.id = "rs-opt-" + i;
      li.textContent = s.text + " (" + s.count + ")";  // textContent: never parsed as HTML
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(s.text); });
      list.appendChild(li);
    });
    list.hidden = suggestions.length === 0;
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var value = input.value;
    if (value.trim().length < 2) { close(); return; }
    timer = setTimeout(function () {
      fetch(input.dataset.autocompleteUrl + "?q=" + encodeURIComponent(value), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (data) { if (input.value === value) { show(data.suggestions || []); } })
        .catch(close);
    }, 150);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === active); });
    } else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(items[active].text); }
    else if (e.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
});
