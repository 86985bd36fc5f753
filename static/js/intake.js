// Intake page: category search, earlier complaints by phone, preview of the decision.
// Plain JavaScript, no libraries (intranet-safe). The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("intake");
  if (!form) return;

  // Category search: asks the server which categories the words typed find (code, name or any
  // search word: one rule, complaints/models/record.py) and narrows the <select> to them.
  var search = document.getElementById("category-search");
  var select = document.getElementById("id_category");
  if (search && select) {
    var all = Array.prototype.slice.call(select.options).map(function (o) {
      return { value: o.value, text: o.text, code: o.dataset.code || "" };
    });
    var asked = 0;
    var narrow = function (codes) {
      var current = select.value;
      select.innerHTML = "";
      all.forEach(function (o) {
        if (!o.value || codes === null || codes.indexOf(o.code) !== -1) {
          select.add(new Option(o.text, o.value, false, o.value === current));
        }
      });
      var matches = select.options.length - (select.options[0] && !select.options[0].value ? 1 : 0);
      if (matches === 1) {
        var before = select.value;
        select.selectedIndex = select.options.length - 1;
        if (select.value !== before) select.dispatchEvent(new Event("change"));
      }
    };
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = search.value.trim();
      if (!typed) { narrow(null); return; }
      timer = setTimeout(function () {
        var ask = ++asked;
        fetch(search.dataset.url + "?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(function (found) {
            if (ask !== asked) return;  // a later search is on its way
            narrow(found.map(function (c) { return c.code; }));
          })
          .catch(function () { narrow(null); });
      }, 150);
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); select.focus(); }
    });
  }

  // A forwarded complaint (regulator, letters office, group HQ) names its body, reference and deadline.
  var channel = document.getElementById("id_channel");
  var forwarded = document.getElementById("forwarded");
  if (channel && forwarded) {
    var forwardedChannels = forwarded.dataset.channels.split(" ");
    var showForwarded = function () {
      forwarded.hidden = forwardedChannels.indexOf(channel.value) === -1;
    };
    channel.addEventListener("change", showForwarded);
    showForwarded();
  }

  // Long texts: a counter under each box that has a limit (the server refuses beyond it too).
  form.querySelectorAll("textarea[data-counter]").forEach(function (box) {
    var limit = parseInt(box.dataset.counter, 10);
    var counter = document.createElement("small");
    counter.className = "counter";
    counter.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", counter);
    var count = function () {
      var n = box.value.length;
      counter.textContent = form.dataset.counterLabel.replace("{n}", n).replace("{max}", limit);
      counter.classList.toggle("warn", n > limit * 0.9);
    };
    box.addEventListener("input", count);
    count();
  });

  // Earlier complaints from this phone number.
  var phone = document.getElementById("id_complainant_phone");
  var earlier = document.getElementById("earlier");
  var lookupTimer;
  if (phone && earlier) {
    phone.addEventListener("input", function () {
      clearTimeout(lookupTimer);
      lookupTimer = setTimeout(function () {
        var digits = phone.value.replace(/[^0-9]/g, "");
        if (digits.length < 7) { earlier.innerHTML = ""; return; }
        fetch(form.dataset.lookup + "?phone=" + encodeURIComponent(digits), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) { earlier.innerHTML = html; });
      }, 300);
    });
  }

  // Preview: what level, owner and deadline the system will decide.
  var preview = document.getElementById("preview");
  function showPreview() {
    fetch(form.dataset.preview, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) {
        preview.hidden = false;
        if (!data.ok) {
          preview.querySelector("dl").hidden = true;
          var list = Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); });
          preview.querySelector("h2").textContent = preview.dataset.invalid + " " + list.join(" ");
          return;
        }
        preview.querySelector("h2").textContent = preview.dataset.title;
        preview.querySelector("dl").hidden = false;
        preview.querySelectorAll("[data-k]").forEach(function (el) {
          var v = data[el.dataset.k];
          if (el.dataset.k === "calendar_unconfirmed" || el.dataset.k === "is_repeat") { el.hidden = !v; return; }
          if (el.dataset.k === "similar_html") { el.innerHTML = v; return; }  // rendered and escaped by the server
          el.textContent = Array.isArray(v) ? (v.join("、") || "—") : (v || "—");
        });
      })
      .catch(function () {
        preview.hidden = false;
        preview.querySelector("dl").hidden = true;
        preview.querySelector("h2").textContent = preview.dataset.failed;
      });
  }
  var button = document.getElementById("preview-btn");
  if (button) button.addEventListener("click", showPreview);
  ["id_category", "id_is_vip", "id_sensitive_identity", "id_major_impact", "id_escalated_from_hq",
   "id_channel", "id_group_size", "id_reply_due"].forEach(function (id) {
    var el = document.getElementById(id);
    if (el) el.addEventListener("change", function () { if (!preview.hidden) showPreview(); });
  });
})();
