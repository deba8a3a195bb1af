// The application form (/apply/), progressively enhanced:
// - the province comes first: its select (hidden without JavaScript, where the county
//   select is grouped by province) lists the provinces, and the county select then holds
//   only that province's counties (a province's only county is chosen at once); before a
//   province is chosen the county select keeps every county, grouped; choosing a county
//   fetches its villages (htmx, hx-trigger="change" on the county select);
// - an error under a field goes away as soon as the field is filled in, and the notice
//   at the top once no error is left.
(function () {
  "use strict";
  var form = document.getElementById("apply-form");
  if (!form) return;

  var province = document.getElementById("id_province");
  var county = document.getElementById("id_county");
  if (province && county) {
    var groups = {};
    Array.prototype.forEach.call(county.querySelectorAll("optgroup[data-province]"), function (group) {
      groups[group.dataset.province] = Array.prototype.map.call(group.querySelectorAll("option"), function (o) {
        return { value: o.value, label: o.textContent };
      });
    });
    var chosen = county.value;
    if (chosen && !province.value) {
      Object.keys(groups).forEach(function (code) {
        if (groups[code].some(function (c) { return c.value === chosen; })) province.value = code;
      });
    }
    var everything = county.innerHTML;  // every county, grouped by province, as served
    var fill = function (keep, initial) {
      var counties = groups[province.value] || [];
      if (!province.value) {
        // No province yet: the grouped list of every county, as without JavaScript.
        county.innerHTML = everything;
        county.value = keep || "";
      } else {
        county.innerHTML = "";
        var first = document.createElement("option");
        first.value = "";
        first.textContent = county.dataset.placeholder;
        county.appendChild(first);
        counties.forEach(function (c) {
          var option = document.createElement("option");
          option.value = c.value;
          option.textContent = c.label;
          county.appendChild(option);
        });
        if (keep && counties.some(function (c) { return c.value === keep; })) {
          county.value = keep;
        } else if (counties.length === 1) {
          county.value = counties[0].value;  // the province's only county, chosen at once
        } else {
          county.value = "";
        }
      }
      // The village select follows the county (back to "choose the county first" without one).
      if (!initial && county.value !== keep) county.dispatchEvent(new Event("change", { bubbles: true }));
    };
    document.getElementById("field-province").hidden = false;
    fill(chosen, true);
    province.addEventListener("change", function () { fill(county.value, false); });
    // A county picked from the full list names its province.
    county.addEventListener("change", function () {
      if (!county.value) return;
      Object.keys(groups).forEach(function (code) {
        if (code !== province.value && groups[code].some(function (c) { return c.value === county.value; })) {
          province.value = code;
          fill(county.value, true);
        }
      });
    });
  }

  var filled = function (field) {
    return field.type === "checkbox" ? field.checked : String(field.value || "").trim() !== "";
  };
  var clearError = function (event) {
    var field = event.target;
    if (!field.name || !filled(field)) return;
    var box = field.closest(".field");
    var list = box && box.querySelector(".errorlist");
    if (list) list.remove();
    field.removeAttribute("aria-invalid");
    if (!form.querySelector(".errorlist")) {
      var notice = document.getElementById("form-errors");
      if (notice) notice.remove();
    }
  };
  form.addEventListener("input", clearError);
  form.addEventListener("change", clearError);
  // The village select arrives with htmx: the error of the select it replaced left with it.
  document.body.addEventListener("htmx:afterSwap", function () {
    if (!form.querySelector(".errorlist")) {
      var notice = document.getElementById("form-errors");
      if (notice) notice.remove();
    }
  });
})();
