/* okr-coach: progressive enhancement for the server-rendered pages.
 * Everything works without this file: the example link reloads the form with
 * the example, rewrites are plain selectable text, the server checks sizes.
 * With it: copy buttons (with a live-region "Copied" message), the example
 * fills the box in place, and an over-size draft is caught before it is sent.
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

  function init() {
    document.documentElement.classList.add("js");
    setUpCopyButtons();
    setUpExample();
    setUpForm();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
