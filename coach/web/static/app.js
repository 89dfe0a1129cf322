/* okr-coach: progressive enhancement for the server-rendered pages.
 * Everything works without this file: the example link reloads the form with
 * the example, rewrites are plain selectable text, the server checks sizes,
 * and the fill forms post to the server, which fills in the placeholders.
 * With it: copy buttons (with a live-region "Copied" message), the example
 * fills the box in place, an over-size draft is caught before it is sent, and
 * a rewrite (or a candidate metric) fills in as the author types, the improved
 * OKRs with it. Values are text: they are only ever set as textContent.
 */
(function () {
  "use strict";

  var live = null;
  var liveTimer = null;

  function announce(message) {
    live = live || document.getElementById("live");
    if (!live) return;
    // Clear first so the same message twice is still read out.
    live.textContent = "";
    live.classList.remove("show");
    window.clearTimeout(liveTimer);
    window.setTimeout(function () {
      live.textContent = message;
      live.classList.add("show");
      liveTimer = window.setTimeout(function () {
        live.classList.remove("show");
      }, 4000);
    }, 30);
  }

  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function legacyCopy(el) {
    selectText(el);
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    return ok;
  }

  function markCopied(button) {
    var label = button.querySelector(".copy-label");
    if (!label) return;
    if (!button.dataset.label) button.dataset.label = label.textContent;
    label.textContent = "Copied";
    button.classList.add("copied");
    window.setTimeout(function () {
      label.textContent = button.dataset.label;
      button.classList.remove("copied");
    }, 2000);
  }

  function copyFrom(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    var text = target.textContent;
    var what = button.getAttribute("data-copied") || "the text";
    var done = function () {
      markCopied(button);
      announce("Copied " + what + " to the clipboard.");
    };
    var fallback = function () {
      if (legacyCopy(target)) {
        done();
      } else {
        selectText(target);
        announce("Could not reach the clipboard: the text is selected, press Ctrl+C (⌘C on a Mac) to copy it.");
      }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  function setUpCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy-target]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        copyFrom(event.currentTarget);
      });
    }
  }

  function setUpExample() {
    var link = document.getElementById("try-example");
    var box = document.getElementById("draft");
    if (!link || !box) return;
    link.setAttribute("role", "button");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var example = link.getAttribute("data-example") || "";
      var current = box.value.trim();
      if (current && current !== example.trim() &&
          !window.confirm("Replace your text with the example draft?")) {
        return;
      }
      box.value = example;
      box.focus();
      box.setSelectionRange(0, 0);
      box.scrollTop = 0;
      announce("The example draft is in the box. Submit it to see a review.");
    });
  }

  function utf8Length(text) {
    if (window.TextEncoder) return new TextEncoder().encode(text).length;
    return unescape(encodeURIComponent(text)).length;
  }

  function showFormError(form, message) {
    var box = document.getElementById("form-error");
    if (!box) return;
    box.textContent = "";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = "Not reviewed yet: ";
    p.appendChild(strong);
    p.appendChild(document.createTextNode(message));
    box.appendChild(p);
    box.hidden = false;
    box.focus();
  }

  function setUpForm() {
    var form = document.querySelector("form.review-form");
    var box = document.getElementById("draft");
    if (!form || !box) return;
    var submit = form.querySelector("button[type=submit]");
    var submitLabel = submit ? submit.textContent : "";
    form.addEventListener("submit", function (event) {
      var max = parseInt(form.getAttribute("data-max-bytes"), 10);
      var size = utf8Length(box.value);
      if (!box.value.trim()) {
        event.preventDefault();
        showFormError(form, "The draft is empty: paste your objectives and key results, one per line.");
        box.setAttribute("aria-invalid", "true");
        return;
      }
      if (max && size > max) {
        event.preventDefault();
        showFormError(form, "The draft is " + Math.ceil(size / 1024) + " KB; the form takes up to " +
          Math.floor(max / 1024) + " KB. Shorten it (or review it in parts) and submit again.");
        box.setAttribute("aria-invalid", "true");
        return;
      }
      if (submit) {
        submit.disabled = true;
        submit.textContent = "Reviewing…";
      }
    });
    // Coming back with the Back button must not leave the button disabled.
    window.addEventListener("pageshow", function () {
      if (submit) {
        submit.disabled = false;
        submit.textContent = submitLabel;
      }
    });
    var error = document.getElementById("form-error");
    if (error && !error.hidden) error.focus();
  }

  function oneLine(value) {
    return value.replace(/\s+/g, " ").trim();
  }

  function fillStatus(total, missing) {
    if (!total) return "";
    if (!missing.length) return "All filled in: copy your key result.";
    if (missing.length === total) return total + " to fill in.";
    return "Still to fill in: " + missing.join(", ") + ".";
  }

  // One template being filled in: its marks follow the boxes, and so does its line in the
  // improved OKRs (a candidate metric only once it has a value).
  function setUpFill(block) {
    var text = document.getElementById(block.getAttribute("data-fill"));
    var form = block.querySelector("form.fill-form");
    if (!text || !form) return;
    var inputs = form.querySelectorAll("input[data-ph]");
    var status = form.querySelector(".fill-status");
    var submit = form.querySelector(".fill-submit");
    var line = document.getElementById("improved-" + block.getAttribute("data-item"));
    var candidate = block.getAttribute("data-kind") === "candidate";
    if (submit) submit.hidden = true;

    function update() {
      var values = [];
      var missing = [];
      for (var i = 0; i < inputs.length; i++) values.push(oneLine(inputs[i].value));
      var marks = text.querySelectorAll("mark[data-ph]");
      for (var j = 0; j < marks.length; j++) {
        var value = values[parseInt(marks[j].getAttribute("data-ph"), 10)] || "";
        marks[j].textContent = value || marks[j].getAttribute("data-placeholder");
        marks[j].classList.toggle("filled", !!value);
      }
      for (var k = 0; k < inputs.length; k++) {
        if (!values[k]) missing.push(inputs[k].getAttribute("data-placeholder"));
      }
      if (status) status.textContent = fillStatus(inputs.length, missing);
      if (!line) return;
      var any = values.some(function (v) { return v; });
      if (!candidate || any) {
        line.textContent = text.textContent;
        line.setAttribute("data-owner", block.getAttribute("data-fill"));
      } else if (line.getAttribute("data-owner") === block.getAttribute("data-fill")) {
        line.textContent = line.getAttribute("data-original");
        line.removeAttribute("data-owner");
      }
    }

    for (var i = 0; i < inputs.length; i++) inputs[i].addEventListener("input", update);
    // Enter in a box needs no round trip: the text is already filled in.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update();
      announce(status ? status.textContent : "Filled in.");
    });
  }

  function setUpFills() {
    var blocks = document.querySelectorAll("[data-fill]");
    for (var i = 0; i < blocks.length; i++) setUpFill(blocks[i]);
    // Picking one candidate metric closes the others (browsers without <details name>).
    var picks = document.querySelectorAll("details.candidate");
    for (var j = 0; j < picks.length; j++) {
      picks[j].addEventListener("toggle", function (event) {
        var open = event.currentTarget;
        if (!open.open) return;
        var group = document.querySelectorAll('details.candidate[name="' + open.getAttribute("name") + '"]');
        for (var k = 0; k < group.length; k++) {
          if (group[k] !== open) group[k].open = false;
        }
      });
    }
  }

  // Files dropped on the upload box become the file input's files; the form posts as usual.
  function setUpDropzone() {
    var zone = document.querySelector("[data-dropzone]");
    if (!zone) return;
    var input = zone.querySelector("input[type=file]");
    function over(event) {
      event.preventDefault();
      zone.classList.add("dragover");
    }
    zone.addEventListener("dragenter", over);
    zone.addEventListener("dragover", over);
    zone.addEventListener("dragleave", function () {
      zone.classList.remove("dragover");
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragover");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      var names = [];
      for (var i = 0; i < input.files.length; i++) names.push(input.files[i].name);
      announce("Ready to upload: " + names.join(", "));
    });
  }

  // The batch status page: follow the counts, and show the finished page the moment the
  // batch is done (the server renders it; without this script a <noscript> refresh does).
  function setUpProgress() {
    var box = document.querySelector("[data-progress]");
    if (!box || box.getAttribute("data-status") === "done") return;
    var url = box.getAttribute("data-progress");
    var bar = document.getElementById("batch-progress");
    var counts = document.getElementById("batch-counts");
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error("progress " + r.status);
          return r.json();
        })
        .then(function (p) {
          if (p.status === "done") {
            window.location.replace(window.location.pathname);
            return;
          }
          bar.value = p.done + p.failed;
          counts.textContent = p.done + " reviewed · " + p.failed + " failed · " + p.pending + " to go";
          window.setTimeout(poll, 400);
        })
        .catch(function () {
          window.setTimeout(function () { window.location.reload(); }, 2000);
        });
    }
    window.setTimeout(poll, 250);
  }

  function init() {
    document.documentElement.classList.add("js");
    setUpProgress();
    setUpDropzone();
    setUpCopyButtons();
    setUpExample();
    setUpForm();
    setUpFills();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
