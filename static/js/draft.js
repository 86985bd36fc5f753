// Drafts: what is typed into a form marked data-draft-key is kept in this tab's
// sessionStorage as it is typed, so a sign-in that expired does not lose it: after
// signing in again the form comes back as typed. A page marked data-draft-done
// (the receipt of the saved complaint) forgets it. sessionStorage ends with the
// tab, and the key names the user, so another clerk on the same PC sees nothing.
(function () {
  "use strict";
  var store;
  try { store = window.sessionStorage; store.getItem("x"); } catch (e) { return; }

  var done = document.querySelector("[data-draft-done]");
  if (done) store.removeItem(done.getAttribute("data-draft-done"));

  var form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  var key = form.getAttribute("data-draft-key");
  var notice = document.getElementById("draft-restored");

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && ["file", "submit", "button", "reset"].indexOf(el.type) === -1;
    });
  }

  function save() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) (data[el.name] = data[el.name] || []).push(el.value);
      } else if (el.multiple) {
        data[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        data[el.name] = el.value;
      }
    });
    try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* full: the form still works */ }
  }

  function restore(data) {
    fields().forEach(function (el) {
      var value = data[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = (value || []).indexOf(o.value) !== -1; });
      } else if (value !== undefined) {
        el.value = value;
      }
    });
  }

  var saved = store.getItem(key);
  // A form the server sent back with errors already holds what was typed.
  if (saved && form.getAttribute("data-bound") !== "true") {
    try {
      restore(JSON.parse(saved));
      if (notice) notice.hidden = false;
    } catch (e) { store.removeItem(key); }
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);

  var discard = document.getElementById("draft-discard");
  if (discard) {
    discard.addEventListener("click", function () {
      store.removeItem(key);
      window.location.reload();
    });
  }
})();
