// The searched picker (linli/core/picker.py). htmx fetches the options as one types; this file turns a
// ticked option into a chip (the chip's checkbox is what the form posts), removes an unticked chip,
// and keeps the search text out of the post. Without it the picker still works: the form is
// submitted with the search and comes back with the options to tick.
(function () {
  "use strict";

  function pickerOf(node) { return node && node.closest ? node.closest("[data-picker]") : null; }
  function chosenOf(picker) { return picker.querySelector(".picker-chosen"); }
  function boxOf(picker) { return picker.querySelector(".picker-box input"); }
  function resultsOf(picker) { return picker.querySelector(".picker-results"); }
  function nameOf(picker) { return boxOf(picker).name.replace(/_q$/, ""); }
  function chipInput(picker, value) {
    return Array.prototype.find.call(chosenOf(picker).querySelectorAll("input"), function (i) {
      return i.value === value;
    });
  }

  function makeChip(picker, option) {
    // The chip is built from the page's own prototype (a <template>), like the server's chips.
    var chip = picker.querySelector("template.picker-chip").content.firstElementChild.cloneNode(true);
    var input = chip.querySelector("input");
    input.name = nameOf(picker);
    input.value = option.value;
    input.checked = true;
    chip.querySelector("span").textContent = option.dataset.label;
    return chip;
  }

  function markPicked(picker) {
    // Options already chosen show ticked, so ticking one again is not a second chip.
    picker.querySelectorAll(".picker-results input[type=checkbox]").forEach(function (option) {
      option.checked = Boolean(chipInput(picker, option.value));
    });
  }

  function clearSearch(picker) {
    boxOf(picker).value = "";
    resultsOf(picker).replaceChildren();
  }

  function pick(picker, option) {
    var multiple = picker.dataset.multiple === "1";
    var chosen = chosenOf(picker);
    if (!multiple) chosen.replaceChildren();
    if (!chipInput(picker, option.value)) chosen.append(makeChip(picker, option));
    if (!multiple) {
      clearSearch(picker);
      boxOf(picker).focus();
    }
  }

  function unpick(picker, value) {
    var input = chipInput(picker, value);
    if (input) input.closest(".chip").remove();
    picker.querySelectorAll(".picker-results input").forEach(function (option) {
      if (option.value === value) option.checked = false;
    });
  }

  function start(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-picker]").forEach(function (picker) {
      if (picker.classList.contains("live")) return;
      picker.classList.add("live");
      // Searching is live now: the no-script search button goes, and is no longer the form's default
      // button (the one Enter in another field would press).
      var go = picker.querySelector(".picker-go");
      go.type = "button";
      go.hidden = true;
      // Options that came with the page (a search sent without this file) post themselves; from now
      // on only chips do, so an option and its chip are never sent twice.
      picker.querySelectorAll(".picker-results input[name]").forEach(function (option) {
        if (option.checked) pick(picker, option);
        option.removeAttribute("name");
      });
      markPicked(picker);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    var picker = pickerOf(input);
    if (!picker || input.type !== "checkbox") return;
    if (input.closest(".picker-results")) {
      if (input.checked) pick(picker, input); else unpick(picker, input.value);
    } else if (input.closest(".picker-chosen") && !input.checked) {
      var box = boxOf(picker);
      unpick(picker, input.value);
      box.focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    var picker = pickerOf(event.target);
    if (!picker) return;
    if (event.target === boxOf(picker)) {
      if (event.key === "Enter") {
        // Enter searches at once; it must not submit the whole form.
        event.preventDefault();
        if (window.htmx) window.htmx.trigger(event.target, "search");
      } else if (event.key === "ArrowDown") {
        var first = picker.querySelector(".picker-results input");
        if (first) { event.preventDefault(); first.focus(); }
      }
    } else if (event.target.closest(".picker-results") && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      var options = Array.prototype.slice.call(picker.querySelectorAll(".picker-results input"));
      var at = options.indexOf(event.target) + (event.key === "ArrowDown" ? 1 : -1);
      event.preventDefault();
      (at < 0 ? boxOf(picker) : options[Math.min(at, options.length - 1)]).focus();
    } else if (event.key === "Escape" && event.target.closest(".picker-results")) {
      clearSearch(picker);
      boxOf(picker).focus();
    }
  });

  // The search text is how a form without this file asks for options; here it is never posted.
  document.addEventListener("formdata", function (event) {
    event.target.querySelectorAll("[data-picker] .picker-box input").forEach(function (box) {
      event.formData.delete(box.name);
    });
  }, true);

  document.addEventListener("htmx:afterSwap", function (event) {
    var picker = pickerOf(event.target);
    if (picker) markPicked(picker);
  });
  document.addEventListener("htmx:load", function (event) { start(event.target); });
  document.addEventListener("DOMContentLoaded", function () { start(document); });
})();
