/* Albatross dashboard behaviour. Own code (Apache-2.0), no dependencies.
   - table.sortable: header buttons sort the rows (numbers as numbers), aria-sort says how;
   - input[data-filter=ID]: hides rows of table ID that do not contain the typed text;
   - [data-refresh=URL]: the element's content is replaced by the server's fragment every
     data-interval ms (live progress, tails); it stops once the fragment says data-final;
   - select[data-autosubmit]: submits its form on change (the project switcher);
   - button[data-confirm]: asks before a destructive action. */
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var v = cell.getAttribute("data-sort");
    return v !== null ? v : cell.textContent.trim();
  }

  function compare(a, b) {
    var na = parseFloat(a), nb = parseFloat(b);
    if (!isNaN(na) && !isNaN(nb) && /^-?[\d.,]+(\s|%|$)/.test(a) && /^-?[\d.,]+(\s|%|$)/.test(b)) {
      return na - nb;
    }
    return a.localeCompare(b, undefined, {numeric: true, sensitivity: "base"});
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      if (th.hasAttribute("data-nosort")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        Array.prototype.forEach.call(table.tBodies, function (body) {
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (r1, r2) {
            var c = compare(cellValue(r1, index), cellValue(r2, index));
            return ascending ? c : -c;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  function applyFilter(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) return;
    var needle = input.value.trim().toLowerCase();
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  }

  function enhance(root) {
    root.querySelectorAll("table.sortable").forEach(function (t) {
      if (!t.hasAttribute("data-sort-ready")) { t.setAttribute("data-sort-ready", ""); makeSortable(t); }
    });
    document.querySelectorAll("input[data-filter]").forEach(function (input) {
      if (input.value) applyFilter(input);
    });
  }

  function refresh(el) {
    var url = el.getAttribute("data-refresh");
    var interval = parseInt(el.getAttribute("data-interval") || "2000", 10);
    function tick() {
      fetch(url, {credentials: "same-origin", headers: {"X-Albatross-Fragment": "1"}})
        .then(function (resp) {
          if (resp.status === 401) { window.location.reload(); throw new Error("session ended"); }
          if (!resp.ok) throw new Error("HTTP " + resp.status);
          return resp.text();
        })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;  /* server-rendered, autoescaped fragment of our own origin */
          var fresh = holder.firstElementChild;
          if (!fresh) return;
          el.replaceChildren.apply(el, Array.prototype.slice.call(fresh.childNodes));
          el.setAttribute("data-updated", new Date().toISOString());
          enhance(el);
          if (fresh.hasAttribute("data-final")) { el.setAttribute("data-final", ""); return; }
          setTimeout(tick, interval);
        })
        .catch(function () { el.setAttribute("data-stale", ""); setTimeout(tick, interval * 3); });
    }
    if (!el.hasAttribute("data-final")) setTimeout(tick, interval);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    document.querySelectorAll("[data-refresh]").forEach(refresh);
    document.addEventListener("input", function (e) {
      if (e.target.matches("input[data-filter]")) applyFilter(e.target);
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
      var button = s.form.querySelector("button[type=submit]");
      if (button) button.hidden = true;
    });
    document.addEventListener("click", function (e) {
      var b = e.target.closest("button[data-confirm]");
      if (b && !window.confirm(b.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
})();
